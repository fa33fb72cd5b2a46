import { Command } from 'commander';
import { DEFAULT_CONFIG_DIR, type MasterConfig } from '@tsalt/config';
import { parseCliArgs } from '@tsalt/loader';
import { resolveNodegroups, validateTarget } from '@tsalt/targeting';
import { errorLine, isRecord } from '@tsalt/core';
import {
  withOutputOptions,
  CliExit,
  EXIT,
  highstateOptions,
  loadMasterOpts,
  printOut,
  salty,
  type OutFlags,
} from './common.js';
import type { HighstateOptions } from '@tsalt/output';
import { LocalClient, type NoReturnReason } from '@tsalt/client';
import { returnerPlugins } from '@tsalt/returners';
import { previewTarget } from './preview-target.js';
import { runBatchCli } from './salt-batch.js';
import { docArgs, docFlag, printDocs, wantsDoc } from './salt-doc.js';

interface SaltFlags extends OutFlags {
  configDir: string;
  logLevel?: string;
  pcre?: boolean;
  list?: boolean;
  grain?: boolean;
  grainPcre?: boolean;
  pillarPcre?: boolean;
  compound?: boolean;
  nodegroup?: boolean;
  pillar?: boolean;
  ipcidr?: boolean;
  timeout?: string;
  verbose?: boolean;
  async?: boolean;
  showJid?: boolean;
  static?: boolean;
  summary?: boolean;
  return?: string;
  // commander keeps underscores: `--return_config` is `return_config`, not camelCase.
  return_config?: string;
  return_kwargs?: string;
  delimiter?: string;
  batch?: string;
  batchSize?: string;
  batchWait?: string;
  batchSafeLimit?: string;
  batchSafeSize?: string;
  failhard?: boolean;
}

const HINT = (jid: string): string =>
  `The minions may not have all finished running and any remaining minions will return upon completion. To look up the return data for this job later, run the following command:\n\ntsalt-run jobs.lookup_jid ${jid}`;

function tgtType(f: SaltFlags): string {
  if (f.pcre) return 'pcre';
  if (f.list) return 'list';
  if (f.grain) return 'grain';
  if (f.grainPcre) return 'grain_pcre';
  if (f.pillarPcre) return 'pillar_pcre';
  if (f.compound) return 'compound';
  if (f.nodegroup) return 'nodegroup';
  if (f.pillar) return 'pillar';
  if (f.ipcidr) return 'ipcidr';
  return 'glob';
}

