import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pyTruthy, type BoundArgs } from '@tsalt/loader';
import type { ModuleContext as PluginContext } from './context.js';
import { ModuleError } from './errors.js';
import { fnmatch, pyStr } from '@tsalt/core';
import type { ProcessSpec } from './run-process.js';
import { pyRepr, pyStrCommand, shlexSplit } from './shlex.js';
import { lookupGroupId, lookupUser } from './user-lookup.js';
import { isExecutableFile, which } from './which.js';

/** Defaults of the cmd.* parameters, as in Salt's cmdmod signatures. */
export const CMD_DEFAULTS: Readonly<Record<string, unknown>> = {
  cwd: null,
  stdin: null,
  runas: null,
  group: null,
  shell: '/bin/sh',
  python_shell: null,
  env: null,
  clean_env: false,
  template: null,
  rstrip: true,
  umask: null,
  output_encoding: null,
  output_loglevel: 'debug',
  log_callback: null,
  hide_output: false,
  timeout: null,
  reset_system_locale: true,
  ignore_retcode: false,
  saltenv: null,
  use_vt: false,
  bg: false,
  password: null,
  encoded_cmd: false,
  raise_err: false,
  redirect_stderr: false,
  prepend_path: null,
  success_retcodes: null,
  success_stdout: null,
  success_stderr: null,
};

/** `['cmd', {name: 'cwd', default: null}, ...]` for a Salt parameter order. */
export function cmdParams(order: string): (string | { name: string; default: unknown })[] {
  return [
    'cmd',
    ...order
      .split(/\s+/)
      .filter(Boolean)
      .map((name) => ({ name, default: CMD_DEFAULTS[name] ?? null })),
  ];
}

/** Everything a cmd.* call decided before spawning. */
export interface PreparedCommand {
  spec: Omit<ProcessSpec, 'mergeStderr'>;
  /** Salt's `self.command` in the timeout text: argv list, or the shell string. */
  display: string | string[];
  /** First word only: commands can carry secrets, so only this is logged. */
  logName: string;
  quiet: boolean;
  rstrip: boolean;
  hideOutput: boolean;
  ignoreRetcode: boolean;
  background: boolean;
  timeoutText: string;
  successRetcodes: number[];
  successStdout: string[];
  successStderr: string[];
}

/** Salt runs commands with a C locale so tools print English it can parse. */
const LOCALE_VARS = [
  'LC_CTYPE',
  'LC_NUMERIC',
  'LC_TIME',
  'LC_COLLATE',
  'LC_MONETARY',
  'LC_MESSAGES',
  'LC_PAPER',
  'LC_NAME',
  'LC_ADDRESS',
  'LC_TELEPHONE',
  'LC_MEASUREMENT',
  'LC_IDENTIFICATION',
  'LANGUAGE',
];

/** The search path exec uses when the environment has no PATH (as Node and Python do). */
const DEFAULT_EXEC_PATH = '/usr/bin:/bin';

function arg(a: BoundArgs, name: string): unknown {
  return a[name] ?? CMD_DEFAULTS[name] ?? null;
}

/** Salt's `split_input`: a list, or a comma-separated string. */
function splitInput(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.map(pyStr);
  return pyStr(v)
    .split(',')
    .map((s) => s.trim());
}

/** Python's `str()` for an env value: `True`, `1`, or JSON for containers. */
function envStr(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : pyStr(v);
}

/** Salt's `_parse_env`: a dict (or list of dicts) of strings; anything else is ignored. */
function parseEnv(ctx: PluginContext, v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const dicts = Array.isArray(v) ? v : [v];
  for (const d of dicts) {
    if (typeof d !== 'object' || d === null || Array.isArray(d)) continue;
    for (const [k, val] of Object.entries(d as Record<string, unknown>)) {
      if (val === null || val === undefined) {
        // The key only: values may be secrets.
        ctx.log.error({ key: k }, 'Environment variable passed without a value. Setting value to an empty string');
      }
      out[k] = envStr(val);
    }
  }
  return out;
}

function parseUmask(v: unknown): number | undefined {
  if (v === null || v === undefined || v === false) return undefined;
  const text = pyStr(v).replace(/^0+/, '');
  if (text === '') throw new ModuleError('INVALID_ARGUMENT', 'Zero umask is not allowed.');
  if (!/^[0-7]+$/.test(text)) throw new ModuleError('INVALID_ARGUMENT', `Invalid umask: '${pyStr(v)}'`);
  return parseInt(text, 8);
}

