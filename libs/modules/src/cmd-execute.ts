import type { BoundArgs } from '@tsalt/loader';
import type { ModuleContext as PluginContext } from './context.js';
import { prepareCommand } from './cmd-prepare.js';
import { pyStrCommand } from './shlex.js';
import { runProcess, spawnBackground } from './run-process.js';

/** `cmd.run_all`'s return. `retcode` is null for a background command. */
export interface RunAllResult {
  pid: number;
  retcode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Salt's `_run`: prepare, spawn, wait, then post-process exactly once
 * (rstrip, success_* overrides) and set `__context__['retcode']`, which every
 * cmd.* function does, run_all and retcode included.
 */
export async function execute(
  ctx: PluginContext,
  a: BoundArgs,
  merge: boolean,
  forcePythonShell?: boolean,
): Promise<RunAllResult> {
  const p = prepareCommand(ctx, a, forcePythonShell);
  if (p.background) {
    const pid = await spawnBackground(p.spec);
    ctx.context['retcode'] = 0;
    return { pid, retcode: null, stdout: '', stderr: '' };
  }
  const r = await runProcess({ ...p.spec, mergeStderr: merge });
  let ret: RunAllResult;
  if (r.timedOut) {
    // Salt's TimedProc text. Salt leaves the job retcode at 0 here; a
    // command killed by a timeout did not succeed, so tsalt reports 1.
    ret = {
      pid: r.pid,
      retcode: 1,
      stdout: `${pyStrCommand(p.display)} : Timed out after ${p.timeoutText} seconds`,
      stderr: '',
    };
  } else {
    const stdout = p.rstrip ? r.stdout.trimEnd() : r.stdout;
    const stderr = p.rstrip ? r.stderr.trimEnd() : r.stderr;
    let retcode = p.successRetcodes.includes(r.retcode) ? 0 : r.retcode;
    if (p.successStdout.some((s) => stdout.includes(s)) || p.successStderr.some((s) => stderr.includes(s))) retcode = 0;
    ret = { pid: r.pid, retcode, stdout, stderr };
  }
  ctx.context['retcode'] = p.ignoreRetcode ? 0 : ret.retcode;
  if (!p.quiet && !p.ignoreRetcode && ret.retcode !== 0) {
    ctx.log.error(
      { cmd: p.logName, retcode: ret.retcode },
      `Command '${p.logName}' failed with return code: ${String(ret.retcode)}`,
    );
  }
  if (p.hideOutput) ret = { ...ret, stdout: '', stderr: '' };
  return ret;
}
