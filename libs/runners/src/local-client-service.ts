import { RunnerError } from './errors.js';

/*
 * The LocalClient a runner publishes through, as the master side injects it
 * into `services.local` (tsalt-run gives a @tsalt/client LocalClient whose
 * sockets open on first use). Only the calls runners make are named here,
 * so this lib does not depend on the client lib and tests can pass a fake.
 */

export interface RunnerPublishReply {
  /** '' when the target matched no minion. */
  jid: string;
  minions: string[];
  missing: string[];
}

export interface RunnerWaitOptions {
  /** s */
  timeout?: number;
  /** s */
  gatherJobTimeout?: number;
}

export interface RunnerCmdOptions extends RunnerWaitOptions {
  tgt_type?: string;
  kwarg?: Record<string, unknown>;
}

export interface RunnerLocalClient {
  publish(
    tgt: string | string[],
    fun: string,
    arg?: readonly unknown[],
    o?: { tgt_type?: string },
  ): Promise<RunnerPublishReply>;
  /** Yields `{kind: 'return', id, data}` as minions return, then `{kind: 'missing', id}` for those given up on. */
  getCliReturns(
    jid: string,
    minions: Iterable<string>,
    o?: RunnerWaitOptions,
  ): AsyncIterable<{ kind: 'return' | 'missing'; id: string }>;
  /** `{minion: return}` for the minions that returned. */
  cmd(
    tgt: string | string[],
    fun: string,
    arg?: readonly unknown[],
    o?: RunnerCmdOptions,
  ): Promise<Record<string, unknown>>;
}

/** The service of runners that publish (jobs.active, manage.*). */
export interface LocalClientServices {
  local: RunnerLocalClient;
}

export function localClient(ctx: { services: Readonly<Partial<LocalClientServices>> }): RunnerLocalClient {
  const local = ctx.services.local;
  if (!local || typeof local.cmd !== 'function') {
    throw new RunnerError(
      'LOCAL_CLIENT_MISSING',
      'This runner publishes to minions, but no local client is available (services.local was not provided)',
    );
  }
  return local;
}

/** A positive number of seconds from a runner argument, or the config default. */
export function seconds(v: unknown, fallback: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : fallback;
}
