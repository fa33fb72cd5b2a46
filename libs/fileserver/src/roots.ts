import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isRecord } from '@tsalt/core';
import { UnsafePathError } from './errors.js';
import { inside, realRoots, walkRoots, type Tree } from './walk.js';

/** Salt's `file_buffer_size` default: the size of one `_serve_file` chunk, in bytes. */
export const FILE_BUFFER_SIZE = 262_144;
/** How long one saltenv's walked tree is reused, in ms, so a big tree is not walked per request. */
const LIST_TTL_MS = 1000;

export interface FileServerOptions {
  /** `file_roots`: saltenv to a list of directories, used as written. */
  file_roots: Record<string, unknown>;
  /** `hash_type`: a node:crypto digest name (md5, sha1, sha256, ...). */
  hash_type: string;
  /** Chunk size of `_serve_file`, in bytes. */
  file_buffer_size?: number;
}

/** Salt's `fnd`: where a salt:// path sits. `stat` is `list(os.stat(path))`, times in whole seconds. */
export interface Found {
  path: string;
  rel: string;
  stat: number[];
  back: 'roots';
}

/** `_file_hash`'s answer. */
export interface FileHash {
  hsum: string;
  hash_type: string;
}

/** One `_serve_file` chunk: `data` is a string for UTF-8 text, bytes otherwise; empty at the end. */
export interface FileChunk {
  data: string | Buffer;
  dest: string;
  gzip?: number;
}

/** Refuses what Salt's find_file refuses (absolute, `..`) and a NUL byte. */
export function checkRelPath(path: string): void {
  if (path.includes('\0')) throw new UnsafePathError('path contains a NUL byte');
  if (isAbsolute(path)) throw new UnsafePathError(`absolute path refused: ${path}`);
  if (path.split('/').includes('..')) throw new UnsafePathError(`path leaves the file roots: ${path}`);
}

function statList(st: Stats): number[] {
  const s = (ms: number): number => Math.floor(ms / 1000);
  return [st.mode, st.ino, st.dev, st.nlink, st.uid, st.gid, st.size, s(st.atimeMs), s(st.mtimeMs), s(st.ctimeMs)];
}

/**
 * Salt's `roots` file server backend: serves `file_roots` per saltenv,
 * confined to the roots (a symlink is followed only while it resolves inside
 * one of its saltenv's roots).
 */
export class FileServer {
  private readonly trees = new Map<string, { at: number; tree: Promise<Tree> }>();
  readonly bufferSize: number;

  constructor(private readonly opts: FileServerOptions) {
    this.bufferSize = opts.file_buffer_size ?? FILE_BUFFER_SIZE;
  }

  /** The saltenvs configured, as `fileserver.envs` lists them. */
  envs(): string[] {
    return Object.keys(this.opts.file_roots).sort();
  }

  /** The directories of one saltenv, as written; none for an unknown saltenv. */
  roots(saltenv: string): string[] {
    const r = isRecord(this.opts.file_roots) ? this.opts.file_roots[saltenv] : undefined;
    return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
  }

  private tree(saltenv: string): Promise<Tree> {
    // Only configured saltenvs are cached: a minion asking for made-up names must not grow the map.
    if (this.roots(saltenv).length === 0) return Promise.resolve({ files: [], dirs: [], emptyDirs: [], links: {} });
    const hit = this.trees.get(saltenv);
    if (hit && Date.now() - hit.at < LIST_TTL_MS) return hit.tree;
    const tree = walkRoots(this.roots(saltenv));
    this.trees.set(saltenv, { at: Date.now(), tree });
    return tree;
  }

  async fileList(saltenv: string, prefix = ''): Promise<string[]> {
    return withPrefix((await this.tree(saltenv)).files, prefix);
  }

  async emptyDirs(saltenv: string, prefix = ''): Promise<string[]> {
    return withPrefix((await this.tree(saltenv)).emptyDirs, prefix);
  }

  async dirList(saltenv: string, prefix = ''): Promise<string[]> {
    return withPrefix((await this.tree(saltenv)).dirs, prefix);
  }

  async symlinkList(saltenv: string, prefix = ''): Promise<Record<string, string>> {
    const links = (await this.tree(saltenv)).links;
    const p = prefix.replace(/^\/+|\/+$/g, '');
    return Object.fromEntries(Object.entries(links).filter(([k]) => k.startsWith(p)));
  }

  /** Where `path` sits in the first root holding it, or undefined (missing or refused). */
  async find(rawPath: string, rawEnv: string): Promise<Found | undefined> {
    const { path, saltenv } = splitQuery(rawPath, rawEnv);
    try {
      checkRelPath(path);
    } catch {
      return undefined;
    }
    if (path === '') return undefined;
    const roots = this.roots(saltenv);
    const real = await realRoots(roots);
    for (const root of roots) {
      const full = join(root, path);
      try {
        const resolved = await realpath(full);
        if (!real.some((r) => inside(resolved, r))) continue;
        const st = await stat(resolved);
        if (st.isFile()) return { path: full, rel: path, stat: statList(st), back: 'roots' };
      } catch {
        // Not in this root.
      }
    }
    return undefined;
  }

  /** `_file_hash`: Salt's `{hsum, hash_type}`, or '' when the file is not served. */
  async fileHash(path: string, saltenv: string): Promise<FileHash | ''> {
    const fnd = await this.find(path, saltenv);
    if (!fnd) return '';
    return { hsum: await hashFile(fnd.path, this.opts.hash_type), hash_type: this.opts.hash_type };
  }

  /** `_serve_file`: the chunk at byte `loc`; `{data: '', dest: ''}` for a path not served. */
  async serveFile(path: string, saltenv: string, loc: number, gzip?: number): Promise<FileChunk> {
    const fnd = await this.find(path, saltenv);
    if (!fnd || !Number.isInteger(loc) || loc < 0) return { data: '', dest: '' };
    const fh = await open(fnd.path, 'r');
    let buf: Buffer;
    try {
      const chunk = Buffer.alloc(this.bufferSize);
      const { bytesRead } = await fh.read(chunk, 0, this.bufferSize, loc);
      buf = chunk.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
    if (gzip !== undefined && buf.length > 0) {
      const level = Math.min(9, Math.max(1, Math.trunc(gzip)));
      return { data: gzipSync(buf, { level }), dest: fnd.rel, gzip: level };
    }
    return { data: asText(buf) ?? buf, dest: fnd.rel };
  }
}

/**
 * Salt's find_file: `path?saltenv=dev` names its saltenv in the path, and a
 * path starting with `|` is escaped (taken as is, `?` and all).
 */
export function splitQuery(path: string, saltenv: string): { path: string; saltenv: string } {
  if (path.startsWith('|')) return { path: path.slice(1), saltenv };
  const q = path.indexOf('?');
  if (q < 0) return { path, saltenv };
  let env = saltenv;
  for (const comp of path.slice(q + 1).split('&')) {
    const eq = comp.indexOf('=');
    if (eq > 0 && comp.slice(0, eq) === 'saltenv') env = comp.slice(eq + 1);
  }
  return { path: path.slice(0, q), saltenv: env };
}

/** A chunk as text when it is NUL-free UTF-8 (Salt decodes text files), else undefined. */
function asText(buf: Buffer): string | undefined {
  if (buf.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return undefined;
  }
}

function withPrefix(list: string[], prefix: string): string[] {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  return p === '' ? [...list] : list.filter((f) => f.startsWith(p));
}

/** The hex digest of a file, read as a stream. */
export async function hashFile(path: string, hashType: string): Promise<string> {
  const h = createHash(hashType);
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}
