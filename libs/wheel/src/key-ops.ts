import fs from 'node:fs';
import path from 'node:path';
import { fnmatch, type Logger } from '@tsalt/core';
import { KeyStore, pemFingerprint, type KeyListing, type KeyState } from '@tsalt/crypto';
import type { MasterConfig } from '@tsalt/config';
import type { PluginContext, PluginDefinition } from '@tsalt/loader';
import { WheelError } from './errors.js';
import { dropMinionData } from '@tsalt/cache';

/** A key status as Salt names it: the folder under pki_dir. */
export type KeyStatus = keyof KeyListing;

/** Salt's `name_match` result: only statuses with a match appear. */
export type KeyMatches = Partial<Record<KeyStatus, string[]>>;

/** A glob, a comma-separated list of globs, or a list of globs (Salt's `match`). */
export type KeyMatch = string | readonly string[];

/** In `salt-key -L` order, which is also the order actions walk the folders. */
export const KEY_STATUSES: readonly { state: KeyState; status: KeyStatus }[] = [
  { state: 'accepted', status: 'minions' },
  { state: 'denied', status: 'minions_denied' },
  { state: 'pending', status: 'minions_pre' },
  { state: 'rejected', status: 'minions_rejected' },
];

const STATE_OF: Record<KeyStatus, KeyState> = {
  minions: 'accepted',
  minions_pre: 'pending',
  minions_rejected: 'rejected',
  minions_denied: 'denied',
};

export type KeyAction = 'accept' | 'reject' | 'delete';

/** Which folders an action takes keys from, as salt-key's `--include-*` flags widen it. */
export interface KeyActionFlags {
  includeRejected?: boolean;
  includeDenied?: boolean;
  includeAccepted?: boolean;
}

export type FireFn = (tag: string, data: Record<string, unknown>) => Promise<void> | void;

export interface KeyOpsOptions {
  store: KeyStore;
  /** The master's pki_dir, for its own (local) keys. */
  pkiDir: string;
  /** Salt's `hash_type` for fingerprints. @default 'sha256' */
  hashType?: string;
  /** Where the `.dfn` dropfile goes: the master rotates its AES key when it appears. */
  cachedir: string;
  /** Salt's `rotate_aes_key`: reject and delete ask for a rotation. @default true */
  rotateAesKey?: boolean;
  /** Salt's `preserve_minion_cache`: keep a deleted minion's data cache. @default false */
  preserveMinionCache?: boolean;
  /** Fires `salt/key` per key acted on; failures are logged and ignored. */
  fire?: FireFn;
  log?: Logger;
}

/**
 * Salt's `salt.key.Key`: the key actions shared by `tsalt-key` and the
 * `key` wheel module, so both move the same files, fire the same `salt/key`
 * events and ask for the same AES rotation.
 */
export class KeyOps {
  readonly store: KeyStore;
  constructor(private readonly o: KeyOpsOptions) {
    this.store = o.store;
  }

  /** Where the keys matching `match` are now; `full` adds the master's own keys under `local`. */
  nameMatch(
    match: KeyMatch,
    states: readonly KeyState[] = ['accepted', 'pending', 'rejected', 'denied'],
    full = false,
  ): KeyMatches & { local?: string[] } {
    const globs = splitMatch(match);
    const all = this.store.list();
    const out: KeyMatches & { local?: string[] } = {};
    for (const s of KEY_STATUSES) {
      if (!states.includes(s.state)) continue;
      const ids = all[s.status].filter((id) => globs.some((g) => fnmatch(id, g)));
      if (ids.length) out[s.status] = ids;
    }
    if (full) {
      const local = this.localKeys().filter((f) => globs.some((g) => fnmatch(f, g)));
      if (local.length) out.local = local;
    }
    return out;
  }

  /** Salt's `dict_match`: the current status of each id named in a `{status: [ids]}` map. */
  dictMatch(matches: KeyMatches): KeyMatches {
    const all = this.store.list();
    const out: KeyMatches = {};
    for (const ids of Object.values(matches)) {
      for (const id of ids ?? []) {
        for (const s of KEY_STATUSES) {
          if (all[s.status].some((k) => fnmatch(k, id))) (out[s.status] ??= []).push(id);
        }
      }
    }
    return out;
  }

  /** The master's own key files (`*.pem`, `*.pub` in pki_dir), Salt's `local_keys`. */
  localKeys(): string[] {
    try {
      return fs
        .readdirSync(this.o.pkiDir)
        .filter((f) => f.endsWith('.pem') || f.endsWith('.pub'))
        .sort();
    } catch {
      return [];
    }
  }

