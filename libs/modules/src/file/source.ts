import path from 'node:path';
import type { ModuleContext } from '../context.js';
import { pyStr } from '@tsalt/core';
import { executionError, isFile } from './util.js';

/**
 * Fetches a `source` (a local path, `file://` URL, or `salt://`) to a
 * local file and returns its path, or false when it does not exist: Salt's
 * `cp.cache_file`. manage_file, get_diff and check_managed_changes take
 * their sources only through this, so the file server slots in here.
 */
export type SourceFetcher = (source: string, saltenv: string) => Promise<string | false>;

/** A local path, or a `file://` URL's path; null for any other scheme. */
export function localSourcePath(source: string): string | null {
  if (source.startsWith('file://')) return decodeURIComponent(source.slice('file://'.length));
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return source;
  return null;
}

/**
 * The fetcher for a call: local sources are read in place; anything else
 * goes to `cp.cache_file` (the minion's file client, docs/fileclient.md);
 * a registry without `cp` fails with a one-line reason.
 */
export function sourceFetcher(ctx: Pick<ModuleContext, 'call' | 'registry'>): SourceFetcher {
  return async (source, saltenv) => {
    const local = localSourcePath(source);
    if (local !== null) {
      if (!path.isAbsolute(local)) throw executionError(`Source file path must be absolute: ${source}`);
      return isFile(local) ? local : false;
    }
    if (ctx.registry.list('cp.cache_file').length) {
      const got = await ctx.call('cp.cache_file', [source, saltenv]);
      return typeof got === 'string' && got ? got : false;
    }
    throw executionError(`Cannot fetch '${source}': this registry has no file client (cp.cache_file)`);
  };
}

/** Hash types by hex digest length, as Salt guesses them for a bare source_hash. */
const BY_LENGTH: Readonly<Record<number, string>> = {
  32: 'md5',
  40: 'sha1',
  56: 'sha224',
  64: 'sha256',
  96: 'sha384',
  128: 'sha512',
};

/** `source_hash` as `type=hex` or a bare hex digest, to Salt's `{hash_type, hsum}`. */
export function parseSourceHash(v: unknown): { hash_type: string; hsum: string } | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'object' && v !== null && 'hsum' in v) {
    const o = v as Record<string, unknown>;
    return { hash_type: pyStr(o['hash_type'] ?? 'sha256'), hsum: pyStr(o['hsum']).toLowerCase() };
  }
  const s = pyStr(v).trim();
  const m = /^([a-z0-9_]+)[=:]([0-9a-f]+)$/i.exec(s);
  if (m) return { hash_type: m[1]!.toLowerCase(), hsum: m[2]!.toLowerCase() };
  const t = /^[0-9a-f]+$/i.test(s) ? BY_LENGTH[s.length] : undefined;
  if (!t) throw executionError(`Invalid source_hash format: '${s}' (use '<type>=<hex digest>' or a bare digest)`);
  return { hash_type: t, hsum: s.toLowerCase() };
}
