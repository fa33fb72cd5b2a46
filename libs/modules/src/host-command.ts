import { setTimeout as delay } from 'node:timers/promises';
import type { ModuleContext } from './context.js';
import { runProcess, type ProcessResult } from './run-process.js';
import { pyStrCommand } from './shlex.js';

/** How a module runs one host tool (apt-get, systemctl, ...): an argv, never a shell. */
export interface HostCommandOptions {
  /** Variables over the minion's own environment. */
  env?: Record<string, string>;
  stdin?: string;
  /** Kill the command (and its process group) after this long. @default 60_000 ms */
  timeoutMs?: number;
}

/** A query (dpkg-query, systemctl is-active) answers within a minute or is stuck. */
export const QUERY_TIMEOUT_MS = 60_000;
/** apt-get install/upgrade downloads and runs maintainer scripts: up to an hour. */
export const APT_CHANGE_TIMEOUT_MS = 3_600_000;

export interface HostResult extends ProcessResult {
  /** The command as a Python-style string, for messages. */
  display: string;
}

/**
 * Runs `argv` in its own process group with the C locale (the parsers read
 * English), cwd `/`, stdin closed unless given, under the job's jid so that
 * saltutil.kill_job reaches it. A timeout gives retcode 124 plus a line on
 * stderr, as coreutils' timeout(1) does, rather than throwing: callers turn
 * failures into Salt's messages.
 */
export async function runHost(
  ctx: Pick<ModuleContext, 'jid' | 'log'> | undefined,
  argv: readonly string[],
  options: HostCommandOptions = {},
): Promise<HostResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, { LC_ALL: 'C', LANG: 'C' }, options.env);
  const timeoutMs = options.timeoutMs ?? QUERY_TIMEOUT_MS;
  const display = pyStrCommand(argv);
  ctx?.log.debug({ cmd: display }, 'running host command');
  const r = await runProcess({
    argv,
    cwd: '/',
    env,
    stdin: options.stdin ?? null,
    timeoutMs,
    mergeStderr: false,
    ...(ctx?.jid !== undefined ? { jid: ctx.jid } : {}),
  });
  if (r.timedOut) {
    const s = String(timeoutMs / 1000);
    return { ...r, retcode: 124, stderr: `${r.stderr}${display} : Timed out after ${s} seconds`, display };
  }
  return { ...r, display };
}

/**
 * apt-get and dpkg refuse to run while another one holds the dpkg lock;
 * Salt's aptpkg retries, and so does this, a bounded number of times
 * (2 s, 4 s, 8 s, 16 s: half a minute in all).
 */
export async function runApt(
  ctx: Pick<ModuleContext, 'jid' | 'log'>,
  argv: readonly string[],
  options: HostCommandOptions = {},
): Promise<HostResult> {
  let r = await runHost(ctx, argv, options);
  for (let n = 1; n <= 4 && r.stderr.includes('Could not get lock'); n++) {
    ctx.log.warn({ cmd: r.display, attempt: n }, 'Waiting for dpkg lock release');
    await delay(2 ** n * 1000);
    r = await runHost(ctx, argv, options);
  }
  return r;
}