  /** Salt's `all_keys`: every status plus `local`. */
  listAll(): KeyListing & { local: string[] } {
    return { local: this.localKeys(), ...this.store.list() };
  }

  /** Salt's `list_status`: `acc`, `pre`/`un`, `rej`, `den` by prefix, or `all`. */
  listStatus(match: string): Record<string, string[]> {
    const m = match.toLowerCase();
    if (m.startsWith('all')) return this.listAll();
    const all = this.store.list();
    if (m.startsWith('acc')) return { minions: all.minions };
    if (m.startsWith('pre') || m.startsWith('un')) return { minions_pre: all.minions_pre };
    if (m.startsWith('rej')) return { minions_rejected: all.minions_rejected };
    if (m.startsWith('den')) return { minions_denied: all.minions_denied };
    return {};
  }

  /** The folders `action` takes keys from. */
  sourceStates(action: KeyAction, f: KeyActionFlags = {}): KeyState[] {
    if (action === 'delete') return ['accepted', 'pending', 'rejected', 'denied'];
    const out: KeyState[] = ['pending'];
    if (action === 'accept' && f.includeRejected) out.push('rejected');
    if (action === 'reject' && f.includeAccepted) out.push('accepted');
    if (f.includeDenied) out.push('denied');
    return out;
  }

  /**
   * Applies `action` to each `{status: [ids]}` entry whose status the action
   * may take from, firing `salt/key` per key; reject and delete then ask for
   * an AES rotation. Returns the ids acted on, in order.
   */
  async apply(action: KeyAction, matches: KeyMatches, f: KeyActionFlags = {}): Promise<string[]> {
    const from = this.sourceStates(action, f);
    const done: string[] = [];
    for (const s of KEY_STATUSES) {
      if (!from.includes(s.state)) continue;
      for (const id of matches[s.status] ?? []) {
        if (!this.applyOne(action, s.state, id)) continue;
        done.push(id);
        await this.fire({ result: true, act: action, id });
      }
    }
    if (action === 'delete') this.dropCaches(done);
    if (action !== 'accept') this.requestRotation();
    return done;
  }

  private applyOne(action: KeyAction, state: KeyState, id: string): boolean {
    try {
      if (action === 'delete') return this.store.remove(state, id);
      return this.store.move(id, [state], action === 'accept' ? 'accepted' : 'rejected') !== undefined;
    } catch (err) {
      // Salt skips a key it cannot move (OSError); one bad id must not stop the rest.
      this.o.log?.warn({ id, action, err: (err as Error).message }, 'key action failed');
      return false;
    }
  }

  private async fire(data: Record<string, unknown>): Promise<void> {
    if (!this.o.fire) return;
    try {
      await this.o.fire('salt/key', data);
    } catch (err) {
      this.o.log?.debug({ err: (err as Error).message }, 'could not fire the salt/key event');
    }
  }

  /** Salt's `check_minion_cache`: a minion with no key left in any state loses its data cache. */
  private dropCaches(ids: readonly string[]): void {
    if (this.o.preserveMinionCache) return;
    const known = new Set(Object.values(this.store.list()).flat());
    for (const id of new Set(ids)) {
      if (known.has(id)) continue;
      try {
        dropMinionData(this.o.cachedir, id);
      } catch (err) {
        this.o.log?.warn({ id, err: (err as Error).message }, 'could not delete the minion data cache');
      }
    }
  }

  /** Salt's `dropfile`: the master rotates its AES session key, so removed minions lose it. */
  requestRotation(): void {
    if (this.o.rotateAesKey === false) return;
    const dfn = path.join(this.o.cachedir, '.dfn');
    try {
      fs.mkdirSync(this.o.cachedir, { recursive: true });
      fs.rmSync(dfn, { force: true });
      fs.writeFileSync(dfn, '', { mode: 0o400 });
    } catch (err) {
      // The master still rotates at its next publish_session.
      this.o.log?.warn({ err: (err as Error).message, file: dfn }, 'could not write the key rotation dropfile');
    }
  }

  fingerprintFile(file: string, hashType = this.o.hashType ?? 'sha256'): string | undefined {
    try {
      return pemFingerprint(fs.readFileSync(file, 'utf8'), hashType);
    } catch {
      return undefined;
    }
  }

