import fs from 'node:fs';
import path from 'node:path';
import { definePlugin } from '@tsalt/loader';
import type { ReturnerConfig, ReturnerContext as PluginContext, ReturnerServices } from '../context.js';
import { ReturnerError } from '../errors.js';
import { isRecord } from '../format.js';
import { pyJsonDumps } from '../mysql/py-json.js';
import { optionString, returnerOptions } from '../options.js';

/*
 * rawfile_json: Salt's returner that appends one JSON line per return (on a
 * minion) or per event (as a master `event_return`) to a file. Salt's
 * default file is /var/log/salt/events; ours is /var/log/tsalt/events under
 * root_dir, like every other tsalt path. A `rawfile_json.filename` that is
 * set is used as given.
 *
 * Each call appends with a single write(2) on an O_APPEND descriptor, so
 * lines from concurrent writers (a minion and a master on one host) never
 * interleave; that is what Salt's flopen lock is for.
 */

/** Salt's default, re-rooted: `/var/log/tsalt/events` under root_dir. */
export function defaultEventsFile(opts: Readonly<Pick<ReturnerConfig, 'root_dir'>>): string {
  // An empty root_dir means none, as '/' does.
  const root = opts.root_dir || '/';
  return path.join(root, 'var', 'log', 'tsalt', 'events');
}

function filename(ctx: PluginContext, ret: unknown): string {
  const o = returnerOptions(ctx.opts, 'rawfile_json', { filename: null }, isRecord(ret) ? ret : undefined);
  return optionString(o.filename) ?? defaultEventsFile(ctx.opts);
}

// Returns and events can carry secrets (cmd.run output, pillar): no world read (octal).
const FILE_MODE = 0o640;

function append(file: string, lines: string, log: PluginContext['log']): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o750 });
    fs.appendFileSync(file, lines, { mode: FILE_MODE });
  } catch (err) {
    log.error(`Could not write to rawfile_json file ${file}`);
    throw new ReturnerError(
      'RAWFILE_WRITE',
      `Could not write to rawfile_json file ${file}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

export default definePlugin<ReturnerConfig, ReturnerServices>({
  name: 'rawfile_json',
  doc: 'Append each return (minion) or event (master event_return) as one JSON line to rawfile_json.filename (default /var/log/tsalt/events under root_dir).',
  functions: {
    returner: {
      doc: 'Write the return data as one JSON line to the file.',
      params: ['ret'],
      fn(ctx, { ret }) {
        append(filename(ctx, ret), `${pyJsonDumps(ret)}\n`, ctx.log);
      },
    },
    event_return: {
      doc: 'Write each event ({tag, data}) as one JSON line to the file.',
      params: ['events'],
      fn(ctx, { events }) {
        if (!Array.isArray(events) || events.length === 0) return; // do not create the file in vain
        append(filename(ctx, undefined), events.map((e) => `${pyJsonDumps(e)}\n`).join(''), ctx.log);
      },
    },
  },
});
