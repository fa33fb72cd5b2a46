import fs from 'node:fs';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import { ATOMIC_TMP_SUFFIX_MAX_BYTES, peerText, writeFileAtomic } from '@tsalt/core';
import { parsePublicKey, pemFingerprint, samePublicKey } from './keys.js';
import { KeyError } from './errors.js';

export type KeyState = 'accepted' | 'pending' | 'rejected' | 'denied';

/** Salt's folder per key state, under the master's pki_dir. */
export const STATE_DIRS: Readonly<Record<KeyState, string>> = {
  accepted: 'minions',
  pending: 'minions_pre',
  rejected: 'minions_rejected',
  denied: 'minions_denied',
};

export type KeyListing = Record<'minions' | 'minions_pre' | 'minions_rejected' | 'minions_denied', string[]>;

/**
 * The longest minion id, UTF-8 bytes: the id is a key's file name, which a
 * file system holds up to 255 bytes, and the key store writes it through a
 * temp file whose name adds a suffix. Counted in bytes, not characters: 100
 * 'é' are 200 bytes.
 */
export const MAX_ID_BYTES = 255 - ATOMIC_TMP_SUFFIX_MAX_BYTES;

/**
 * Salt's `valid_id`: a minion id must be a non-empty string that cannot
 * leave the pki folder, and (tsalt) short enough to be a key's file name.
 * Returns the reason it is invalid, or undefined.
 */
export function invalidIdReason(id: unknown): string | undefined {
  if (typeof id !== 'string') return 'minion id is not a string';
  if (id.length === 0) return 'minion id is empty';
  // Checked on the length first: a megabyte id is refused without encoding it.
  if (id.length > MAX_ID_BYTES || Buffer.byteLength(id, 'utf8') > MAX_ID_BYTES)
    return `minion id is longer than ${MAX_ID_BYTES} bytes`;
  if (id.includes('\0')) return 'minion id contains a NUL byte';
  if (id.includes('/') || id.includes('\\')) return 'minion id contains a path separator';
  if (id.includes('..')) return "minion id contains '..'";
  if (id === '.' || /[\x00-\x1f\x7f]/.test(id)) return 'minion id contains control characters';
  return undefined;
}

/** How often the accepted-keys cache checks the folder for changes by other processes (ms). */
const STAT_EVERY_MS = 100;

/**
 * The master's key folders. Every method re-checks ids, so no caller can
 * make it write outside pki_dir. `tsalt-key` and the master share this code.
 */
export class KeyStore {
  private acceptedCache = new Map<string, { pem: string; key: KeyObject }>();
  private acceptedMtimeMs = -1;
  private statAtMs = 0;

  constructor(
    readonly pkiDir: string,
    private readonly hashType = 'sha256',
  ) {}

  ensureDirs(): void {
    fs.mkdirSync(this.pkiDir, { recursive: true, mode: 0o700 });
    for (const d of Object.values(STATE_DIRS))
      fs.mkdirSync(path.join(this.pkiDir, d), { recursive: true, mode: 0o700 });
  }

  private file(state: KeyState, id: string): string {
    const reason = invalidIdReason(id);
    if (reason) throw new KeyError(`refused key for '${peerText(id, 64)}': ${reason}`);
    return path.join(this.pkiDir, STATE_DIRS[state], id);
  }

