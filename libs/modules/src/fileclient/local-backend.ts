import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FileServerBackend, ListKind, ServerChunk, ServerHash } from './backend.js';
import { isInside } from './salt-url.js';

/** Salt's file_buffer_size default (bytes per served chunk). */
const CHUNK_BYTES = 262_144;

/**
 * `file_client: local`: the minion's own `file_roots` serve as the file
 * server. Paths stay inside the roots: a symlink whose target resolves
 * outside its root is neither listed nor served.
 */
export class LocalFileBackend implements FileServerBackend {
  constructor(
    /** `file_roots` as configured: saltenv to a list of directories (a single string is read as one). */
    private readonly fileRoots: Record<string, unknown>,
    private readonly hashType: string,
  ) {}

  private roots(saltenv: string): string[] {
    const v = this.fileRoots[saltenv];
    if (typeof v === 'string') return [v];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }

  /** The first root holding `rel` as a regular file inside that root, or undefined. */
  private resolve(rel: string, saltenv: string): string | undefined {
    for (const root of this.roots(saltenv)) {
      try {
        const realRoot = fs.realpathSync(root);
        const real = fs.realpathSync(path.join(root, rel));
        if (isInside(realRoot, real) && fs.statSync(real).isFile()) return real;
      } catch {
        // Not in this root.
      }
    }
    return undefined;
  }

  envs(): Promise<string[]> {
    return Promise.resolve(Object.keys(this.fileRoots).sort());
  }

  list(kind: ListKind, saltenv: string, prefix: string): Promise<string[]> {
    const found = new Set<string>();
    for (const root of this.roots(saltenv)) {
      let realRoot: string;
      try {
        realRoot = fs.realpathSync(root);
      } catch {
        continue;
      }
      walk(realRoot, realRoot, kind, found);
    }
    return Promise.resolve([...found].filter((p) => p.startsWith(prefix)).sort());
  }

  hash(rel: string, saltenv: string): Promise<ServerHash | undefined> {
    const file = this.resolve(rel, saltenv);
    if (!file) return Promise.resolve(undefined);
    const hsum = crypto.createHash(this.hashType).update(fs.readFileSync(file)).digest('hex');
    return Promise.resolve({ hsum, hash_type: this.hashType });
  }

  find(rel: string, saltenv: string): Promise<{ stat?: number[] } | undefined> {
    const file = this.resolve(rel, saltenv);
    if (!file) return Promise.resolve(undefined);
    const st = fs.statSync(file);
    // Python's os.stat() order; times in seconds.
    const stat = [
      st.mode,
      st.ino,
      st.dev,
      st.nlink,
      st.uid,
      st.gid,
      st.size,
      st.atimeMs / 1000,
      st.mtimeMs / 1000,
      st.ctimeMs / 1000,
    ];
    return Promise.resolve({ stat });
  }

  chunk(rel: string, saltenv: string, loc: number): Promise<ServerChunk> {
    const file = this.resolve(rel, saltenv);
    if (!file) return Promise.resolve({ data: new Uint8Array(0), dest: '' });
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(CHUNK_BYTES);
      const n = fs.readSync(fd, buf, 0, CHUNK_BYTES, loc);
      return Promise.resolve({ data: buf.subarray(0, n), dest: rel });
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** Collects files, directories or empty directories under `dir`, relative to `root`, never following links out of it. */
function walk(root: string, dir: string, kind: ListKind, out: Set<string>): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  if (kind === '_file_list_emptydirs' && entries.length === 0 && dir !== root) out.add(path.relative(root, dir));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    let real = full;
    if (e.isSymbolicLink()) {
      try {
        real = fs.realpathSync(full);
      } catch {
        continue;
      }
      if (!isInside(root, real)) continue;
    }
    let st: fs.Stats;
    try {
      st = fs.statSync(real);
    } catch {
      continue;
    }
    const rel = path.relative(root, full);
    if (st.isDirectory()) {
      if (kind === '_dir_list') out.add(rel);
      if (!e.isSymbolicLink()) walk(root, full, kind, out);
    } else if (kind === '_file_list') out.add(rel);
  }
}