/** Salt's `_check_avail`: `cmd_blacklist_glob` / `cmd_whitelist_glob` from the minion config. */
function checkAllowed(ctx: PluginContext, cmd: string): void {
  const black = ctx.opts.cmd_blacklist_glob ?? [];
  const white = ctx.opts.cmd_whitelist_glob ?? [];
  const blocked = black.some((g) => fnmatch(cmd, g)) || (white.length > 0 && !white.some((g) => fnmatch(cmd, g)));
  if (blocked) throw new ModuleError('CMD_NOT_PERMITTED', `The shell command "${cmd}" is not permitted`);
}

/**
 * Salt's `_python_shell_default`: a call straight from the CLI (`tsalt`,
 * `tsalt-call`: it carries `__pub_jid`) goes through the shell unless told
 * otherwise; a cross-call from another module or a state has no `__pub_jid`
 * and runs without one, unless `cmd_safe: False`.
 */
export function pythonShellDefault(ctx: PluginContext, explicit: unknown, fromCli: boolean): boolean {
  if (explicit !== null && explicit !== undefined) return pyTruthy(explicit);
  return fromCli || ctx.opts.cmd_safe === false;
}

function parseTimeout(v: unknown): { ms: number | null; text: string } {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return { ms: null, text: '' };
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ModuleError('INVALID_ARGUMENT', `Error: timeout ${pyStr(v)} must be a number`);
  }
  return { ms: Math.max(0, v * 1000), text: pyStr(v) };
}

/**
 * Turns the bound arguments of any cmd.* function into a ready-to-spawn
 * spec, applying Salt's `_run` rules in its order: runas/group lookup, cwd
 * default (the user's home, or `/` when unreadable), env merge, C locale,
 * PATH prefix, umask, cwd check, argv split.
 */
