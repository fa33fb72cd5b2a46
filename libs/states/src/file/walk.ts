import fs from 'node:fs';
import path from 'node:path';

/** One directory of a walk: `os.walk`'s `(root, dirs, files)`. */
export interface WalkEntry {
  root: string;
  dirs: string[];
  files: string[];
}

/** One level of a directory: its subdirectories (links to directories too) and the rest, sorted; null when unreadable. */
function readLevel(root: string): { dirs: string[]; files: string[] } | null {
  let names: fs.Dirent[];
  try {
    names = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return null;
  }
  const dirs: string[] = [];
  const files: string[] = [];
  for (const d of names.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
    let dir = d.isDirectory();
    if (d.isSymbolicLink()) {
      try {
        dir = fs.statSync(path.join(root, d.name)).isDirectory();
      } catch {
        dir = false;
      }
    }
    (dir ? dirs : files).push(d.name);
  }
  return { dirs, files };
}

/**
 * `os.walk(top)` top-down without following links (a link to a directory
 * counts as a directory, and is not entered), cut as Salt's
 * `_depth_limited_walk`: at `maxDepth` levels below top a directory's
 * subdirectories are neither listed nor entered.
 */
export function walk(top: string, maxDepth: number | null = null): WalkEntry[] {
  const out: WalkEntry[] = [];
  const visit = (root: string, depth: number): void => {
    const level = readLevel(root);
    if (!level) return;
    const dirs = maxDepth !== null && depth >= maxDepth ? [] : level.dirs;
    out.push({ root, dirs, files: level.files });
    for (const d of dirs) {
      const p = path.join(root, d);
      if (!fs.lstatSync(p).isSymbolicLink()) visit(p, depth + 1);
    }
  };
  visit(top, 0);
  return out;
}

/** Salt's `check_include_exclude`: glob or `E@regex` patterns over a relative path. */
export function includeExclude(rel: string, include: unknown, exclude: unknown): boolean {
  const match = (pat: string): boolean => {
    if (pat.startsWith('E@')) return new RegExp(pat.slice(2)).test(rel);
    return globRe(pat).test(rel);
  };
  let ret = true;
  if (typeof include === 'string' && include) ret = match(include);
  if (typeof exclude === 'string' && exclude) ret = ret && !match(exclude);
  return ret;
}

/** fnmatch: `*` and `?` cross `/` as Python's fnmatch does. */
function globRe(glob: string): RegExp {
  let re = '';
  for (const c of glob) {
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Salt's `_find_keep_files`: each kept path and every directory above it. */
function keepSet(root: string, keep: readonly string[]): Set<string> {
  const out = new Set<string>([root]);
  for (const k of keep) {
    if (!path.isAbsolute(k)) continue;
    let p = path.resolve(k);
    out.add(p);
    for (;;) {
      const up = path.dirname(p);
      out.add(up);
      if (up === p || up === '/') break;
      p = up;
    }
  }
  return out;
}

/**
 * Salt's `_clean_dir`: every path under `root` not kept (and matching
 * `exclude_pat`'s "not excluded"), removed unless `test`; the removed paths.
 */
export function cleanDir(root: string, keep: readonly string[], excludePat: unknown, test: boolean): string[] {
  const real = keepSet(root, keep);
  const removed: string[] = [];
  // Lazy like os.walk: a removed directory is not entered (in test mode nothing is removed, so it is).
  const visit = (dir: string): void => {
    const entry = readLevel(dir);
    if (!entry) return;
    for (const n of [...entry.dirs, ...entry.files]) {
      const p = path.join(dir, n);
      if (real.has(p)) continue;
      if (!includeExclude(path.relative(root, p), null, excludePat)) continue;
      removed.push(p);
      if (!test) fs.rmSync(p, { recursive: true, force: true });
    }
    for (const d of entry.dirs) {
      const p = path.join(dir, d);
      let st: fs.Stats | null = null;
      try {
        st = fs.lstatSync(p);
      } catch {
        st = null;
      }
      if (st?.isDirectory()) visit(p);
    }
  };
  visit(root);
  return removed;
}
