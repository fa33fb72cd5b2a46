import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pyStr } from '@tsalt/core';
import type { BoundArgs, Param, PluginFunction } from '@tsalt/loader';
import type { MinionConfig } from '@tsalt/config';
import type { ModuleContext as PluginContext, ModuleServices } from './context.js';
import { CMD_DEFAULTS, cmdParams } from './cmd-prepare.js';
import { execute, type RunAllResult } from './cmd-execute.js';
import { ModuleError } from './errors.js';
import { lookupUser } from './user-lookup.js';
import { which } from './which.js';

/*
 * cmd.script, cmd.script_retcode, cmd.exec_code, cmd.exec_code_all and
 * cmd.which_bin: the cmd functions that first put a file on disk.
 */

const SCRIPT_ORDER = `cwd stdin runas group shell python_shell env template umask output_encoding output_loglevel
  log_callback hide_output timeout reset_system_locale saltenv use_vt bg password success_retcodes success_stdout
  success_stderr`;

function scriptParams(): Param[] {
  return ['source', { name: 'args', default: null }, ...cmdParams(SCRIPT_ORDER).slice(1)];
}

/** Salt's `cmd.script` return when the source could not be fetched. */
const CACHE_ERROR = { pid: 0, retcode: 1, stdout: '', stderr: '', cache_error: true } as const;

/** Python's `shlex.quote`. */
function shQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
}

/**
 * Salt's `cp.cache_file` for cmd.script: a local path (or `file://`) as it
 * is; `salt://` and URLs through the injected file client, null when there
 * is none or the source does not exist. A relative local path is an error,
 * as in Salt.
 */
export async function fetchSource(ctx: PluginContext, source: string, saltenv: string): Promise<string | null> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file') {
    const local = scheme === 'file' ? source.slice('file://'.length) : source;
    if (!path.isAbsolute(local)) throw new ModuleError('INVALID_ARGUMENT', `Path '${local}' is not absolute`);
    return fs.existsSync(local) ? local : null;
  }
  const client = ctx.services.fileClient;
  if (!client) {
    ctx.log.error({ source }, `Unable to fetch ${source}: this minion has no file client`);
    return null;
  }
  return client.cacheFile(source, saltenv);
}

/** A private temp file (Salt's mkstemp) in `dir`, holding `content` or a copy of `from`. */
function tempFile(dir: string, suffix: string, fill: (file: string) => void): string {
  const file = path.join(dir, `__tsalt.tmp.${crypto.randomBytes(6).toString('hex')}${suffix}`);
  fs.writeFileSync(file, '', { flag: 'wx', mode: 0o600 });
  fill(file);
  return file;
}

function removeQuietly(ctx: PluginContext, file: string, fun: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch (err) {
    ctx.log.error({ file }, `cmd.${fun}: Unable to clean tempfile '${file}': ${(err as Error).message}`);
  }
}

/** Salt's `cmd.script`: fetch, copy to a private 0500 file, run it with `args`, remove it. */
async function runScript(ctx: PluginContext, a: BoundArgs): Promise<RunAllResult | typeof CACHE_ERROR> {
  const source = pyStr(a['source'] ?? '');
  if (!source) throw new ModuleError('INVALID_ARGUMENT', 'No script source given');
  const saltenv = pyStr(a['saltenv'] ?? ctx.opts.saltenv ?? 'base');
  const fetched = await fetchSource(ctx, source, saltenv);
  if (fetched === null) {
    ctx.context['retcode'] = 1;
    return CACHE_ERROR;
  }
  const cwd = a['cwd'] === null || a['cwd'] === undefined || a['cwd'] === '' ? os.tmpdir() : pyStr(a['cwd']);
  const suffix = path.extname(source.replace(/\?.*$/, ''));
  const file = tempFile(cwd, suffix, (f) => fs.copyFileSync(fetched, f));
  const background = Boolean(a['bg']);
  try {
    fs.chmodSync(file, 0o500);
    const runas = a['runas'];
    if (runas !== null && runas !== undefined && runas !== '' && process.getuid?.() === 0) {
      const user = lookupUser(pyStr(runas));
      if (user) fs.chownSync(file, user.uid, -1);
    }
    const args = a['args'];
    const cmd = args === null || args === undefined || args === '' ? shQuote(file) : `${shQuote(file)} ${pyStr(args)}`;
    return await execute(ctx, { ...a, cmd }, false);
  } finally {
    // A background script may not have read its file yet: it stays (in the temp dir).
    if (!background) removeQuietly(ctx, file, 'script');
  }
}