/** The command line; with `-d` (docs) the target and function may be left out, as Salt's parser allows. */
export function saltProgram(doc = false): Command {
  return withOutputOptions(
    salty(new Command('tsalt'))
      .description('Publish a command to minions and print their returns.')
      .usage("[options] '<target>' <function> [arguments]")
      .argument(doc ? '[target]' : '<target>', 'which minions (a glob by default)')
      .argument(doc ? '[function]' : '<function>', 'the execution function, e.g. test.ping')
      .argument('[arguments...]', 'positional arguments, and key=value keyword arguments')
      .option('-c, --config-dir <dir>', 'directory holding the master config file', DEFAULT_CONFIG_DIR)
      .option('-l, --log-level <level>', 'console log level')
      .option('-E, --pcre', 'the target is a regular expression on the minion id')
      .option('-L, --list', 'the target is a comma-separated list of minion ids')
      .option('-G, --grain', 'the target is a grain glob, key:value')
      .option('-P, --grain-pcre', 'the target is a grain regular expression, key:regex')
      .option('-C, --compound', 'the target is a compound expression')
      .option('-N, --nodegroup', 'the target is a nodegroup name')
      .option('-I, --pillar', 'the target is a pillar glob, key:value')
      .option('-J, --pillar-pcre', 'the target is a pillar regular expression, key:regex')
      .option('-S, --ipcidr', 'the target is an IP address or CIDR network')
      .option('--delimiter <char>', 'delimiter for grain and pillar targets', ':')
      .option('-t, --timeout <seconds>', 'seconds to wait for the minions to return')
      .option('-v, --verbose', 'print the jid and what is happening while waiting')
      .option('--async', 'publish and print the jid without waiting')
      .option('--show-jid', 'print the jid')
      .option('--static', 'print all returns at once, as one document')
      .option('--summary', 'print a summary of the returns')
      .option('--return <returners>', 'returners the minions also send their results to (comma list)')
      .option('--return_config <prefix>', 'alternative config prefix for the returners')
      .option('--return_kwargs <json>', 'returner settings as a JSON dict')
      .option('--output-diff', 'report only those states that have changed')
      .option(
        '-b, --batch <size>',
        'Execute the salt job in batch mode, pass either the number of minions to batch at a time, or the percentage of minions to have running.',
      )
      .option('--batch-size <size>', 'the same as --batch')
      .option(
        '--batch-wait <seconds>',
        'Wait the specified time in seconds after each job is done before freeing the slot in the batch for the next one.',
      )
      .option(
        '--batch-safe-limit <n>',
        'Execute the salt job in batch mode if the job would have executed on at least this many minions.',
      )
      .option('--batch-safe-size <size>', 'Batch size to use for batch jobs created by batch-safe-limit.', '8')
      .option('--failhard', 'Stop batch execution upon first "bad" return.')
      .option(
        '-d, --doc',
        'return the documentation for the specified module or for all modules if none are specified (also --documentation)',
      )
      .version(process.env['npm_package_version'] ?? '0.1.0', '-V, --version')
      .allowExcessArguments(true),
  );
}

/** tsalt: returns Salt's exit code. */
export async function saltMain(argv: string[]): Promise<number> {
  const doc = wantsDoc(argv);
  const program = saltProgram(doc);
  program.parse(docFlag(argv));
  const f = program.opts<SaltFlags>();
  const given = program.processedArgs as [string | undefined, string | undefined, string[]];
  let [target, fun, rest] = given as [string, string, string[]];
  if (doc) ({ target, fun, rest } = docArgs([given[0], given[1], ...given[2]].filter((a) => a !== undefined)));
  const opts = loadMasterOpts(f.configDir, f.logLevel ? { log_level: f.logLevel } : {});
  const type = tgtType(f);
  const tgt: string | string[] =
    type === 'list'
      ? target
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : target;
  const delimiter = f.delimiter || ':';
  try {
    // The master resolves nodegroups too; resolving here says at once which group is unknown.
    const nodegroups = isRecord(opts.nodegroups) ? (opts.nodegroups as Record<string, string | string[]>) : {};
    const resolved = resolveNodegroups(tgt, type, nodegroups, opts.conf_file || undefined);
    validateTarget(resolved.tgt as string | string[], resolved.tgtType, { delimiter });
  } catch (err) {
    throw new CliExit(EXIT.USAGE, `ERROR: ${errorLine(err)}`);
  }
  if (f.outputFile) (await import('node:fs')).writeFileSync(f.outputFile, '');
  const timeoutS = f.timeout !== undefined ? Number(f.timeout) : opts.timeout;
  if (!Number.isFinite(timeoutS) || timeoutS < 0)
    throw new CliExit(EXIT.USAGE, `ERROR: invalid timeout '${f.timeout}'`);
  const kwargs: Record<string, unknown> = {};
  if (f.return_config) kwargs['ret_config'] = f.return_config;
  if (f.return_kwargs) {
    try {
      kwargs['ret_kwargs'] = JSON.parse(f.return_kwargs);
    } catch {
      throw new CliExit(EXIT.USAGE, `ERROR: --return_kwargs is not valid JSON: ${f.return_kwargs}`);
    }
  }
  if (f.delimiter && f.delimiter !== ':') kwargs['delimiter'] = f.delimiter;
  if (f.return) warnUnknownReturners(f.return);

  const arg = parseCliArgs(rest ?? []);
  const hs = highstateOptions(opts, f, arg);
  const client = new LocalClient(opts);
  try {
    const spec = batchSpec(f, opts, tgt, type, delimiter);
    if (spec !== undefined) {
      return await runBatchCli({
        client,
        tgt,
        tgtType: type,
        fun,
        arg,
        spec,
        waitS: numberFlag(f.batchWait, '--batch-wait', 0),
        failhard: f.failhard === true,
        timeoutS,
        ret: f.return ?? '',
        kwargs,
        f,
        hs,
      });
    }
    const pub = await client.publish(tgt, fun, arg, {
      tgt_type: type,
      ret: f.return ?? '',
      kwargs,
      listen: !f.async,
    });
    if (!pub.jid) {
      // Salt prints this on stdout, then its CLI finds no return at all.
      process.stdout.write('No minions matched the target. No command was sent, no jid was assigned.\n');
      if (doc) throw new CliExit(EXIT.NO_RETURN, 'No minions found to gather docs from');
      process.stderr.write('ERROR: No return received\n');
      return EXIT.NO_RETURN;
    }
    if (f.async) {
      process.stdout.write(`Executed command with job ID: ${pub.jid}\n`);
      return EXIT.OK;
    }
    // Before the jid is shown: a Ctrl-C from then on must print it, not kill the CLI silently.
    installCtrlC(pub.jid, client);
    if (f.verbose)
      process.stdout.write(`Executing job with jid ${pub.jid}\n-------------------------------------------\n\n`);
    if (f.showJid) process.stdout.write(`jid: ${pub.jid}\n`);
    const expected = [...pub.minions, ...pub.missing];
    if (doc) return await printDocs(client, pub.jid, expected, pub.notConnected ?? [], timeoutS, f);
    return await gather(
      client,
      pub.jid,
      expected,
      pub.notConnected ?? [],
      timeoutS,
      f,
      opts.show_timeout !== false,
      hs,
    );
  } finally {
    client.close();
  }
}

