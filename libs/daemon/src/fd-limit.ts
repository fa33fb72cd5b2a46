import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** The process's open-files limit, from /proc (Linux); undefined elsewhere. */
export interface OpenFilesLimit {
  soft: number;
  hard: number;
}

export function openFilesLimit(): OpenFilesLimit | undefined {
  try {
    const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    if (!line) return undefined;
    const num = (s: string | undefined): number => (s === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(s));
    return { soft: num(line[1]), hard: num(line[2]) };
  } catch {
    return undefined;
  }
}

/**
 * Raises this process's open-files limit towards `wanted`, as Salt does with
 * `max_open_files`. Node has no setrlimit, so util-linux's `prlimit` sets it
 * on our own pid: the soft limit up to the hard one for anyone, the hard one
 * too when we are root. Returns the limit in force afterwards.
 */
export function raiseOpenFilesLimit(wanted: number): OpenFilesLimit | undefined {
  const now = openFilesLimit();
  if (!now || now.soft >= wanted) return now;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hard = isRoot ? Math.max(now.hard, wanted) : now.hard;
  const soft = Math.min(wanted, hard);
  const set = (s: number, h: number): boolean => {
    try {
      return (
        spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${s}:${h}`], { stdio: 'ignore', timeout: 5000 })
          .status === 0
      );
    } catch {
      return false; // No prlimit: the limit stays; the caller reports what it got.
    }
  };
  // Root without CAP_SYS_RESOURCE (a container) cannot raise the hard limit: then up to it.
  if (!set(soft, hard) && hard > now.hard) set(Math.min(wanted, now.hard), now.hard);
  return openFilesLimit();
}
