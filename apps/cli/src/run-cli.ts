import { FileServer } from '@tsalt/fileserver';
import fs from 'node:fs';
import os from 'node:os';
import { Command } from 'commander';
import { createLogger, errorLine } from './util.js';
import { isRecord } from '@tsalt/core';
import { DEFAULT_CONFIG_DIR } from '@tsalt/config';
import {
  Registry,
  FunctionNotAvailableError,
  InvalidArgumentsError,
  parseCliArgs,
  splitPublishArgs,
} from '@tsalt/loader';
import { jobCacheFrom, returnerPlugins } from '@tsalt/returners';
import { runnerPlugins } from '@tsalt/runners';
import { genJid } from '@tsalt/job';
import { busAddresses, EventListener, fireMasterEvent } from '@tsalt/events';
import { KeyStore } from '@tsalt/crypto';
import { runWheel, wheelPlugins } from '@tsalt/wheel';
import type { Logger } from '@tsalt/core';
import type { MasterConfig } from '@tsalt/config';
import { LocalClient } from '@tsalt/client';
import { MinionDataCache } from '@tsalt/cache';
import {
  withOutputOptions,
  clientExit,
  CliExit,
  EXIT,
  highstateOptions,
  loadMasterOpts,
  printOut,
  salty,
  type OutFlags,
} from './common.js';
import { docFlag, wantsDoc } from './salt-doc.js';

interface RunFlags extends OutFlags {
  configDir: string;
  logLevel?: string;
}

/** The command line; with `-d` (docs) the function may be left out, as salt-run allows. */
export function runProgram(doc = false): Command {
  return withOutputOptions(
    salty(new Command('tsalt-run'))
      .description('Run a runner function on the master.')
      .usage('[options] <function> [arguments]')
      .argument(doc ? '[function]' : '<function>', 'the runner function, e.g. jobs.lookup_jid')
      .argument('[arguments...]', 'positional arguments, and key=value keyword arguments')
      .option('-c, --config-dir <dir>', 'directory holding the master config file', DEFAULT_CONFIG_DIR)
      .option('-l, --log-level <level>', 'console log level')
      .option(
        '-d, --doc',
        'return the documentation for the specified module or for all modules if none are specified (also --documentation)',
      )
      .version(process.env['npm_package_version'] ?? '0.1.0', '-V, --version')
      .allowExcessArguments(true),
  );
}

/** tsalt-run: runs the runner in this process with the master's config, as salt-run does. */
export async function runnerMain(argv: string[]): Promise<number> {
  const doc = wantsDoc(argv);
  const program = runProgram(doc);
  program.parse(docFlag(argv));
  const f = program.opts<RunFlags>();
  const [fun, rest] = program.processedArgs as [string, string[]];
  const opts = loadMasterOpts(f.configDir, f.logLevel ? { log_level: f.logLevel } : {});
  const log = createLogger({ level: opts.log_level, name: 'runner' });
  const returners = new Registry({ kind: 'returner', opts, log }, returnerPlugins());
  const jobCache = jobCacheFrom(returners, opts.master_job_cache);
  const fire = async (tag: string, data: Record<string, unknown>): Promise<void> => {
    if (!fs.existsSync(busAddresses(opts.sock_dir).pull.slice('ipc://'.length))) return;
    // Confirmed, as tsalt-key does: tsalt-run exits within milliseconds of firing, and what an
    // unconfirmed PUSH still holds then is lost (2 to 7 of 30 runs lost salt/run/<jid>/new or /ret).
    await fireMasterEvent(opts.sock_dir, tag, data, 1000, { confirm: true }).catch(() => undefined);
  };
  if (!doc && fun.startsWith('wheel.')) return wheelMain(opts, log, fun, rest ?? [], f, fire);
  // No socket opens until a runner publishes (jobs.active, manage.*), so jobs.lookup_jid stays quick.
  const local = new LocalClient(opts);
  const services = {
    jobCache,
    jobCacheFor: (name: string) => jobCacheFrom(returners, name),
    local,
    events: eventService(opts, log),
    print: printLine,
    keys: new KeyStore(opts.pki_dir, opts.hash_type),
    fileserver: new FileServer({ file_roots: opts.file_roots, hash_type: opts.hash_type }),
    // Read from disk now; the running master follows what cache.clear_* writes (it watches the folder).
    ...(opts.minion_data_cache || opts.enforce_mine_cache
      ? {
          minionData: new MinionDataCache({
            cachedir: opts.cachedir,
            log,
            enabled: opts.minion_data_cache,
            mine: opts.minion_data_cache || opts.enforce_mine_cache,
          }),
        }
      : {}),
  };
  const runners = new Registry({ kind: 'runner', opts, log, services, fireEvent: fire }, runnerPlugins());
  if (doc) {
    local.close();
    // salt-run's print_docs: `fun:` then its text, sorted; nothing runs and no event fires.
    const docs = runners.doc(fun);
    for (const name of Object.keys(docs).sort()) process.stdout.write(`${name}:\n${docs[name]}\n`);
    return EXIT.OK;
  }
  const arg = parseCliArgs(rest ?? []);
  const { args, kwargs } = splitPublishArgs(arg);
  const jid = genJid(opts);
  const user = os.userInfo().username;
  await fire(`salt/run/${jid}/new`, { fun: `runner.${fun}`, fun_args: rest ?? [], jid, user });
  if (f.outputFile) fs.writeFileSync(f.outputFile, '');
  let result;
  try {
    result = await runners.call(fun, args, kwargs, { jid });
  } catch (err) {
    const exit = runnerExit(fun, err);
    await fire(`salt/run/${jid}/ret`, {
      fun: `runner.${fun}`,
      fun_args: rest ?? [],
      jid,
      user,
      return: exit.message,
      success: false,
    });
    throw exit;
  } finally {
    local.close();
  }
  await fire(`salt/run/${jid}/ret`, {
    fun: `runner.${fun}`,
    fun_args: rest ?? [],
    jid,
    user,
    return: result.return,
    success: true,
  });
  let data = result.return;
  let outputter = f.out ?? result.outputter ?? 'nested';
  // lookup_jid hands back {outputter, data} so a job's own outputter re-renders it.
  if (isRecord(data) && typeof data['outputter'] === 'string' && 'data' in data && Object.keys(data).length === 2) {
    outputter = f.out ?? data['outputter'];
    data = data['data'];
  }
  // jobs.lookup_jid of a state run prints with highstate, shaped by the master's state_output keys.
  printOut(data, outputter, f, result.retcode, highstateOptions(opts, f, arg));
  return result.retcode === 0 ? EXIT.OK : EXIT.GENERIC;
}