/** A number flag, or a usage error naming it. */
function numberFlag(value: string | undefined, name: string, dflt: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new CliExit(EXIT.USAGE, `ERROR: ${name}: invalid number value: '${value}'`);
  return n;
}

/**
 * The batch size to run with, or undefined for a plain run: `-b` as given,
 * or, when the target matches at least `--batch-safe-limit` minions on the
 * master, `--batch-safe-size` (Salt's NOTICE says so first).
 */
function batchSpec(
  f: SaltFlags,
  opts: MasterConfig,
  tgt: string | string[],
  type: string,
  delimiter: string,
): string | undefined {
  const given = f.batch ?? f.batchSize;
  if (given) return given;
  const limit = numberFlag(f.batchSafeLimit, '--batch-safe-limit', 0);
  if (limit <= 1) return undefined;
  const nodegroups = isRecord(opts.nodegroups) ? (opts.nodegroups as Record<string, string | string[]>) : {};
  if (previewTarget(opts, tgt, type, nodegroups, delimiter).length < limit) return undefined;
  process.stdout.write('\nNOTICE: Too many minions targeted, switching to batch execution.\n');
  return f.batchSafeSize ?? '8';
}

/**
 * A returner name tsalt does not ship: say so once, then publish anyway
 * (each minion logs it and skips it; the job and its return are unaffected).
 */
function warnUnknownReturners(list: string): void {
  const known = new Set(returnerPlugins().map((p) => p.name));
  for (const name of new Set(
    list
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  )) {
    if (!known.has(name))
      process.stderr.write(`WARNING: Returner '${name}' is not available; the minions will skip it.\n`);
  }
}

