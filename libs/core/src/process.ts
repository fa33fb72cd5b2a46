import fs from 'node:fs';

/*
 * Whether a process is alive, and since when, from /proc (Linux). Shared by
 * the job cache (proc files) and the spool (lock files): both record a pid
 * in a file and must tell the writer from a later process given its pid.
 */

/** One line of /proc/<pid>/stat, the fields we use. */
export interface ProcStat {
  pid: number;
  ppid: number;
  /** Process group id. */
  pgrp: number;
  /** Session id. */
  sid: number;
  /** 'R', 'S', 'Z' (zombie)... */
  state: string;
  /** Start time in clock ticks since boot. */
  startTicks: number;
}

/** Linux reports start times in USER_HZ ticks, which is 100 on every architecture's user ABI. */
const TICKS_PER_S = 100;

/** Parses /proc/<pid>/stat; `comm` may hold spaces and parentheses, so split after the last ')'. */
export function parseProcStat(pid: number, text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state); field n is f[n - 3].
  const ppid = Number(f[1]);
  const pgrp = Number(f[2]);
  const sid = Number(f[3]);
  const startTicks = Number(f[19]);
  if (![ppid, pgrp, sid, startTicks].every(Number.isFinite)) return undefined;
  return { pid, ppid, pgrp, sid, state: f[0] ?? '?', startTicks };
}

/** The stat of one process, or undefined when it is gone (or /proc is missing). */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(pid, fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

let bootMs: number | undefined;

/** Boot time (epoch ms) from /proc/stat `btime`, which has 1 s resolution. */
function bootTimeMs(): number | undefined {
  if (bootMs !== undefined) return bootMs;
  try {
    const m = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
    if (m) bootMs = Number(m[1]) * 1000;
  } catch {
    // not Linux
  }
  return bootMs;
}

/** When a process started (epoch ms, ±1 s), or undefined when unknown or gone. */
export function processStartMs(pid: number): number | undefined {
  const boot = bootTimeMs();
  const s = readProcStat(pid);
  if (boot === undefined || !s) return undefined;
  return boot + (s.startTicks * 1000) / TICKS_PER_S;
}

/** `kill(pid, 0)`: EPERM means the process exists but belongs to someone else. */
export function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/*
 * A file naming a pid outlives its process when that dies (or the host
 * reboots), and the pid may then belong to another program. Salt checks the
 * command line for "salt"; we check the start time instead: a process that
 * started after the file was written cannot be the one it names.
 * /proc's boot time has 1 s resolution, hence the slack (ms).
 */
const START_SLACK_MS = 2000;

/** Whether `pid` is alive and old enough to be the process that wrote a file at `writtenAtMs`. */
export function pidIsLiveSince(pid: number, writtenAtMs: number): boolean {
  if (!pidIsAlive(pid)) return false;
  const started = processStartMs(pid);
  return started === undefined || started <= writtenAtMs + START_SLACK_MS;
}
