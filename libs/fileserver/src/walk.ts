import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** One saltenv's tree as the roots backend lists it: relative paths with `/`, sorted. */
export interface Tree {
  files: string[];
  dirs: string[];
  emptyDirs: string[];
  /** Symlinks kept (pointing inside the roots): relative path to the link's text. */
  links: Record<string, string>;
}

/** Whether `real` (a resolved path) is `root` or under it. */
export function inside(real: string, root: string): boolean {
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The resolved form of each root that exists; missing roots are skipped as Salt skips them. */
export async function realRoots(roots: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const r of roots) {
    try {
      out.push(await realpath(r));
    } catch {
      // A root that does not exist serves nothing.
    }
  }
  return out;
}

/**
 * Walks each root of a saltenv. Symlinks are followed (Salt's
 * `fileserver_followsymlinks: True`) only while they resolve inside one of
 * the saltenv's roots; one pointing out is left out, so it is neither listed
 * nor served. A directory reached twice (a link loop) is walked once.
 */
export async function walkRoots(roots: readonly string[]): Promise<Tree> {
  const real = await realRoots(roots);
  const files = new Set<string>();
  const dirs = new Set<string>();
  const empty = new Set<string>();
  const links: Record<string, string> = {};
  const seen = new Set<string>();
  const walk = async (abs: string, rel: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(abs);
    } catch {
      return;
    }
    for (const name of names) {
      const childAbs = join(abs, name);
      const childRel = rel === '' ? name : `${rel}/${name}`;
      let resolved: string;
      let isLink: boolean;
      try {
        isLink = (await lstat(childAbs)).isSymbolicLink();
        resolved = await realpath(childAbs);
      } catch {
        continue; // a dangling link or a file gone since readdir
      }
      if (!real.some((r) => inside(resolved, r))) continue;
      let st;
      try {
        st = await stat(resolved);
      } catch {
        continue;
      }
      if (isLink) {
        links[childRel] = await readlink(childAbs).catch(() => '');
      }
      if (st.isDirectory()) {
        dirs.add(childRel);
        if (seen.has(resolved)) continue;
        seen.add(resolved);
        const inner = await readdir(resolved).catch(() => ['?']);
        if (inner.length === 0) empty.add(childRel);
        await walk(resolved, childRel);
      } else if (st.isFile()) {
        files.add(childRel);
      }
    }
  };
  for (const r of real) {
    if (seen.has(r)) continue;
    seen.add(r);
    await walk(r, '');
  }
  return { files: [...files].sort(), dirs: [...dirs].sort(), emptyDirs: [...empty].sort(), links };
}
