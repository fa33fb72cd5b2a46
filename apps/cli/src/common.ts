import fs from 'node:fs';
import type { Command } from 'commander';
import { type CommanderError } from 'commander';
import { errorLine, TsaltError } from '@tsalt/core';
import { loadConfig, type MasterConfig, type MinionConfig } from '@tsalt/config';
import { HIGHSTATE_KEYS, renderOutput, type HighstateOptions } from '@tsalt/output';

/** Salt's exit codes: EX_GENERIC for minion failures, 2 for usage, auth and "no return". */
export const EXIT = { OK: 0, GENERIC: 1, USAGE: 2, NO_RETURN: 2, AUTH: 2 } as const;

/** A CLI failure: one line on stderr and an exit code. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Makes commander exit with Salt's usage code 2 rather than 1. */
export function salty(cmd: Command): Command {
  return cmd.exitOverride((err: CommanderError) => {
    process.exit(err.exitCode === 0 ? 0 : EXIT.USAGE);
  });
}

export function loadMasterOpts(dir: string, overrides: Record<string, unknown> = {}): MasterConfig {
  try {
    return loadConfig('master', dir, overrides);
  } catch (err) {
    throw new CliExit(EXIT.USAGE, errorLine(err));
  }
}

export function loadMinionOpts(dir: string, overrides: Record<string, unknown> = {}): MinionConfig {
  try {
    return loadConfig('minion', dir, overrides);
  } catch (err) {
    throw new CliExit(EXIT.USAGE, errorLine(err));
  }
}

const TIMEOUT_TEXT =
  'Salt request timed out. The master is not responding. You may need to run your command with `--async` in order to bypass the congested event bus. With `--async`, the CLI tool will print the job id (jid) and exit immediately without listening for responses. You can then use `tsalt-run jobs.lookup_jid` to look up the results of the job in the job cache later.';

/**
 * A @tsalt/client failure as Salt's CLI reports it: one line and an exit
 * code. Undefined for errors that are not the client's.
 */
export function clientExit(err: unknown): CliExit | undefined {
  const code = err instanceof TsaltError ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ROOT_KEY_UNREADABLE':
    case 'AUTH_FAILED':
      return new CliExit(EXIT.AUTH, message);
    case 'MASTER_TIMEOUT':
      return new CliExit(EXIT.NO_RETURN, TIMEOUT_TEXT);
    case 'PUBLISH_REFUSED':
      return new CliExit(EXIT.USAGE, `ERROR: ${message}`);
    case 'BUS_UNAVAILABLE':
    case 'BAD_REPLY':
    case 'CLIENT_CLOSED':
      return new CliExit(EXIT.GENERIC, message);
    default:
      return undefined;
  }
}

/** Output flags; commander names `--out-file, --output-file` after the last long flag. */
export interface OutFlags {
  out?: string;
  outputIndent?: string;
  outputFile?: string;
  color?: boolean;
  forceColor?: boolean;
  /** `--state-output`: the highstate outputter's state_output. */
  stateOutput?: string;
  /** `--state-verbose True|False`. */
  stateVerbose?: string;
  /** `--output-diff` (tsalt and tsalt-call). */
  outputDiff?: boolean;
}

/** The output flags every command shares (Salt's `--out` family). */
export function withOutputOptions(cmd: Command): Command {
  return cmd
    .option('--out <outputter>', 'nested, highstate, json, yaml, raw or txt')
    .option('--out-indent, --output-indent <n>', 'indent for the json outputter; negative for one line')
    .option('--out-file, --output-file <file>', 'write the output to this file')
    .option('--no-color', 'never colour the output')
    .option('--force-color', 'colour the output even when not a terminal')
    .option(
      '--state_output, --state-output <mode>',
      "override the configured state_output for minion output: 'full', 'terse', 'mixed', 'changes' or 'filter'",
    )
    .option('--state_verbose, --state-verbose <bool>', 'override the configured state_verbose: True or False');
}

/**
 * The highstate outputter's settings: the config's keys, then Salt's
 * command-line overrides, then (for state_output: filter) the command's own
 * `exclude=` / `terse=` arguments, which Salt's outputter reads from `arg`.
 */
export function highstateOptions(
  opts: Record<string, unknown>,
  f: OutFlags,
  cliArgs: readonly unknown[] = [],
): HighstateOptions {
  const hs: Record<string, unknown> = {};
  for (const k of HIGHSTATE_KEYS) if (opts[k] !== undefined) hs[k] = opts[k];
  if (f.stateOutput !== undefined) hs['state_output'] = f.stateOutput;
  // Salt turns only these four spellings into booleans; any other text stays a (true) string.
  if (f.stateVerbose !== undefined) hs['state_verbose'] = !['False', 'false'].includes(f.stateVerbose);
  if (f.outputDiff) hs['state_output_diff'] = true;
  const kw = cliArgs.find(
    (a): a is Record<string, unknown> =>
      typeof a === 'object' && a !== null && (a as Record<string, unknown>)['__kwarg__'] === true,
  );
  if (kw && 'exclude' in kw) hs['state_output_exclude'] = kw['exclude'];
  if (kw && 'terse' in kw) hs['state_output_terse'] = kw['terse'];
  return hs;
}

/** Colour only on a TTY, unless forced; never into a file. */
export function useColor(f: OutFlags): boolean {
  if (f.color === false || f.outputFile) return false;
  if (f.forceColor) return true;
  return process.stdout.isTTY === true && !process.env['NO_COLOR'];
}

/**
 * Prints through an outputter, to stdout or appended to `--out-file`.
 * Nothing at all when the outputter printed nothing (Salt's display_output).
 */
export function printOut(data: unknown, outputter: string, f: OutFlags, retcode = 0, hs: HighstateOptions = {}): void {
  const indent = f.outputIndent === undefined ? undefined : Number(f.outputIndent);
  const text = renderOutput(outputter, data, {
    ...hs,
    color: useColor(f),
    retcode,
    ...(indent !== undefined && !Number.isNaN(indent) ? { indent } : {}),
  });
  if (text === '') return;
  if (f.outputFile) fs.appendFileSync(f.outputFile, text + '\n');
  else process.stdout.write(text + '\n');
}

/**
 * Exits once stdout and stderr have taken everything written: a pipe takes
 * 64 KB at a time, and process.exit() with more queued would cut the output
 * short (`tsalt '*' test.ping | grep` on a thousand minions).
 */
export function exitAfterFlush(code: number): void {
  process.exitCode = code;
  let open = 2;
  // The callback runs once the write (and all before it) is flushed, or failed (EPIPE): either way, go.
  const done = (): void => {
    if (--open === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

/** Runs a CLI main: CliExit becomes its one line and code; anything else is exit 1 with one line. */
export function runMain(name: string, main: () => Promise<number>): void {
  main()
    .then((code) => exitAfterFlush(code))
    .catch((err: unknown) => {
      const exit = err instanceof CliExit ? err : clientExit(err);
      if (exit) {
        process.stderr.write(`${exit.message}\n`);
        exitAfterFlush(exit.exitCode);
        return;
      }
      process.stderr.write(`${name}: ${errorLine(err)}\n`);
      if (process.env['TSALT_DEBUG']) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
      exitAfterFlush(EXIT.GENERIC);
    });
}
