import fs from 'node:fs';
import { isRecord } from '@tsalt/core';
import { definePlugin, type BoundArgs, type Param } from '@tsalt/loader';
import type { MinionConfig } from '@tsalt/config';
import type { StateContext, StateReturn, StateServices } from '../types.js';
import { errText, isTest, saltenvOf, salt, stateRet, text } from '../sys/state-ret.js';
import { reinterpretStateful } from '../sys/cmd-stateful.js';

/*
 * Salt's `cmd` state: run a command (or a script from the file server) and
 * report its pid, retcode, stdout and stderr as the changes. `unless`,
 * `onlyif` and `creates` are the runner's, checked before these are called.
 */

/** Passed on to cmd.run_all / cmd.script as given (Salt forwards its **kwargs). */
const PASS_THROUGH = [
  'stdin',
  'group',
  'clean_env',
  'umask',
  'rstrip',
  'reset_system_locale',
  'redirect_stderr',
  'bg',
  'password',
  'template',
  'ignore_retcode',
] as const;

/** The fixed parameters both run and wait take, with Salt's defaults. */
const RUN_PARAMS: Param[] = [
  'name',
  { name: 'cwd', default: null },
  { name: 'runas', default: null },
  { name: 'shell', default: null },
  { name: 'env', default: null },
  { name: 'prepend_path', default: null },
  { name: 'stateful', default: false },
  { name: 'output_loglevel', default: 'debug' },
  { name: 'hide_output', default: false },
  { name: 'timeout', default: null },
  { name: 'ignore_timeout', default: false },
  { name: 'use_vt', default: false },
  { name: 'success_retcodes', default: null },
  { name: 'success_stdout', default: null },
  { name: 'success_stderr', default: null },
  ...PASS_THROUGH.map((n) => ({ name: n, default: undefined })),
];

const SCRIPT_PARAMS: Param[] = [
  'name',
  { name: 'source', default: null },
  { name: 'args', default: null },
  { name: 'template', default: null },
  { name: 'cwd', default: null },
  { name: 'runas', default: null },
  { name: 'shell', default: null },
  { name: 'env', default: null },
  { name: 'stateful', default: false },
  { name: 'timeout', default: null },
  { name: 'use_vt', default: false },
  { name: 'output_loglevel', default: 'debug' },
  { name: 'hide_output', default: false },
  { name: 'success_retcodes', default: null },
  { name: 'success_stdout', default: null },
  { name: 'success_stderr', default: null },
  { name: 'retcode', default: undefined },
];

/** Salt's stateful argument: True, or `[{test_name: ...}]` naming the command to run in test mode. */
function statefulOf(v: unknown): { stateful: boolean; testName: string | null } {
  if (!Array.isArray(v)) return { stateful: v === true, testName: null };
  const first: unknown = v[0];
  if (isRecord(first) && 'test_name' in first) return { stateful: true, testName: text(first['test_name']) };
  return { stateful: true, testName: null };
}

function badEnv(env: unknown): boolean {
  return env !== null && env !== undefined && !Array.isArray(env) && !isRecord(env);
}

function shellOf(ctx: StateContext, a: BoundArgs): unknown {
  return a['shell'] || ctx.grains['shell'] || null;
}

function passThrough(a: BoundArgs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of PASS_THROUGH) if (a[k] !== undefined) out[k] = a[k];
  return out;
}

interface RunAll {
  pid: number;
  retcode: number | null;
  stdout: string;
  stderr: string;
  [k: string]: unknown;
}