/** One line for people, written at once (state.event prints as events arrive). */
function printLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** `services.events` for runners that watch the bus: a listener opens only when one asks. */
function eventService(
  opts: MasterConfig,
  log: Logger,
): { listen(prefixes: string[], sockDir?: string): Promise<EventListener> } {
  return {
    async listen(prefixes, sockDir) {
      const listener = new EventListener({ sockDir: sockDir ?? opts.sock_dir, prefixes, log });
      try {
        await listener.ready(5000);
      } catch (err) {
        listener.close();
        throw err;
      }
      return listener;
    },
  };
}

/**
 * `tsalt-run wheel.<mod>.<fun>`: tsalt's way to a wheel function from the
 * shell (Salt reaches the wheel through salt-api or its Python WheelClient).
 * Fires salt/wheel/<jid>/new and /ret as the master's ClearFuncs.wheel does.
 */
async function wheelMain(
  opts: MasterConfig,
  log: Logger,
  fun: string,
  rest: string[],
  f: RunFlags,
  fire: (tag: string, data: Record<string, unknown>) => Promise<void>,
): Promise<number> {
  const keys = new KeyStore(opts.pki_dir, opts.hash_type);
  const wheel = new Registry({ kind: 'wheel', opts, log, services: { keys }, fireEvent: fire }, wheelPlugins());
  const { args, kwargs } = splitPublishArgs(parseCliArgs(rest));
  if (f.outputFile) fs.writeFileSync(f.outputFile, '');
  const r = await runWheel(wheel, fun, kwargs, { fire, user: os.userInfo().username, args });
  if (!r.data.success) throw new CliExit(EXIT.GENERIC, String(r.data.return));
  printOut(r.data.return, f.out ?? 'nested', f);
  return EXIT.OK;
}

/** Input errors a runner reports about its arguments: Salt's "Passed invalid arguments". */
const BAD_INPUT_CODES = new Set(['BAD_JID', 'BAD_DATE', 'BAD_TARGET']);

/** A runner failure as one line and an exit code. */
function runnerExit(fun: string, err: unknown): CliExit {
  if (err instanceof FunctionNotAvailableError) return new CliExit(EXIT.GENERIC, `'${fun}' is not available.`);
  if (err instanceof InvalidArgumentsError) {
    const text = err.kind === 'kwargs' ? err.reason : `Passed invalid arguments: ${err.reason}\n\nUsage:\n${err.usage}`;
    return new CliExit(EXIT.USAGE, text);
  }
  const client = clientExit(err);
  if (client) return client;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && BAD_INPUT_CODES.has(code))
    return new CliExit(EXIT.GENERIC, `Passed invalid arguments: ${errorLine(err)}`);
  return new CliExit(EXIT.GENERIC, `Exception occurred in runner ${fun}: ${errorLine(err)}`);
}