  /**
   * Salt's `finger`: `{status: {id: fingerprint}}` for the matching keys,
   * with the master's own keys under `local` when they match, or always the
   * ones named in `localNames` (salt-key -f prints master.pem and master.pub).
   */
  finger(
    match: KeyMatch,
    o: { hashType?: string; localNames?: readonly string[] } = {},
  ): Record<string, Record<string, string>> {
    const hashType = o.hashType ?? this.o.hashType ?? 'sha256';
    const found = this.nameMatch(match, undefined, o.localNames === undefined);
    const out: Record<string, Record<string, string>> = {};
    const localNames = o.localNames ?? found.local ?? [];
    const local: Record<string, string> = {};
    for (const name of localNames) {
      const fp = this.fingerprintFile(path.join(this.o.pkiDir, name), hashType);
      if (fp !== undefined) local[name] = fp;
    }
    if (o.localNames !== undefined || Object.keys(local).length) out['local'] = local;
    for (const s of KEY_STATUSES) {
      const entries: Record<string, string> = {};
      for (const id of found[s.status] ?? []) {
        const pem = this.store.read(s.state, id);
        if (pem !== undefined) entries[id] = pemFingerprint(pem, hashType);
      }
      if (Object.keys(entries).length) out[s.status] = entries;
    }
    return out;
  }

  /** Salt's `key_str`: `{status: {id: pem}}` for the matching keys. */
  keyStr(match: KeyMatch): Record<string, Record<string, string>> {
    const found = this.nameMatch(match);
    const out: Record<string, Record<string, string>> = {};
    for (const s of KEY_STATUSES) {
      const ids = found[s.status];
      if (!ids) continue;
      out[s.status] = Object.fromEntries(ids.map((id) => [id, this.store.read(s.state, id) ?? '']));
    }
    return out;
  }
}

/** Salt splits a string match on commas; a list is a list of globs. */
export function splitMatch(match: KeyMatch): string[] {
  if (typeof match === 'string') return match.includes(',') ? match.split(',') : [match];
  if (Array.isArray(match) && match.every((m) => typeof m === 'string')) return [...match];
  throw new WheelError('BAD_MATCH', `key match must be a glob or a list of globs, not ${JSON.stringify(match)}`);
}

/** Checks a `*_dict` match: `{minions_pre: ['a', 'b'], ...}`. */
export function checkMatchDict(match: unknown): KeyMatches {
  if (typeof match !== 'object' || match === null || Array.isArray(match)) {
    throw new WheelError('BAD_MATCH', `key match must be a map of status to ids, not ${JSON.stringify(match)}`);
  }
  const out: KeyMatches = {};
  for (const [status, ids] of Object.entries(match)) {
    if (!(status in STATE_OF))
      throw new WheelError(
        'BAD_KEY_STATUS',
        `unknown key status '${status}': use minions, minions_pre, minions_rejected or minions_denied`,
      );
    const list: unknown = typeof ids === 'string' ? [ids] : ids;
    if (!Array.isArray(list) || !list.every((i) => typeof i === 'string'))
      throw new WheelError('BAD_MATCH', `ids under '${status}' must be a list of strings`);
    out[status as KeyStatus] = list;
  }
  return out;
}

/** What a daemon injects into wheel calls. */
export interface WheelServices {
  /** The master's key store; without it a wheel call opens one on `pki_dir`. */
  keys: KeyStore;
}

/** What a wheel function sees: the master's compiled config and the wheel services. */
export type WheelContext = PluginContext<MasterConfig, WheelServices>;

/** A wheel module. */
export type WheelPlugin = PluginDefinition<MasterConfig, WheelServices>;

/** The KeyOps a wheel call uses: `services.keys` (the master's KeyStore) and the master's opts. */
export function keyOpsFrom(ctx: Pick<WheelContext, 'opts' | 'services' | 'log' | 'fireEvent'>): KeyOps {
  const opts = ctx.opts;
  const pkiDir = opts.pki_dir;
  const hashType = opts.hash_type;
  const store = ctx.services.keys ?? new KeyStore(pkiDir, hashType);
  const o: KeyOpsOptions = {
    store,
    pkiDir,
    hashType,
    cachedir: opts.cachedir,
    rotateAesKey: opts.rotate_aes_key,
    preserveMinionCache: opts.preserve_minion_cache,
    log: ctx.log,
  };
  if (ctx.fireEvent) o.fire = ctx.fireEvent;
  return new KeyOps(o);
}
