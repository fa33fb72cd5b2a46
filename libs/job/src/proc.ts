import fs from 'node:fs';
import path from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import { isRecord, pidIsLiveSince, readIfExists, writeFileAtomic } from '@tsalt/core';
import { assertJid, isJid } from './jid.js';
import { JobError } from './errors.js';

/*
 * Proc files: `<cachedir>/proc/<jid>` holds the publish load plus the pid of
 * the process running it, so `saltutil.running` / `find_job` can answer
 * without asking the worker. Written atomically: a reader never sees half a file.
 */

function procDir(cachedir: string): string {
  return path.join(cachedir, 'proc');
}

/** Decodes one proc file, or undefined for a missing, unreadable or garbage file. */
function readOne(file: string): Record<string, unknown> | undefined {
  let buf: Buffer | undefined;
  try {
    buf = readIfExists(file);
  } catch {
    return undefined;
  }
  if (!buf || buf.length === 0) return undefined;
  try {
    const v = decode(buf);
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Records a running job. `pid` wins over any `pid` key in the load. */
export function writeProcFile(cachedir: string, load: Record<string, unknown>, pid: number): void {
  const jid = load['jid'];
  assertJid(jid);
  if (!Number.isInteger(pid) || pid <= 0) throw new JobError('BAD_PID', `Invalid pid: ${pid}`);
  const data = encode({ ...load, pid }, { ignoreUndefined: true });
  // 0600: the load can carry arguments (passwords on a command line) not meant for other users.
  writeFileAtomic(path.join(procDir(cachedir), jid), data, 0o600);
}

export function removeProcFile(cachedir: string, jid: string): void {
  assertJid(jid);
  fs.rmSync(path.join(procDir(cachedir), jid), { force: true });
}

export function readProcFile(cachedir: string, jid: string): Record<string, unknown> | undefined {
  assertJid(jid);
  return readOne(path.join(procDir(cachedir), jid));
}

function procNames(cachedir: string): string[] {
  try {
    // Names that are not jids are temp files of in-flight atomic writes, or not ours.
    return fs.readdirSync(procDir(cachedir)).filter(isJid).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Every readable proc file, oldest jid first; unreadable or garbage files are skipped. */
export function readProcFiles(cachedir: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const name of procNames(cachedir)) {
    const data = readOne(path.join(procDir(cachedir), name));
    if (data) out.push(data);
  }
  return out;
}

/** Decides whether a proc file's job still runs: `(pid, proc file mtime in ms)`. */
export type JobLiveness = (pid: number, writtenAtMs: number) => boolean;

/** Reads one proc file; undefined data when stale (and then the file is removed). */
function liveEntry(file: string, isLive: JobLiveness): { data?: Record<string, unknown>; stale: boolean } {
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return { stale: false }; // gone meanwhile: the job ended
  }
  const data = readOne(file);
  const pid = data?.['pid'];
  if (typeof pid === 'number' && Number.isInteger(pid) && pid > 0 && isLive(pid, mtimeMs))
    return { data, stale: false };
  fs.rmSync(file, { force: true });
  return { stale: true };
}

/**
 * Salt's `salt.utils.minion.running`: the proc files of jobs that still run,
 * oldest jid first. Files of dead processes (or garbage) are removed on the way.
 */
export function runningJobs(cachedir: string, isLive: JobLiveness = pidIsLiveSince): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const name of procNames(cachedir)) {
    const { data } = liveEntry(path.join(procDir(cachedir), name), isLive);
    if (data) out.push(data);
  }
  return out;
}

/** The proc file of `jid` when that job still runs (a stale file is removed). */
export function findRunningJob(
  cachedir: string,
  jid: string,
  isLive: JobLiveness = pidIsLiveSince,
): Record<string, unknown> | undefined {
  assertJid(jid);
  return liveEntry(path.join(procDir(cachedir), jid), isLive).data;
}

/**
 * Removes proc files left by job processes that died without cleaning up
 * (and files with no usable pid, as Salt's `clean_proc_dir` does). Returns how
 * many were removed.
 */
export function cleanStaleProcFiles(cachedir: string, isLive: JobLiveness = pidIsLiveSince): number {
  let removed = 0;
  for (const name of procNames(cachedir)) {
    if (liveEntry(path.join(procDir(cachedir), name), isLive).stale) removed += 1;
  }
  return removed;
}
