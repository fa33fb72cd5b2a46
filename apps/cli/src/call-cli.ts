import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { createLogger, type Logger } from '@tsalt/core';
import { DEFAULT_CONFIG_DIR, masterConfig, type MinionConfig } from '@tsalt/config';
import { connectMaster, masterRequestService, returnToMaster, runReturners, type CallerMaster } from './call-master.js';
import {
  Registry,
  CommandExecutionError,
  FunctionNotAvailableError,
  InvalidArgumentsError,
  SaltInvocationError,
  computeRetcode,
  parseCliArgs,
  splitPublishArgs,
} from '@tsalt/loader';
import { genJid } from '@tsalt/job';
import { loadGrains } from '@tsalt/grains';
import { PillarCompiler, pillarOptions } from '@tsalt/pillar';
import { executionModulePlugins, FileClient, LocalFileBackend } from '@tsalt/modules';
import { zmqVersion } from '@tsalt/transport';
import { returnerPlugins } from '@tsalt/returners';
import {
  withOutputOptions,
  CliExit,
  EXIT,
  highstateOptions,
  loadMinionOpts,
  printOut,
  salty,
  type OutFlags,
} from './common.js';

interface CallFlags extends OutFlags {
  configDir: string;
  logLevel?: string;
  local?: boolean;
  id?: string;
  retcodePassthrough?: boolean;
  fileRoot?: string;
  return?: string;
}

export function callProgram(): Command {
  return withOutputOptions(
    salty(new Command('tsalt-call'))
      .description('Run an execution function on this minion, in this process.')
      .usage('[options] <function> [arguments]')
      .argument('<function>', 'the execution function, e.g. test.ping')
      .argument('[arguments...]', 'positional arguments, and key=value keyword arguments')
      .option('-c, --config-dir <dir>', 'directory holding the minion config file', DEFAULT_CONFIG_DIR)
      .option('-l, --log-level <level>', 'console log level')
      .option('--local', 'run masterless: do not contact the master')
      .option('--id <id>', 'the minion id to use')
      .option('--retcode-passthrough', "exit with the function's retcode")
      .option('-r, --return <returner>', 'also send the return to these returners (comma separated), run here')
      .option('--file-root <dir>', 'set this directory as the base file root (file_roots: {base: [dir]})')
      .option('--output-diff', 'report only those states that have changed')
      .version(process.env['npm_package_version'] ?? '0.1.0', '-V, --version')
      .allowExcessArguments(true),
  );
}

/**
 * tsalt-call: the function runs here, and the result prints under `local:`.
 * Unless masterless, it first signs in to the master as the minion (its own
 * keys), gets its pillar and file client from there, and afterwards sends
 * the return up as Salt's jid `req` (call-master.ts).
 */
export async function callMain(argv: string[]): Promise<number> {
  const program = callProgram();
  program.parse(argv);
  const f = program.opts<CallFlags>();
  const [fun, rest] = program.processedArgs as [string, string[]];
  const overrides: Record<string, unknown> = {};
  if (f.logLevel) overrides['log_level'] = f.logLevel;
  if (f.id) overrides['id'] = f.id;
  if (f.fileRoot) overrides['file_roots'] = { base: [path.resolve(f.fileRoot)] };
  // Salt's masterless flag: grains.setval then writes the grains file without asking a daemon to refresh.
  // Salt's --local also means file_client: local (salt:// reads this host's file_roots).
  if (f.local) {
    overrides['local'] = true;
    overrides['file_client'] = 'local';
  }
  const opts = loadMinionOpts(f.configDir, overrides);
  const log = createLogger({ level: opts.log_level, name: 'call' });
  // The minion's grains as tsalt-minion computes them: core, then <config_dir>/grains, then `grains:`.
  const grains = loadGrains({
    id: opts.id,
    master: opts.master,
    configDir: opts.config_dir,
    configured: opts.grains ?? {},
    zmqversion: zmqVersion,
    log,
  });
  // Salt's SMinion: the master is signed in to unless file_client is local (and use_master_when_local is off).
  const master =
    opts.file_client !== 'local' || opts.use_master_when_local ? await connectMaster(opts, log) : undefined;
  try {
    return await callWith(f, fun, rest ?? [], opts, log, grains, master);
  } finally {
    master?.client.close();
  }
}

