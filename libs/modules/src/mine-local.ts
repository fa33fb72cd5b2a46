import fs from 'node:fs';
import path from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import { isRecord, writeFileAtomic } from '@tsalt/core';

/*
 * The masterless mine (`file_client: local`, tsalt-call --local): Salt keeps
 * it in the minion's datastore, `<cachedir>/datastore` (msgpack of a dict,
 * salt.modules.data), under the key `mine_cache`.
 */

const KEY = 'mine_cache';

function datastorePath(cachedir: string): string {
  return path.join(cachedir, 'datastore');
}

/** The whole datastore; `{}` when it is missing or unreadable (Salt's data.load). */
function loadStore(cachedir: string): Record<string, unknown> {
  try {
    const v = decode(fs.readFileSync(datastorePath(cachedir)));
    return isRecord(v) ? v : {};
  } catch {
    return {};
  }
}

/** The local mine, function name to data. */
export function readLocalMine(cachedir: string): Record<string, unknown> {
  const mine = loadStore(cachedir)[KEY];
  return isRecord(mine) ? { ...mine } : {};
}

/** Replaces the local mine, keeping the datastore's other keys; true once written. */
export function writeLocalMine(cachedir: string, mine: Record<string, unknown>): boolean {
  const store = { ...loadStore(cachedir), [KEY]: mine };
  fs.mkdirSync(cachedir, { recursive: true, mode: 0o700 });
  writeFileAtomic(datastorePath(cachedir), encode(store), 0o600);
  return true;
}
