/**
 * Salt's `localfs` cache layout for minion data: one folder per minion,
 * `<cachedir>/minions/<id>/data.p`, holding msgpack of `{grains, pillar}`
 * (salt.payload.dump: str as msgpack str, bytes as bin), and the minion's
 * mine beside it in `mine.p` (bank `minions/<id>`, key `mine`: a dict of
 * function name to its data).
 */
import fs from 'node:fs';
import path from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import { isRecord } from '@tsalt/core';
import { CacheError } from './errors.js';

/** What the master keeps per minion; either part may be absent. */
export interface CachedMinionData {
  grains?: Record<string, unknown>;
  pillar?: Record<string, unknown>;
}

/** Temp files sit in the `minions` folder itself, so a watcher of that one folder sees every write. */
const TMP_RE = /^\.(.+)\.\d+\.[0-9a-f]{8}\.tmp$/;

export function minionsDir(cachedir: string): string {
  return path.join(cachedir, 'minions');
}

/** Throws CacheError for an id that cannot safely name a folder. */
export function checkId(id: string): void {
  if (typeof id !== 'string' || !id || id === '.' || id === '..' || /[/\\\0]/.test(id)) {
    throw new CacheError('CACHE_BAD_ID', `Invalid minion id for the cache: ${JSON.stringify(id)}`);
  }
}

/** The keys of a minion's bank: `data` (grains and pillar) and `mine`. */
export type BankKey = 'data' | 'mine';

export function dataFile(cachedir: string, id: string, key: BankKey = 'data'): string {
  checkId(id);
  return path.join(minionsDir(cachedir), id, `${key}.p`);
}

/** The minion id a temp file or folder name in `minions/` belongs to; undefined for others. */
export function idOfEntry(name: string): string | undefined {
  const m = TMP_RE.exec(name);
  if (m) return m[1];
  if (name.startsWith('.')) return undefined;
  return name;
}

export function encodeData(data: CachedMinionData): Uint8Array {
  const out: Record<string, unknown> = {};
  if (data.grains !== undefined) out['grains'] = data.grains;
  if (data.pillar !== undefined) out['pillar'] = data.pillar;
  return encode(out);
}

/** Decodes a data.p; throws CacheError when it is not msgpack of a dict. */
export function decodeData(buf: Uint8Array, file: string): CachedMinionData {
  let v: unknown;
  try {
    v = decode(buf);
  } catch (err) {
    throw new CacheError('CACHE_READ', `${file} is not msgpack: ${(err as Error).message}`, { cause: err });
  }
  if (!isRecord(v)) throw new CacheError('CACHE_READ', `${file} does not hold a dict`);
  const out: CachedMinionData = {};
  if (isRecord(v['grains'])) out.grains = v['grains'];
  if (isRecord(v['pillar'])) out.pillar = v['pillar'];
  return out;
}

/** Decodes a mine.p: a dict of function name to data; throws CacheError otherwise. */
export function decodeMine(buf: Uint8Array, file: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = decode(buf);
  } catch (err) {
    throw new CacheError('CACHE_READ', `${file} is not msgpack: ${(err as Error).message}`, { cause: err });
  }
  if (!isRecord(v)) throw new CacheError('CACHE_READ', `${file} does not hold a dict`);
  return v;
}

/** Writes data.p atomically: a temp file in `minions/`, then rename into `<id>/`. */
export function writeData(cachedir: string, id: string, data: CachedMinionData): Promise<fs.Stats> {
  return writeKey(cachedir, id, 'data', encodeData(data));
}

/** Writes one key of the minion's bank (`data.p`, `mine.p`) atomically. */
export async function writeKey(cachedir: string, id: string, key: BankKey, bytes: Uint8Array): Promise<fs.Stats> {
  const file = dataFile(cachedir, id, key);
  await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = tmpFile(cachedir, id);
  try {
    await fs.promises.writeFile(tmp, bytes, { mode: 0o600 });
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  return fs.promises.stat(file);
}

/** A temp name in `minions/` that says whose it is (see TMP_RE). */
function tmpFile(cachedir: string, id: string): string {
  const rand = Math.floor(Math.random() * 0xffffffff)
    .toString(16)
    .padStart(8, '0');
  return path.join(minionsDir(cachedir), `.${id}.${process.pid}.${rand}.tmp`);
}

/**
 * Removes data.p (or mine.p) by moving it out to `minions/` first, so a
 * watcher of that folder sees it go. False when there was none.
 */
export async function removeData(cachedir: string, id: string, key: BankKey = 'data'): Promise<boolean> {
  const tmp = tmpFile(cachedir, id);
  try {
    await fs.promises.rename(dataFile(cachedir, id, key), tmp);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
      return false;
    throw err;
  }
  await fs.promises.rm(tmp, { force: true });
  return true;
}

/**
 * Salt's `check_minion_cache` for one id (tsalt-key -d): drops the minion's
 * whole cache folder. Synchronous: tsalt-key exits right after.
 */
export function dropMinionData(cachedir: string, id: string): void {
  checkId(id);
  fs.rmSync(path.join(minionsDir(cachedir), id), { recursive: true, force: true });
}
