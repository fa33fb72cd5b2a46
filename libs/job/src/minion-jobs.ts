import fs from 'node:fs';
import path from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import { isRecord, readIfExists, writeFileAtomic } from '@tsalt/core';
import { assertJid } from './jid.js';

/*
 * The minion's own job cache (`cache_jobs: True`): Salt's
 * `<cachedir>/minion_jobs/<jid>/return.p`, msgpack of the return the minion
 * sent, read back by `saltutil.find_cached_job`.
 */

/** The folder of one cached job. */
export function cachedJobDir(cachedir: string, jid: string): string {
  assertJid(jid);
  return path.join(cachedir, 'minion_jobs', jid);
}

/** Stores a job's return. 0600: returns can hold secrets (command output). */
export function writeCachedJob(cachedir: string, jid: string, ret: Record<string, unknown>): void {
  writeFileAtomic(path.join(cachedJobDir(cachedir, jid), 'return.p'), encode(ret, { ignoreUndefined: true }), 0o600);
}

/**
 * A cached return: undefined when the job folder does not exist, null when
 * the file is missing, empty or not a msgpack map (as Salt returns None).
 */
export function readCachedJob(cachedir: string, jid: string): Record<string, unknown> | null | undefined {
  const dir = cachedJobDir(cachedir, jid);
  if (!fs.existsSync(dir)) return undefined;
  let buf: Buffer | undefined;
  try {
    buf = readIfExists(path.join(dir, 'return.p'));
  } catch {
    return null;
  }
  if (!buf || buf.length === 0) return null;
  try {
    const v = decode(buf);
    return isRecord(v) ? v : null;
  } catch {
    return null;
  }
}