  /** The stored PEM of `id` in `state`, or undefined. */
  read(state: KeyState, id: string): string | undefined {
    const file = this.file(state, id);
    // A miss is the common case in an auth storm (no pending, no rejected key): a
    // check without the cost of a thrown ENOENT (1 against 13 us here).
    if (!fs.existsSync(file)) return undefined;
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  write(state: KeyState, id: string, pem: string): void {
    this.keepingCache(state, id, () => writeFileAtomic(this.file(state, id), pem, 0o644));
  }

  remove(state: KeyState, id: string): boolean {
    const file = this.file(state, id);
    if (!fs.existsSync(file)) return false;
    try {
      this.keepingCache(state, id, () => fs.unlinkSync(file));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  private acceptedDirMtime(): number {
    try {
      return fs.statSync(path.join(this.pkiDir, STATE_DIRS.accepted)).mtimeMs;
    } catch {
      return -1;
    }
  }

  /**
   * Our own change to `minions/` forgets only that id's cached key: an auth
   * storm accepting 10,000 keys would otherwise empty the cache 10,000 times
   * and make every minion's requests parse its key again. A change by
   * another process (tsalt-key) still drops the whole cache.
   */
  private keepingCache(state: KeyState, id: string, change: () => void): void {
    if (state !== 'accepted') return change();
    const wasCurrent = this.acceptedDirMtime() === this.acceptedMtimeMs;
    try {
      change();
    } finally {
      this.acceptedCache.delete(id);
      if (wasCurrent) this.acceptedMtimeMs = this.acceptedDirMtime();
    }
  }

  ids(state: KeyState): string[] {
    try {
      return fs
        .readdirSync(path.join(this.pkiDir, STATE_DIRS[state]))
        .filter((f) => !f.startsWith('.') && !f.endsWith('.tmp') && invalidIdReason(f) === undefined)
        .sort();
    } catch {
      return [];
    }
  }

  list(): KeyListing {
    return {
      minions: this.ids('accepted'),
      minions_pre: this.ids('pending'),
      minions_rejected: this.ids('rejected'),
      minions_denied: this.ids('denied'),
    };
  }

  /**
   * The accepted key of `id`, parsed, from a cache that is dropped whenever
   * the `minions` folder changes (tsalt-key runs in another process). The
   * folder is looked at most every STAT_EVERY_MS: every minion request
   * asks, and a stat each costs more than the rest of the check. A key
   * deleted by tsalt-key also rotates the session key at once (dropfile),
   * so the short delay never lets a removed minion in.
   */
  acceptedKey(id: string): { pem: string; key: KeyObject } | undefined {
    if (invalidIdReason(id)) return undefined;
    const now = Date.now();
    if (now - this.statAtMs >= STAT_EVERY_MS || this.acceptedMtimeMs < 0) {
      this.statAtMs = now;
      const mtime = this.acceptedDirMtime();
      if (mtime < 0) return undefined;
      if (mtime !== this.acceptedMtimeMs) {
        this.acceptedCache.clear();
        this.acceptedMtimeMs = mtime;
      }
    }
    const hit = this.acceptedCache.get(id);
    if (hit) return hit;
    const pem = this.read('accepted', id);
    if (!pem) return undefined;
    try {
      const entry = { pem, key: parsePublicKey(pem) };
      this.acceptedCache.set(id, entry);
      return entry;
    } catch {
      return undefined;
    }
  }

  /** Remembers a key just accepted by this process, already parsed, so its first request does not parse it again. */
  rememberAccepted(id: string, pem: string, key: KeyObject): void {
    if (this.acceptedDirMtime() === this.acceptedMtimeMs) this.acceptedCache.set(id, { pem, key });
  }

  /** Moves `id` from one of `from` to `to`; returns the state it came from. */
  move(id: string, from: KeyState[], to: KeyState): KeyState | undefined {
    for (const s of from) {
      const pem = this.read(s, id);
      if (pem === undefined) continue;
      this.write(to, id, pem);
      this.remove(s, id);
      return s;
    }
    return undefined;
  }

  /** Deletes `id` from every state; true if anything was removed. */
  deleteAll(id: string): boolean {
    let any = false;
    for (const s of Object.keys(STATE_DIRS) as KeyState[]) any = this.remove(s, id) || any;
    return any;
  }

  fingerprint(pem: string): string {
    return pemFingerprint(pem, this.hashType);
  }

  sameKey(a: string, b: string): boolean {
    return samePublicKey(a, b);
  }
}