async function run(ctx: StateContext, a: BoundArgs, ignoreStateful = false): Promise<StateReturn> {
  // mod_watch drops `stateful` before it calls (and reinterprets the return itself).
  const { stateful, testName } = ignoreStateful ? { stateful: false, testName: null } : statefulOf(a['stateful']);
  const test = isTest(ctx);
  // The ret keeps the state's name; in test mode the test_name command is what runs.
  const ret = stateRet(text(a['name']), false, '');
  const name = test && testName ? testName : text(a['name']);
  if (badEnv(a['env'])) return { ...ret, comment: "Invalidly-formatted 'env' parameter. See documentation." };
  if (test && !testName) {
    const r = stateRet(name, null, `Command "${name}" would have been executed`, { cmd: name });
    return stateful ? reinterpretStateful(r) : r;
  }
  const cwd = a['cwd'];
  if (cwd && !isDir(text(cwd))) return { ...ret, comment: `Desired working directory "${text(cwd)}" is not available` };
  let all: RunAll;
  try {
    all = (await salt(ctx, 'cmd.run_all', [], {
      ...passThrough(a),
      cmd: name,
      timeout: a['timeout'],
      python_shell: true,
      cwd: cwd ?? null,
      runas: a['runas'],
      use_vt: a['use_vt'],
      shell: shellOf(ctx, a),
      env: a['env'],
      prepend_path: a['prepend_path'],
      output_loglevel: a['output_loglevel'],
      hide_output: a['hide_output'],
      success_retcodes: a['success_retcodes'],
      success_stdout: a['success_stdout'],
      success_stderr: a['success_stderr'],
    })) as RunAll;
  } catch (err) {
    return { ...ret, comment: errText(err) };
  }
  let out: StateReturn = { ...ret, changes: all, result: !all.retcode, comment: `Command "${name}" run` };
  // A nohup'd command that outlives its timeout is a success when asked.
  if (a['ignore_timeout'] === true && all.retcode === 1 && String(all.stdout).includes('Timed out after')) {
    all.retcode = 0;
    out.result = true;
  }
  if (stateful) out = reinterpretStateful(out);
  if (test && all.retcode === 0 && Object.keys(out.changes).length) out.result = null;
  return out;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

async function script(ctx: StateContext, a: BoundArgs, ignoreStateful = false): Promise<StateReturn> {
  // mod_watch drops `stateful` before it calls (and reinterprets the return itself).
  const { stateful, testName } = ignoreStateful ? { stateful: false, testName: null } : statefulOf(a['stateful']);
  const test = isTest(ctx);
  const name = test && testName ? testName : text(a['name']);
  const ret = stateRet(name, false, '');
  if (badEnv(a['env'])) return { ...ret, comment: "Invalidly-formatted 'env' parameter. See documentation." };
  const saltenv = saltenvOf(ctx);
  const source = a['source'] === null || a['source'] === undefined ? name : text(a['source']);
  const kwargs: Record<string, unknown> = {
    runas: a['runas'],
    shell: shellOf(ctx, a),
    env: a['env'],
    cwd: a['cwd'],
    template: a['template'],
    timeout: a['timeout'],
    output_loglevel: a['output_loglevel'],
    hide_output: a['hide_output'],
    use_vt: a['use_vt'],
    saltenv,
    success_retcodes: a['success_retcodes'],
    success_stdout: a['success_stdout'],
    success_stderr: a['success_stderr'],
    python_shell: true,
  };
  if (a['args'] !== null && a['args'] !== undefined && a['args'] !== '') kwargs['args'] = a['args'];
  // `name: salt://run.sh --fast`: the words after the first are the script's arguments.
  else if (name.split(/\s+/).filter(Boolean).length > 1) kwargs['args'] = name.slice(name.indexOf(' ') + 1);
  if (test && !testName) {
    const r = stateRet(name, null, `Command '${name}' would have been executed`);
    return stateful ? reinterpretStateful(r) : r;
  }
  const cwd = a['cwd'];
  if (cwd && !isDir(text(cwd))) return { ...ret, comment: `Desired working directory "${text(cwd)}" is not available` };
  let all: RunAll;
  try {
    all = (await salt(ctx, 'cmd.script', [source], kwargs)) as RunAll;
  } catch (err) {
    return { ...ret, comment: errText(err) };
  }
  let out: StateReturn = {
    ...ret,
    changes: all,
    result: a['retcode'] ? !all : !all.retcode,
    comment: all['cache_error']
      ? `Unable to cache script ${source} from saltenv '${saltenv}'`
      : `Command '${name}' run`,
  };
  if (stateful) out = reinterpretStateful(out);
  if (test && all.retcode === 0 && Object.keys(out.changes).length) out.result = null;
  return out;
}

/** Salt's mod_watch: a watched state changed, so run (cmd.wait, cmd.run) or script (cmd.wait_script, cmd.script). */
async function modWatch(ctx: StateContext, a: BoundArgs): Promise<StateReturn> {
  const sfun = text(a['sfun']);
  const name = text(a['name']);
  const stateful = a['stateful'] === true || Array.isArray(a['stateful']);
  if (['wait', 'run', 'watch'].includes(sfun)) {
    const r = await run(ctx, a, true);
    return stateful ? reinterpretStateful(r) : r;
  }
  if (['wait_script', 'script'].includes(sfun)) {
    const r = await script(ctx, a, true);
    return stateful ? reinterpretStateful(r) : r;
  }
  // cmd.call runs a Python function (pydsl): there is none to run here.
  if (['wait_call', 'call'].includes(sfun))
    return { name, changes: {}, comment: `cmd.${sfun} needs a named parameter func`, result: false };
  return {
    name,
    changes: {},
    comment: `cmd.${sfun} does not work with the watch requisite, please use cmd.wait or cmd.wait_script`,
    result: false,
  };
}

/** cmd.wait / cmd.wait_script: nothing, unless a watched state changed (then mod_watch runs it). */
const waitFn = (_ctx: StateContext, a: BoundArgs): StateReturn => stateRet(text(a['name']), true, '');

const RUN_DOC =
  'Run a command if certain circumstances are met.  Use ``cmd.wait`` if you\nwant to use the ``watch`` requisite.\n\nname\n    The command to execute, remember that the command will execute with the\n    path and permissions of the salt-minion.\n\ncwd\n    The current working directory to execute the command in, defaults to\n    /root\n\nrunas\n    The user name to run the command as\n\nshell\n    The shell to use for execution, defaults to the shell grain\n\nenv\n    A list of environment variables to be set prior to execution.\n\nstateful\n    The command being executed is expected to return data about executing\n    a state.\n\ntimeout\n    If the command has not terminated after timeout seconds, send the\n    subprocess sigterm, and if sigterm is ignored, follow up with sigkill\n\nignore_timeout\n    Ignore the timeout of commands, which is useful for running nohup\n    processes.\n\nsuccess_retcodes\n    A list of non-zero return codes that should be considered as successful.';

const WAIT_DOC =
  'Run the given command only if the watch statement calls it.\n\n.. note::\n\n    Use :mod:`cmd.run <salt.states.cmd.run>` together with :mod:`onchanges </ref/states/requisites#onchanges>`\n    instead of :mod:`cmd.wait <salt.states.cmd.wait>`.';

const SCRIPT_DOC =
  'Download a script and execute it with specified arguments.\n\nsource\n    The location of the script to download. If the file is located on the\n    master in the directory named spam, and is called eggs, the source\n    string is salt://spam/eggs\n\ntemplate\n    If this setting is applied then the named templating engine will be\n    used to render the downloaded file.\n\nname\n    Either "cmd arg1 arg2 arg3..." (cmd is not used) or a source\n    "salt://...".\n\nargs\n    String of command line args to pass to the script.  Only used if no\n    args are specified as part of the `name` argument.\n\ncwd\n    The current working directory to execute the command in, defaults to\n    /root\n\nrunas\n    The name of the user to run the command as\n\nshell\n    The shell to use for execution. The default is set in grains[\'shell\']\n\nenv\n    A list of environment variables to be set prior to execution.';

/** Every parameter mod_watch may pass on to run or script. */
const WATCH_PARAMS: Param[] = [
  ...RUN_PARAMS,
  ...SCRIPT_PARAMS.filter(
    (p) => !RUN_PARAMS.some((q) => (typeof q === 'string' ? q : q.name) === (typeof p === 'string' ? p : p.name)),
  ),
  { name: 'sfun', default: null },
];

export default definePlugin<MinionConfig, StateServices>({
  name: 'cmd',
  doc: 'Execution of arbitrary commands',
  functions: {
    run: { doc: RUN_DOC, params: RUN_PARAMS, fn: (ctx, a) => run(ctx, a) },
    wait: { doc: WAIT_DOC, params: RUN_PARAMS, fn: waitFn },
    // Salt's alias: `cmd.watch` is a common misspelling of cmd.wait.
    watch: { doc: WAIT_DOC, params: RUN_PARAMS, fn: waitFn },
    script: { doc: SCRIPT_DOC, params: SCRIPT_PARAMS, fn: (ctx, a) => script(ctx, a) },
    wait_script: {
      doc: 'Download a script from a remote source and execute it only if a watch\nstatement calls it.',
      params: SCRIPT_PARAMS,
      fn: waitFn,
    },
    mod_watch: {
      doc: 'Execute a cmd function based on a watch call\n\n.. note::\n    This state exists to support special handling of the ``watch``\n    :ref:`requisite <requisites>`. It should not be called directly.',
      params: WATCH_PARAMS,
      fn: modWatch,
    },
  },
});
