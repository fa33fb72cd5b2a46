import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

/** Turns one path component with `*`, `?`, `[...]` into an anchored RegExp. */
function componentRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const MAGIC = /[*?[]/;

/**
 * Expands an include pattern like Python's glob, for the common shape where
 * only the last component has wildcards (`minion.d/*.conf`). A relative
 * pattern is relative to `baseDir`; `~/` is the home folder. Results are
 * sorted, so `10-b.conf` is read after `01-a.conf`; hidden files need a
 * pattern that starts with a dot, as in Python.
 */
export function expandInclude(pattern: string, baseDir: string): string[] {
  let p = pattern.startsWith('~/') ? path.join(os.homedir(), pattern.slice(2)) : pattern;
  p = path.resolve(baseDir, p);
  const dir = path.dirname(p);
  const base = path.basename(p);
  if (!MAGIC.test(base)) return fs.existsSync(p) ? [p] : [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const re = componentRegExp(base);
  const allowHidden = base.startsWith('.');
  return names
    .filter((n) => (allowHidden || !n.startsWith('.')) && re.test(n))
    .sort()
    .map((n) => path.join(dir, n))
    .filter((f) => {
      try {
        return fs.statSync(f).isFile();
      } catch {
        return false;
      }
    });
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Salt's `dictupdate.update(dest, upd, recursive_update=True, merge_lists=True)`,
 * which is how files of one include group combine: mappings merge key by key,
 * lists append the items not already there, anything else is replaced by the
 * later file. Mutates and returns `dest`.
 */
export function mergeConfig(dest: Record<string, unknown>, upd: Record<string, unknown>): Record<string, unknown> {
  for (const [key, val] of Object.entries(upd)) {
    const cur = dest[key];
    if (isMap(cur) && isMap(val)) {
      dest[key] = mergeConfig({ ...cur }, val);
    } else if (Array.isArray(cur) && Array.isArray(val)) {
      const merged: unknown[] = [...(cur as unknown[])];
      for (const item of val) if (!merged.some((m) => isDeepStrictEqual(m, item))) merged.push(item);
      dest[key] = merged;
    } else {
      dest[key] = val;
    }
  }
  return dest;
}