async function callWith(
  f: CallFlags,
  fun: string,
  rest: string[],
  opts: MinionConfig,
  log: Logger,
  grains: Record<string, unknown>,
  master: CallerMaster | undefined,
): Promise<number> {
  const fileClient =
    master?.fileClient ??
    (opts.file_client === 'local'
      ? new FileClient(new LocalFileBackend(opts.file_roots, opts.hash_type), { cachedir: opts.cachedir, log })
      : undefined);
  // Masterless, the pillar is compiled here from this host's pillar_roots, as salt-call --local does.
  const pillar = master
    ? master.data.pillar
    : f.local
      ? await new PillarCompiler(
          pillarOptions(
            masterConfig({
              pillar_roots: opts.pillar_roots,
              renderer: opts.renderer,
              state_top: opts.state_top,
              pillarenv: opts.pillarenv,
            }),
          ),
          log,
        ).compile({ id: opts.id, grains, saltenv: opts.saltenv, pillarenv: opts.pillarenv })
      : {};
  const registry = new Registry(
    {
      kind: 'module',
      opts,
      grains,
      pillar,
      log,
      services: {
        returnerNames: () => returnerPlugins().map((p) => p.name),
        ...(fileClient ? { fileClient } : {}),
        ...(master
          ? { minionEvents: master.client, minionData: master.data, masterRequest: masterRequestService(master.client) }
          : {}),
      },
    },
    executionModulePlugins(),
  );
  // Salt's salt-call passes its own jid as `__pub_jid` (a CLI call, as a
  // published job is): cmd.run then defaults to a shell, as from `salt`.
  const pub = { fun, jid: genJid({}), tgt: 'salt-call' };
  const arg = parseCliArgs(rest);
  const { args, kwargs } = splitPublishArgs(arg, pub);
  if (f.outputFile) fs.writeFileSync(f.outputFile, '');
  let ret: unknown;
  let retcode: number;
  let outputter = f.out;
  let funOut: string | undefined;
  try {
    const r = await registry.call(fun, args, kwargs);
    ret = r.return;
    retcode = computeRetcode(r.return, r.retcode);
    funOut = r.outputter;
    outputter ??= r.outputter;
  } catch (err) {
    if (err instanceof FunctionNotAvailableError) throw new CliExit(EXIT.GENERIC, err.message);
    if (err instanceof InvalidArgumentsError) {
      if (err.kind === 'kwargs') throw new CliExit(EXIT.GENERIC, err.reason);
      // salt-call: the reason on stderr, the function's doc on stdout.
      process.stderr.write(`\nPassed invalid arguments: ${err.reason}.\n\nUsage:\n`);
      process.stdout.write(`${err.usage}\n`);
      return EXIT.GENERIC;
    }
    // salt-call's words for a failed command (caller.py): a module's own failure, not a crash; stderr, exit 1.
    if (err instanceof CommandExecutionError || err instanceof SaltInvocationError)
      throw new CliExit(EXIT.GENERIC, `Error running '${fun}': ${err.message}`);
    throw err;
  }
  await afterCall(f, opts, log, grains, master, {
    jid: pub.jid,
    return: ret,
    retcode,
    fun,
    fun_args: rest,
    out: funOut,
  });
  printOut({ local: ret }, outputter ?? 'nested', f, retcode, highstateOptions(opts, f, arg));
  // salt-call exits 1 for any failed call, or with the retcode when asked to pass it through.
  if (f.retcodePassthrough) return retcode;
  return retcode === 0 ? EXIT.OK : EXIT.GENERIC;
}

/** Salt's caller after the call: `--return` returners here, then (not masterless) the return to the master as jid `req`. */
async function afterCall(
  f: CallFlags,
  opts: MinionConfig,
  log: Logger,
  grains: Record<string, unknown>,
  master: CallerMaster | undefined,
  done: { jid: string; return: unknown; retcode: number; fun: string; fun_args: string[]; out: string | undefined },
): Promise<void> {
  const ret: Record<string, unknown> = { jid: done.jid, return: done.return, retcode: done.retcode };
  if (done.out) ret['out'] = done.out;
  const isLocal = opts.local === true || opts.file_client === 'local' || opts.master_type === 'disable';
  const returners = (f.return ?? '').split(',').filter((r) => r !== '');
  if (!isLocal || returners.length > 0) Object.assign(ret, { id: opts.id, fun: done.fun, fun_args: done.fun_args });
  if (returners.length > 0) {
    ret['success'] = true;
    await runReturners(returners, ret, opts, grains, log);
  }
  const noReturnEvent = (opts as unknown as Record<string, unknown>)['no_return_event'] === true;
  if (!isLocal && master && !noReturnEvent) await returnToMaster(master.client, ret, log);
}