/** Salt's SIGINT handler: the job goes on; only the wait stops. */
function installCtrlC(jid: string, client: LocalClient): void {
  process.once('SIGINT', () => {
    process.stderr.write(`\nExiting gracefully on Ctrl-c\nThis job's jid is: ${jid}\n${HINT(jid)}\n`);
    client.close();
    process.exit(EXIT.GENERIC);
  });
}

/**
 * Prints returns as they come (or all at once with --static), then the
 * minions given up on, as Salt's CLI does after its find_job checks.
 */
async function gather(
  client: LocalClient,
  jid: string,
  expected: string[],
  notConnected: string[],
  timeoutS: number,
  f: SaltFlags,
  showTimeout: boolean,
  hs: HighstateOptions,
): Promise<number> {
  // Salt's CLI: --out wins, else the outputter the minion's return names (`out`: highstate for state.*).
  const outName = (data: Record<string, unknown>): string =>
    f.out ?? (typeof data['out'] === 'string' ? data['out'] : 'nested');
  // --static prints everything at once with the outputter of the last return that named one, as Salt does.
  let staticOut: string | undefined;
  const collected: Record<string, unknown> = {};
  const returned = new Set<string>();
  const gaveUp = new Map<string, NoReturnReason>();
  let failed = 0;
  for await (const r of client.getCliReturns(jid, expected, { timeout: timeoutS, notConnected })) {
    if (r.kind === 'missing') {
      gaveUp.set(r.id, r.reason);
      continue;
    }
    returned.add(r.id);
    const rc = typeof r.data['retcode'] === 'number' ? r.data['retcode'] : 0;
    if (rc !== 0 || r.data['success'] === false) failed++;
    if (f.static) {
      collected[r.id] = r.data['return'];
      if (typeof r.data['out'] === 'string') staticOut = r.data['out'];
    } else printOut({ [r.id]: r.data['return'] }, outName(r.data), f, rc, hs);
  }
  const silent = expected.filter((m) => !returned.has(m)).sort();
  if (showTimeout) {
    for (const m of silent) {
      const reason = gaveUp.get(m) ?? 'No response';
      // Salt adds the lookup_jid hint only to [No response]: a minion not connected never got the job.
      const text =
        reason === 'Not connected'
          ? 'Minion did not return. [Not connected]'
          : `Minion did not return. [${reason}]\n${HINT(jid)}`;
      if (f.static) collected[m] = text;
      else printOut({ [m]: text }, f.out ?? 'nested', f, 1);
    }
  }
  if (f.static) printOut(collected, f.out ?? staticOut ?? 'nested', f, failed || silent.length ? 1 : 0, hs);
  if (f.summary) {
    process.stdout.write(
      `\n-------------------------------------------\nSummary\n-------------------------------------------\n` +
        `# of minions targeted: ${expected.length}\n# of minions returned: ${returned.size}\n` +
        `# of minions that did not return: ${silent.length}\n# of minions with errors: ${failed}\n` +
        (f.verbose ? verboseSummary(silent, gaveUp) : '') +
        `-------------------------------------------\n`,
    );
  }
  if (returned.size === 0 && expected.length > 0) {
    process.stderr.write('ERROR: No return received\n');
    return EXIT.NO_RETURN;
  }
  if (silent.length) return EXIT.NO_RETURN;
  if (failed) {
    process.stderr.write('ERROR: Minions returned with non-zero exit code\n');
    return EXIT.GENERIC;
  }
  return EXIT.OK;
}

/** Salt's `--summary -v` lines naming who did not return, by reason. */
function verboseSummary(silent: readonly string[], gaveUp: ReadonlyMap<string, NoReturnReason>): string {
  const offline = silent.filter((m) => gaveUp.get(m) === 'Not connected');
  const quiet = silent.filter((m) => gaveUp.get(m) !== 'Not connected');
  return (
    (offline.length ? `Minions not connected: ${offline.join(' ')}\n` : '') +
    (quiet.length ? `Minions not responding: ${quiet.join(' ')}\n` : '')
  );
}