export function prepareCommand(ctx: PluginContext, a: BoundArgs, forcePythonShell?: boolean): PreparedCommand {
  const kwargs = (a['__kwargs__'] ?? {}) as Record<string, unknown>;
  // Salt's test: the publish metadata reaches only the CLI's own call.
  const fromCli = pyTruthy(kwargs['__pub_jid']);
  const raw = a['cmd'];
  if (raw === null || raw === undefined || raw === '') throw new ModuleError('INVALID_ARGUMENT', 'No command given');
  const cmd: string | string[] = Array.isArray(raw) ? raw.map(pyStr) : pyStr(raw);
  const cmdText = typeof cmd === 'string' ? cmd : cmd.join(' ');
  if (arg(a, 'template'))
    throw new ModuleError('UNSUPPORTED', 'template rendering is not supported by the tsalt cmd module');
  const shell = String(arg(a, 'shell'));
  if (!isExecutableFile(shell)) throw new ModuleError('SHELL_UNAVAILABLE', `The shell ${shell} is not available`);
  checkAllowed(ctx, cmdText);

  const runasRaw = arg(a, 'runas') ?? ctx.context['runas'];
  const runas = runasRaw === null || runasRaw === undefined || runasRaw === '' ? null : pyStr(runasRaw);
  const myUid = process.getuid?.() ?? 0;
  const user = runas === null ? null : lookupUser(runas);
  if (runas !== null && !user) throw new ModuleError('RUNAS_FAILED', `User '${runas}' is not available`);
  if (user && myUid !== 0 && user.uid !== myUid) {
    throw new ModuleError(
      'RUNAS_FAILED',
      `Cannot run as user '${runas}': only a minion running as root can switch users`,
    );
  }
  const groupRaw = arg(a, 'group');
  let gid: number | undefined = user?.gid;
  if (groupRaw !== null && groupRaw !== '') {
    const g = lookupGroupId(pyStr(groupRaw));
    if (g === null) throw new ModuleError('RUNAS_FAILED', `Group '${pyStr(groupRaw)}' is not available`);
    if (myUid !== 0 && g !== process.getgid?.()) {
      throw new ModuleError(
        'RUNAS_FAILED',
        `Cannot run in group '${pyStr(groupRaw)}': only a minion running as root can switch groups`,
      );
    }
    gid = g;
  }

  let cwd: string;
  const cwdRaw = arg(a, 'cwd');
  if (cwdRaw === null || cwdRaw === '') {
    cwd = user ? user.home : os.homedir();
    try {
      fs.accessSync(cwd, fs.constants.R_OK);
    } catch {
      cwd = '/';
    }
  } else cwd = pyStr(cwdRaw);

  const env: Record<string, string> = user ? { HOME: user.home, USER: user.name, LOGNAME: user.name } : {};
  Object.assign(env, parseEnv(ctx, arg(a, 'env')));
  if (pyTruthy(arg(a, 'reset_system_locale'))) for (const k of LOCALE_VARS) env[k] ??= 'C';
  const runEnv: Record<string, string> = {};
  if (!pyTruthy(arg(a, 'clean_env'))) {
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) runEnv[k] = v;
  }
  Object.assign(runEnv, env);
  const prepend = arg(a, 'prepend_path');
  if (prepend) runEnv['PATH'] = `${pyStr(prepend)}:${runEnv['PATH'] ?? ''}`;
  // systemd's readiness socket belongs to the minion, not to its children.
  if (!('NOTIFY_SOCKET' in env)) delete runEnv['NOTIFY_SOCKET'];

  const umask = parseUmask(arg(a, 'umask'));
  if (!path.isAbsolute(cwd) || !fs.existsSync(cwd) || !fs.statSync(cwd).isDirectory()) {
    throw new ModuleError('CWD_INVALID', `Specified cwd '${cwd}' either not absolute or does not exist`);
  }

  const pythonShell = forcePythonShell ?? pythonShellDefault(ctx, a['python_shell'], fromCli);
  const argv = pythonShell ? [shell, '-c', cmdText] : typeof cmd === 'string' ? shlexSplit(cmd) : [...cmd];
  const first = argv[0];
  if (first === undefined || first === '') throw new ModuleError('CMD_SPAWN_FAILED', 'Unable to run an empty command');
  const display = pythonShell ? cmdText : [...argv];
  if (!pythonShell) {
    // Resolved here, on the child's PATH (exec's default when it has none),
    // so a missing program is an error as in Salt, not a shell's exit 127.
    const resolved = which(first, runEnv['PATH'] ?? DEFAULT_EXEC_PATH);
    if (!resolved) {
      throw new ModuleError(
        'CMD_SPAWN_FAILED',
        `Unable to run command '${pyStrCommand(argv)}', reason: [Errno 2] No such file or directory: ${pyRepr(first)}`,
      );
    }
    argv[0] = resolved;
  }

  const stdinRaw = arg(a, 'stdin');
  let stdin = stdinRaw === null ? null : pyStr(stdinRaw);
  // Salt turns a typed `\n` from the CLI into a newline unless told not to.
  if (stdin !== null && !pyTruthy(kwargs['stdin_raw_newlines'])) stdin = stdin.replace(/\\n/g, '\n');

  const successRetcodes =
    arg(a, 'success_retcodes') === null ? [0] : splitInput(arg(a, 'success_retcodes')).map(Number);
  if (successRetcodes.some((n) => !Number.isInteger(n))) {
    throw new ModuleError('INVALID_ARGUMENT', 'success_retcodes must be a list of integers');
  }
  const enc = arg(a, 'output_encoding');
  const encoding: BufferEncoding = typeof enc === 'string' && Buffer.isEncoding(enc) ? enc : 'utf8';
  const timeout = parseTimeout(arg(a, 'timeout'));
  const background = pyTruthy(arg(a, 'bg'));

  const spec: Omit<ProcessSpec, 'mergeStderr'> = { argv, cwd, env: runEnv, stdin, timeoutMs: timeout.ms, encoding };
  if (user && myUid === 0) spec.uid = user.uid;
  if (gid !== undefined && myUid === 0) spec.gid = gid;
  if (umask !== undefined) spec.umask = umask;
  if (ctx.jid !== undefined) spec.jid = ctx.jid;

  const quiet = arg(a, 'output_loglevel') === 'quiet';
  const logName = typeof cmd === 'string' ? (cmd.trim().split(/\s+/)[0] ?? '') : (cmd[0] ?? '');
  if (!quiet)
    ctx.log.info(
      { cmd: logName, runas: runas ?? undefined, cwd },
      `Executing command '${logName}' in directory '${cwd}'`,
    );

  return {
    spec,
    display,
    logName,
    quiet,
    rstrip: pyTruthy(arg(a, 'rstrip')),
    hideOutput: pyTruthy(arg(a, 'hide_output')),
    // A background command has no exit code to report (Salt forces this too).
    ignoreRetcode: background || pyTruthy(arg(a, 'ignore_retcode')),
    background,
    timeoutText: timeout.text,
    successRetcodes,
    successStdout: splitInput(arg(a, 'success_stdout')),
    successStderr: splitInput(arg(a, 'success_stderr')),
  };
}
