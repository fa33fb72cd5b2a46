import fs from 'node:fs';
import path from 'node:path';
import { decode, decodeMulti, encode } from '@msgpack/msgpack';
import { readIfExists, writeFileAtomic } from '@tsalt/core';
import { isJid } from '@tsalt/job';
import { isRecord } from '../format.js';

/*
 * On-disk layout of local_cache (see docs/job-cache.md): hour buckets, two
 * files per job, never one per return, so 2,000 minions cost 2 inodes a job.
 *
 *   <cachedir>/jobs/<YYYYMMDDHH>/<jid>.load.p   msgpack LoadFile, rewritten atomically
 *   <cachedir>/jobs/<YYYYMMDDHH>/<jid>.ret.p    append-only msgpack records, one per return
 *
 * Every function here takes a jid already checked with isJid: the bucket is
 * its first 10 digits and the file name is the jid itself.
 */

export const LOAD_SUFFIX = '.load.p';
export const RET_SUFFIX = '.ret.p';
// 0600: loads carry command arguments (sometimes secrets); only the master user reads them.
export const FILE_MODE = 0o600;
const BUCKET_RE = /^\d{10}$/;

/** What `<jid>.load.p` holds. `load` is null between prep_jid and save_load. */
export interface LoadFile {
  load: Record<string, unknown> | null;
  minions: string[] | null;
  /** Minion lists reported by syndics, by syndic id. */
  syndic_minions: Record<string, string[]>;
  nocache: boolean;
}

/** One record of `<jid>.ret.p`. Records without `id` carry an `endtime` instead. */
export interface ReturnRecord {
  id: string;
  return: unknown;
  retcode?: number;
  success?: boolean;
  out?: string;
  fun?: unknown;
  fun_args?: unknown;
  _stamp?: unknown;
}

export interface ReturnStream {
  records: ReturnRecord[];
  endtime?: string;
  /** Every value decoded before a bad tail (a record cut short by a crash). */
  values: unknown[];
  corrupt: boolean;
}

export function blankLoadFile(nocache = false): LoadFile {
  return { load: null, minions: null, syndic_minions: {}, nocache };
}

export function bucketOf(jid: string): string {
  return jid.slice(0, 10);
}

export function loadPath(root: string, jid: string): string {
  return path.join(root, bucketOf(jid), jid + LOAD_SUFFIX);
}

export function retPath(root: string, jid: string): string {
  return path.join(root, bucketOf(jid), jid + RET_SUFFIX);
}

export function pack(value: unknown): Uint8Array {
  return encode(value, { ignoreUndefined: true });
}

function stringList(v: unknown): string[] | null {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null;
}

/** The load file, or undefined when there is none. An empty or garbled file reads as a placeholder. */
export function readLoadFile(root: string, jid: string): LoadFile | undefined {
  const buf = readIfExists(loadPath(root, jid));
  if (buf === undefined) return undefined;
  let v: unknown;
  try {
    v = buf.length ? decode(buf) : undefined;
  } catch {
    v = undefined;
  }
  if (!isRecord(v)) return blankLoadFile();
  const syndics: Record<string, string[]> = {};
  if (isRecord(v['syndic_minions'])) {
    for (const [k, list] of Object.entries(v['syndic_minions'])) syndics[k] = stringList(list) ?? [];
  }
  return {
    load: isRecord(v['load']) ? v['load'] : null,
    minions: stringList(v['minions']),
    syndic_minions: syndics,
    nocache: v['nocache'] === true,
  };
}

export function writeLoadFile(root: string, jid: string, lf: LoadFile): void {
  writeFileAtomic(loadPath(root, jid), pack(lf), FILE_MODE);
}

/**
 * Reads a return stream. A decode error can only come from the tail (records
 * are appended whole), so everything before it is kept and the rest ignored.
 */
export function readReturnStream(root: string, jid: string): ReturnStream {
  const out: ReturnStream = { records: [], values: [], corrupt: false };
  const buf = readIfExists(retPath(root, jid));
  if (!buf || buf.length === 0) return out;
  try {
    for (const v of decodeMulti(buf)) out.values.push(v);
  } catch {
    out.corrupt = true;
  }
  for (const v of out.values) {
    if (!isRecord(v)) continue;
    if (typeof v['id'] === 'string') out.records.push(v as unknown as ReturnRecord);
    else if (typeof v['endtime'] === 'string') out.endtime = v['endtime'];
  }
  return out;
}

/** Rewrites a stream with only its good values, so later appends are not lost behind a bad tail. */
export function rewriteReturnStream(root: string, jid: string, values: unknown[]): void {
  const parts = values.map((v) => pack(v));
  writeFileAtomic(retPath(root, jid), Buffer.concat(parts), FILE_MODE);
}

export function appendRecord(root: string, jid: string, value: unknown): void {
  const data = pack(value);
  // One write(2) with O_APPEND per record: concurrent readers see whole records or a short tail.
  try {
    fs.appendFileSync(retPath(root, jid), data, { mode: FILE_MODE });
  } catch (err) {
    // The bucket is made with the jid; only a job from elsewhere (or one cleaned meanwhile) lacks it.
    // Made here rather than before every append: a mkdir per return was 5% of the master's time.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fs.mkdirSync(path.join(root, bucketOf(jid)), { recursive: true });
    fs.appendFileSync(retPath(root, jid), data, { mode: FILE_MODE });
  }
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

/** Bucket folder names, oldest first. Anything else under jobs/ is not ours and is left alone. */
export function listBuckets(root: string): string[] {
  return readdirOrEmpty(root)
    .filter((b) => BUCKET_RE.test(b))
    .sort();
}

/** Jids in one bucket that have a file with `suffix`, oldest first. */
export function jidsInBucket(root: string, bucket: string, suffix: string): string[] {
  const out: string[] = [];
  for (const f of readdirOrEmpty(path.join(root, bucket))) {
    if (!f.endsWith(suffix)) continue;
    const jid = f.slice(0, -suffix.length);
    if (isJid(jid) && bucketOf(jid) === bucket) out.push(jid);
  }
  return out.sort();
}

/** Every jid with a file of `suffix`, oldest first. */
export function listJids(root: string, suffix: string): string[] {
  return listBuckets(root).flatMap((b) => jidsInBucket(root, b, suffix));
}

/** Whole file names in a bucket (for cleanup). */
export function bucketEntries(root: string, bucket: string): string[] {
  return readdirOrEmpty(path.join(root, bucket));
}
