import type { MasterConfig } from '@tsalt/config';
import { definePlugin } from '@tsalt/loader';
import type { RunnerServices } from '../context.js';
import { fnmatch, pyStr } from '@tsalt/core';
import { renderOutput } from '@tsalt/output';
import { eventService, printer } from '../event-service.js';
import { RunnerError } from '../errors.js';

/*
 * state.event (salt/runners/state.py -> salt/modules/state.py event): watch
 * the master bus and print `<tag>\t<json>` per matching event, until
 * `count` matches (-1: forever; Ctrl-C stops tsalt-run).
 */

/** How long one wait on the bus lasts before looping (ms); only bounds each await. */
const POLL_MS = 1000;

/** Salt's `expr_match`: the tag equals the pattern, fnmatches it, or fully matches it as a regex. */
export function exprMatch(tag: string, pattern: string): boolean {
  if (tag === pattern || fnmatch(tag, pattern)) return true;
  try {
    return new RegExp(`^(?:${pattern})$`, 's').test(tag);
  } catch {
    return false;
  }
}

/**
 * What to subscribe to: the pattern's literal start, cut at the first
 * character that is special to fnmatch or to a regex, since expr_match may
 * read the pattern either way.
 */
export function subscribePrefix(pattern: string): string {
  const i = pattern.search(/[*?[\]().|+^${}\\]/);
  return i < 0 ? pattern : pattern.slice(0, i);
}

/** Python's json.dumps(data, sort_keys=True): keys sorted at every level. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array || v instanceof Date) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
  return out;
}

/** `json.dumps(data, sort_keys=pretty, indent=4 if pretty else None)`. */
export function eventJson(data: unknown, pretty: boolean): string {
  return renderOutput('json', pretty ? sortKeys(data) : data, { indent: pretty ? 4 : -1, color: false });
}

function truthy(v: unknown): boolean {
  if (typeof v === 'string') return v !== '' && !['false', 'no', 'off', '0'].includes(v.toLowerCase());
  return Boolean(v);
}

export default definePlugin<MasterConfig, RunnerServices>({
  name: 'state',
  doc: 'Execute orchestration functions; state.event watches the event bus.',
  functions: {
    event: {
      doc: `Watch Salt's event bus and block until the given tag is matched

:param tagmatch: the event is written to stdout for each tag that matches
    this pattern (fnmatch, or a regex); uses the same matching semantics as
    Salt's Reactor.
:param count: this number is decremented for each event that matches the
    \`\`tagmatch\`\` parameter; pass \`\`-1\`\` to listen forever.
:param quiet: do not print to stdout; just block
:param sock_dir: path to the master's event socket folder.
:param pretty: pretty-print the JSON (indented 4, keys sorted) when True;
    one line when False (useful for shell tools).
:param node: only \`\`master\`\`: tsalt minions have no local bus.

CLI Examples:

    salt-run state.event pretty=True
    salt-run state.event 'salt/minion/*/start' count=1 quiet=True
    salt-run state.event | while read -r tag data; do echo $tag; done`,
      params: [
        { name: 'tagmatch', default: '*' },
        { name: 'count', default: -1 },
        { name: 'quiet', default: false },
        { name: 'sock_dir', default: null },
        { name: 'pretty', default: false },
        { name: 'node', default: 'master' },
      ],
      fn: async (ctx, a) => {
        if (a['node'] !== 'master')
          throw new RunnerError(
            'BAD_NODE',
            `state.event watches the master bus only; node=${String(a['node'])} has no bus in tsalt`,
          );
        const tagmatch = pyStr(a['tagmatch'] ?? '*');
        let left = Number(a['count'] ?? -1);
        if (!Number.isInteger(left))
          throw new RunnerError('BAD_COUNT', `count must be an integer, not ${String(a['count'])}`);
        const quiet = truthy(a['quiet']);
        const pretty = truthy(a['pretty']);
        const print = printer(ctx);
        const sockDir = typeof a['sock_dir'] === 'string' ? a['sock_dir'] : undefined;
        const stream = await eventService(ctx).listen([subscribePrefix(tagmatch)], sockDir);
        try {
          while (left !== 0) {
            const ev = await stream.next(POLL_MS);
            if (!ev) continue;
            if (!exprMatch(ev.tag, tagmatch)) {
              ctx.log.debug({ tag: ev.tag }, 'state.event ignored an event that does not match tagmatch');
              continue;
            }
            if (!quiet) print(`${ev.tag}\t${eventJson(ev.data, pretty)}`);
            if (left > 0) left--;
          }
        } finally {
          stream.close();
        }
        return null;
      },
    },
  },
});
