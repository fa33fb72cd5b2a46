import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Logger } from '@tsalt/core';
import type { FileServerBackend, ServerHash } from './backend.js';
import { parseSaltUrl } from './salt-url.js';

/** Salt's fetch-and-verify retries when a download does not match the master's hash. */
const FETCH_TRIES = 3;

export interface FileClientOptions {
  /** The minion's cachedir; files land in `<cachedir>/files/<saltenv>/<path>`. */
  cachedir: string;
  log?: Logger;
}

/** The hex digest of a local file, or undefined when it cannot be read. */
export function hashLocalFile(file: string, hashType: string): string | undefined {
  try {
    return crypto.createHash(hashType).update(fs.readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}

/**
 * Salt's file client (RemoteClient or, over a local backend, FSClient):
 * fetches files from the file server into the minion's cache and keeps
 * them there; a cached copy whose hash matches the server's is used as is.
 */
export class FileClient {
  constructor(
    private readonly backend: FileServerBackend,
    private readonly o: FileClientOptions,
  ) {}

  /** Where `path` of `saltenv` is cached. */
  cachePath(relPath: string, saltenv: string): string {
    return path.join(this.o.cachedir, 'files', saltenv, relPath);
  }

  async hashFile(source: string, saltenv: string): Promise<ServerHash | undefined> {
    const u = parseSaltUrl(source, saltenv);
    return this.backend.hash(u.path, u.saltenv);
  }

  /** The server's mode bits for `source` (from `_file_find`'s stat), or undefined when it has no such file or no stat. */
  async statMode(source: string, saltenv: string): Promise<number | undefined> {
    const u = parseSaltUrl(source, saltenv);
    return (await this.backend.find(u.path, u.saltenv))?.stat?.[0];
  }

  /** A cached copy of `source`, fetched only when missing or changed; null when the server has no such file. */
  async cacheFile(source: string, saltenv: string): Promise<string | null> {
    const u = parseSaltUrl(source, saltenv);
    const got = await this.fetchTo(u.path, u.saltenv, this.cachePath(u.path, u.saltenv), true);
    return got === false ? null : got;
  }

  /** Salt's get_file: `dest` a directory (or ending in '/') gets the file's name; false when it cannot be had. */
  async getFile(source: string, dest: string, saltenv: string, makedirs: boolean): Promise<string | false> {
    const u = parseSaltUrl(source, saltenv);
    let target = dest;
    if (dest.endsWith('/') || isDir(dest)) target = path.join(dest, path.posix.basename(u.path));
    return this.fetchTo(u.path, u.saltenv, target, makedirs);
  }

  /** The cached copy's path if there is one ('' otherwise), without asking the server. */
  isCached(source: string, saltenv: string): string {
    const u = parseSaltUrl(source, saltenv);
    const file = this.cachePath(u.path, u.saltenv);
    return fs.existsSync(file) ? file : '';
  }

  /** The saltenvs the file server has. */
  envs(): Promise<string[]> {
    return this.backend.envs();
  }

  list(kind: '_file_list' | '_file_list_emptydirs' | '_dir_list', saltenv: string, prefix = ''): Promise<string[]> {
    return this.backend.list(kind, saltenv, prefix);
  }

  /** Every file under directory `source`, cached (or copied under `dest` keeping the tree); the local paths. */
  async getDir(source: string, saltenv: string, dest?: string, includeEmpty = false): Promise<string[]> {
    const u = parseSaltUrl(source, saltenv);
    const base = u.path.replace(/\/+$/, '');
    const under = (p: string): boolean => p.startsWith(`${base}/`);
    const out: string[] = [];
    // The copy keeps the directory's own name under dest, as Salt's get_dir does.
    const parent = path.posix.dirname(base) === '.' ? '' : path.posix.dirname(base);
    const place = (rel: string): string =>
      dest === undefined ? this.cachePath(rel, u.saltenv) : path.join(dest, path.posix.relative(parent, rel));
    for (const rel of (await this.backend.list('_file_list', u.saltenv, base)).filter(under)) {
      const got = await this.fetchTo(rel, u.saltenv, place(rel), true);
      if (got !== false) out.push(got);
    }
    if (includeEmpty) {
      for (const rel of (await this.backend.list('_file_list_emptydirs', u.saltenv, base)).filter(under)) {
        fs.mkdirSync(place(rel), { recursive: true });
      }
    }
    return out;
  }

  /** The files in this minion's cache for `saltenv`, relative to it (Salt's file_local_list). */
  listCached(saltenv: string): string[] {
    const root = path.join(this.o.cachedir, 'files', saltenv);
    const out: string[] = [];
    const walk = (dir: string): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else out.push(path.relative(root, full));
      }
    };
    walk(root);
    return out.sort();
  }

  /** Fetches `rel` into `target` unless its hash already matches; false when the server lacks it or it cannot be written. */
  private async fetchTo(rel: string, saltenv: string, target: string, makedirs: boolean): Promise<string | false> {
    const want = await this.backend.hash(rel, saltenv);
    if (!want) {
      this.o.log?.debug({ path: rel, saltenv }, `Could not find file '${rel}' in saltenv '${saltenv}'`);
      return false;
    }
    if (hashLocalFile(target, want.hash_type) === want.hsum) {
      this.o.log?.debug({ path: rel, saltenv, target }, 'file client: cached copy is current, not fetched');
      return target;
    }
    const dir = path.dirname(target);
    if (!isDir(dir)) {
      if (!makedirs) return false;
      fs.mkdirSync(dir, { recursive: true });
    }
    for (let attempt = 1; ; attempt++) {
      const data = await this.download(rel, saltenv);
      if (data === undefined) return false;
      const got = crypto.createHash(want.hash_type).update(data).digest('hex');
      if (got === want.hsum || attempt >= FETCH_TRIES) {
        if (got !== want.hsum) this.o.log?.warn({ path: rel }, `file client: '${rel}' does not match its hash; kept`);
        // A temp file then rename, so a reader never sees half a file.
        const tmp = `${target}.tsalt-partial-${process.pid}`;
        fs.writeFileSync(tmp, data);
        fs.renameSync(tmp, target);
        this.o.log?.debug({ path: rel, saltenv, target, bytes: data.length }, 'file client: fetched');
        return target;
      }
    }
  }

  /** Every chunk of `rel` from offset 0 until an empty one; undefined when the server has no such file. */
  private async download(rel: string, saltenv: string): Promise<Buffer | undefined> {
    const parts: Buffer[] = [];
    let loc = 0;
    for (;;) {
      const c = await this.backend.chunk(rel, saltenv, loc);
      if (c.data.length === 0) return loc === 0 && c.dest === '' ? undefined : Buffer.concat(parts);
      const raw = Buffer.from(c.data.buffer, c.data.byteOffset, c.data.byteLength);
      parts.push(c.gzip ? zlib.gunzipSync(raw) : raw);
      // loc counts the file's bytes, so compressed chunks advance by what they held uncompressed.
      loc += parts[parts.length - 1]?.length ?? 0;
    }
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