/** Salt's `exec_code_all`: the code in a temp file, run as `lang <file> [args]` without a shell. */
async function execCodeAll(ctx: PluginContext, a: BoundArgs): Promise<RunAllResult> {
  const lang = pyStr(a['lang'] ?? '');
  if (!lang) throw new ModuleError('INVALID_ARGUMENT', 'No language given');
  const kwargs = (a['__kwargs__'] ?? {}) as Record<string, unknown>;
  const file = tempFile(os.tmpdir(), '', (f) => fs.writeFileSync(f, pyStr(a['code'] ?? '')));
  try {
    const runas = kwargs['runas'];
    if (runas !== null && runas !== undefined && runas !== '' && process.getuid?.() === 0) {
      const user = lookupUser(pyStr(runas));
      if (user) fs.chownSync(file, user.uid, -1);
    }
    const argv = [lang, file];
    const args = a['args'];
    if (typeof args === 'string') argv.push(args);
    else if (Array.isArray(args)) argv.push(...args.map(pyStr));
    const bound: BoundArgs = { ...CMD_DEFAULTS, ...kwargs, cmd: argv, cwd: a['cwd'], python_shell: false };
    return await execute(ctx, bound, Boolean(kwargs['redirect_stderr']));
  } finally {
    removeQuietly(ctx, file, 'exec_code_all');
  }
}

type Fn = PluginFunction<MinionConfig, ModuleServices>;

const SCRIPT_DOC = `:param str source: The location of the script: a local absolute path, or
    \`\`salt://\`\` on the master's file server (once the minion has a file client).
:param str args: String of command line args to pass to the script.
:param str cwd: Where the script is copied to and run from (default: the temp dir).
Other parameters are cmd.run's (runas, shell, python_shell, env, timeout, ...).`;

/** The cmd functions that write a file first. */
export const scriptFunctions: Record<string, Fn> = {
  script: {
    doc: `Download a script from a remote location and execute the script locally.\nReturns cmd.run_all's dict (pid, retcode, stdout, stderr), or one with\n\`\`cache_error: True\`\` when the source could not be fetched.\n\n${SCRIPT_DOC}\n\nCLI Example:\n\n    salt '*' cmd.script salt://scripts/runme.sh\n    salt '*' cmd.script /srv/scripts/runme.sh 'arg1 arg2 "arg 3"'`,
    params: scriptParams(),
    varkw: true,
    fn: (ctx, a) => runScript(ctx, a),
  },
  script_retcode: {
    doc: `Run cmd.script and return only the script's exit code.\n\n${SCRIPT_DOC}\n\nCLI Example:\n\n    salt '*' cmd.script_retcode salt://scripts/runme.sh`,
    params: scriptParams(),
    varkw: true,
    fn: async (ctx, a) => (await runScript(ctx, a)).retcode,
  },
  exec_code_all: {
    doc: 'Pass in two strings, the first naming the executable language, aka -\npython2, python3, ruby, perl, lua, etc. the second string containing\nthe code you wish to execute. All cmd artifacts (stdout, stderr, retcode, pid)\nwill be returned.\n\nCLI Example:\n\n    salt \'*\' cmd.exec_code_all ruby \'puts "cheese"\'\n    salt \'*\' cmd.exec_code_all ruby \'puts "cheese"\' args=\'["arg1", "arg2"]\' env=\'{"FOO": "bar"}\'',
    params: ['lang', 'code', { name: 'cwd', default: null }, { name: 'args', default: null }],
    varkw: true,
    fn: (ctx, a) => execCodeAll(ctx, a),
  },
  exec_code: {
    doc: 'Pass in two strings, the first naming the executable language, aka -\npython2, python3, ruby, perl, lua, etc. the second string containing\nthe code you wish to execute. The stdout will be returned.\n\nCLI Example:\n\n    salt \'*\' cmd.exec_code ruby \'puts "cheese"\'\n    salt \'*\' cmd.exec_code ruby \'puts "cheese"\' args=\'["arg1", "arg2"]\' env=\'{"FOO": "bar"}\'',
    params: ['lang', 'code', { name: 'cwd', default: null }, { name: 'args', default: null }],
    varkw: true,
    fn: async (ctx, a) => (await execCodeAll(ctx, a)).stdout,
  },
  which_bin: {
    doc: "Returns the first command found in a list of commands\n\nCLI Example:\n\n    salt '*' cmd.which_bin '[pip2, pip, pip-python]'",
    params: ['cmds'],
    fn: (_ctx, a) => {
      const cmds = typeof a['cmds'] === 'string' ? [a['cmds']] : a['cmds'];
      if (!Array.isArray(cmds)) return null;
      for (const c of cmds) {
        const found = which(pyStr(c), process.env['PATH']);
        if (found) return found;
      }
      return null;
    },
  },
};
