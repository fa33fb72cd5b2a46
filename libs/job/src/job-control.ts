/**
 * What a minion daemon offers `saltutil` through `ctx.services[JOB_CONTROL_SERVICE]`.
 * Without it (salt-call, tests) saltutil signals directly.
 */
export interface JobControl {
  /** The minion daemon's pid: a job naming it runs in-process and is never signalled. */
  daemonPid: number;
  /**
   * Announces a signal before it is sent, so the daemon knows the job
   * process's death was a kill (no return is sent) and never hands that
   * process another job. Resolves false when `pid` no longer runs `jid`:
   * then nothing must be signalled.
   */
  willSignal?(jid: string, pid: number, signal: number): Promise<boolean>;
  /**
   * Jobs that have finished but whose return the master has not yet
   * acknowledged, as proc data (the load, and the daemon's pid). Salt's job
   * process lives until its return is sent, so `find_job` still finds the
   * job meanwhile: the CLI then waits for a return on its way, under a
   * master slow to acknowledge, instead of reporting "No response". There is
   * nothing left to signal.
   */
  returning?(): Record<string, unknown>[];
}

/** The `ctx.services` key under which a minion passes its JobControl. */
export const JOB_CONTROL_SERVICE = 'jobControl';
