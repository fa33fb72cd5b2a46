// What every bench section measures with: percentiles, timed commands, and a
// process's CPU time and memory read from /proc.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';

export const median = (xs) => pct(xs, 50);
/** The p-th percentile (nearest rank, 0-100) of xs; NaN when empty. */
export const pct = (xs, p) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];
};

/** Milliseconds since t0 (a process.hrtime.bigint() stamp). */
export const msSince = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/** Runs `node args` to completion, blocking; returns its wall time (ms) and result. */
export function timeCmd(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ms: msSince(t0), r };
}

/**
 * Runs `node args` (or `cmd args`) without blocking this process's event
 * loop (a listener here keeps reading meanwhile); resolves with its wall
 * time (ms), exit code and output. With timeoutMs it is killed (SIGKILL)
 * past that, and resolves with status null; onChild gets the child process.
 */
export function timeCmdAsync(args, { cmd = process.execPath, timeoutMs, onChild } = {}) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    onChild?.(child);
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({
        ms: msSince(t0),
        status,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/**
 * `tsalt --out json` or `salt --out json` output: the minions whose value is
 * exactly true (a real test.ping return). Salt may print one object per
 * minion, each starting on a line `{`; they are merged.
 */
export function countTrue(stdout) {
  const all = {};
  try {
    for (const chunk of (stdout || '{}').split(/^(?=\{)/m)) if (chunk.trim()) Object.assign(all, JSON.parse(chunk));
  } catch {
    return 0;
  }
  return Object.values(all).filter((v) => v === true).length;
}

/** Clock ticks per second for /proc/<pid>/stat times (normally 100). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds a process has used: utime + stime, plus cutime + cstime of
 * children it has reaped. undefined when the process is gone.
 */
export function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state); utime..cstime are fields 14..17.
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    return ticks / CLK_TCK;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of this process's children that it has reaped (cutime +
 * cstime of /proc/self/stat): the difference around one spawned command
 * that ran to its end is that command's CPU time, whatever the machine's load.
 */
export function reapedChildrenCpuSeconds() {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / CLK_TCK;
}

/** A /proc/<pid>/status memory field (VmRSS, VmHWM...) in MB; undefined when unreadable. */
export function memMb(pid, field) {
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A process's proportional set size in MB (/proc/<pid>/smaps_rollup): pages
 * shared with other processes (forked workers) count in shares, so a sum
 * over a tree does not count them twice as VmRSS does. undefined when unreadable.
 */
export function pssMb(pid) {
  try {
    const kb = /^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The pids of a process's direct children (`pgrep -P`). */
export function childPids(pid) {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
}

/** A pid and all its descendants, parents first. */
export function processTree(pid) {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...childPids(out[i]));
  return out;
}

/** A field of /proc/<pid>/status (MB) summed over a process and its descendants. */
export const treeMemMb = (pid, field) => processTree(pid).reduce((a, p) => a + (memMb(p, field) ?? 0), 0);

/** CPU seconds per pid of a process and its descendants now, for cpuSince(). */
export const cpuSnapshot = (pid) => new Map(processTree(pid).map((p) => [p, cpuSeconds(p) ?? 0]));

/**
 * CPU seconds a process and its descendants used since `snap` (a
 * cpuSnapshot; an empty Map: since they started). A process that started
 * since counts whole; one that ended since is lost unless its parent reaped it.
 */
export const cpuSince = (pid, snap = new Map()) =>
  processTree(pid).reduce((a, p) => a + Math.max(0, (cpuSeconds(p) ?? 0) - (snap.get(p) ?? 0)), 0);

/** Resolves once the child has exited (at once if it already has), or after ms; true when it exited. */
export function exited(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
