import fs from 'node:fs';
import path from 'node:path';
import { fnmatch, pyStr } from '@tsalt/core';
import type { FileFunction } from './basic.js';
import { RE_FLAGS, pyCompile, pyMatch, pySearch, type PyRegExp } from './pyre.js';
import { hashFile } from './stat-ops.js';
import { expandUser, gidToGroup, groupToGid, uidToUser, userToUid } from './util.js';

/** A bad find option: Salt's Finder raises ValueError and file.find returns 'error: ...'. */
class FindOptionError extends Error {}

type Criterion = { needsStat: boolean; test: (dir: string, name: string, st: fs.Stats | null) => boolean };

const TYPE_LETTERS = 'bcdfpls';

function typeLetter(st: fs.Stats): string {
  if (st.isBlockDevice()) return 'b';
  if (st.isCharacterDevice()) return 'c';
  if (st.isDirectory()) return 'd';
  if (st.isSymbolicLink()) return 'l';
  if (st.isFIFO()) return 'p';
  if (st.isSocket()) return 's';
  return 'f';
}

function types(value: string): Set<string> {
  const set = new Set<string>();
  for (const c of value.replace(/[,\s]/g, '')) {
    if (!TYPE_LETTERS.includes(c)) throw new FindOptionError(`invalid file type "${c}"`);
    set.add(c);
  }
  return set;
}

function regex(value: string, flags = 0): PyRegExp {
  try {
    return pyCompile(value, flags);
  } catch {
    throw new FindOptionError(`invalid regular expression: "${value}"`);
  }
}

/** Salt's name glob: only `.`, `?` and `*` are rewritten; the rest is a regex, anchored at the end. */
const nameRegex = (v: string, flags: number): PyRegExp =>
  pyCompile(`${v.replaceAll('.', '\\.').replaceAll('?', '.?').replaceAll('*', '.*')}$`, flags);

function parseSize(value: string): [number, number] {
  let s = value.trim();
  let style = '=';
  if (s.startsWith('-') || s.startsWith('+')) {
    style = s[0]!;
    s = s.slice(1);
  }
  const units: Record<string, number> = { b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };
  const mult = units[s.slice(-1).toLowerCase()] ?? 1;
  if (units[s.slice(-1).toLowerCase()]) s = s.slice(0, -1).trim();
  const num = Math.trunc(Number(s) * mult);
  if (!s || !Number.isFinite(num)) throw new FindOptionError(`invalid size: "${value}"`);
  if (style === '-') return [0, num];
  if (style === '+') return [num, Number.MAX_SAFE_INTEGER];
  return [num, num + mult - 1];
}

/** `[+-][<n>w][<n>d][<n>h][<n>m][<n>s]` to [seconds, resolution, modifier]. */
function parseInterval(value: string): [number, number, string] {
  const m =
    /^\s*([+-]?)(?:(\d+(?:\.\d*)?)\s*[wW])?\s*(?:(\d+(?:\.\d*)?)\s*[dD])?\s*(?:(\d+(?:\.\d*)?)\s*[hH])?\s*(?:(\d+(?:\.\d*)?)\s*[mM])?\s*(?:(\d+(?:\.\d*)?)\s*[sS])?\s*$/.exec(
      value,
    );
  if (!m) throw new FindOptionError(`invalid time interval: '${value}'`);
  let secs = 0;
  let resolution = 0;
  const mults = [604800, 86400, 3600, 60, 1];
  for (let i = 5; i >= 1; i--) {
    const g = m[i + 1];
    if (g === undefined) continue;
    secs += Number(g) * mults[i - 1]!;
    if (!resolution) resolution = mults[i - 1]!;
  }
  if (!resolution) throw new FindOptionError(`invalid time interval: '${value}'`);
  return [secs, resolution, m[1] ?? ''];
}

function ids(value: string, toId: (n: string) => number | '', what: string): Set<number> {
  const set = new Set<number>();
  for (const n of value.replace(/,/g, ' ').split(/\s+/).filter(Boolean)) {
    const id = /^\d+$/.test(n) ? Number(n) : toId(n);
    if (id === '') throw new FindOptionError(`no such ${what} "${n}"`);
    set.add(id);
  }
  return set;
}

function criterion(key: string, value: string): Criterion {
  const onName = (re: PyRegExp): Criterion => ({ needsStat: false, test: (_d, n) => pyMatch(re, n) });
  switch (key) {
    case 'name':
      return onName(nameRegex(value, 0));
    case 'iname':
      return onName(nameRegex(value, RE_FLAGS['I']!));
    case 'regex':
      return onName(regex(value));
    case 'iregex':
      return onName(regex(value, RE_FLAGS['I']));
    case 'type': {
      const t = types(value);
      return { needsStat: true, test: (_d, _n, st) => st !== null && t.has(typeLetter(st)) };
    }
    case 'owner':
    case 'user': {
      const u = ids(value, userToUid, 'user');
      return { needsStat: true, test: (_d, _n, st) => st !== null && u.has(st.uid) };
    }
    case 'group': {
      const g = ids(value, groupToGid, 'group');
      return { needsStat: true, test: (_d, _n, st) => st !== null && g.has(st.gid) };
    }
    case 'size': {
      const [lo, hi] = parseSize(value);
      return { needsStat: true, test: (_d, _n, st) => st !== null && lo <= st.size && st.size <= hi };
    }
    case 'mtime': {
      const [secs, res, mod] = parseInterval(value);
      const when = Date.now() / 1000 - Math.trunc(secs / res) * res;
      return {
        needsStat: true,
        test: (_d, _n, st) => st !== null && (mod === '-' ? st.mtimeMs / 1000 >= when : st.mtimeMs / 1000 <= when),
      };
    }
    case 'grep': {
      const re = regex(value);
      return {
        needsStat: true,
        test: (d, n, st) =>
          st !== null && st.isFile() && pySearch(re, fs.readFileSync(path.join(d, n), 'latin1')) !== null,
      };
    }
    default:
      throw new FindOptionError(`invalid option "${key}"`);
  }
}

function printer(value: string): (full: string, st: fs.Stats | null) => unknown {
  const fmt = value.replace(/,/g, ' ').split(/\s+/).filter(Boolean);
  if (!fmt.length) fmt.push('path');
  return (full, st) => {
    const out = fmt.map((f) => {
      if (f === 'path') return full;
      if (f === 'name') return path.basename(full);
      if (!st) return null;
      if (f === 'size') return st.size;
      if (f === 'type') return typeLetter(st);
      if (f === 'mode') return st.mode & 0o777;
      if (f === 'mtime') return Math.trunc(st.mtimeMs / 1000);
      if (f === 'user') return uidToUser(st.uid);
      if (f === 'group') return gidToGroup(st.gid);
      if (f === 'md5') return st.isFile() ? hashFile(full, 'md5') : '';
      return undefined;
    });
    return out.length === 1 ? out[0] : out.filter((x) => x !== undefined);
  };
}

/** Salt's find stats through links, falling back to the link itself when it dangles. */
function statFollow(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    try {
      return fs.lstatSync(p);
    } catch {
      return null;
    }
  }
}

/** `glob.glob` for the starting path: only components with wildcards are expanded. */
function globPaths(pattern: string): string[] {
  if (!/[*?[]/.test(pattern)) return fs.existsSync(pattern) || statFollow(pattern) ? [pattern] : [];
  const abs = pattern.startsWith('/');
  let found = [abs ? '/' : '.'];
  for (const part of pattern.split('/').filter(Boolean)) {
    const next: string[] = [];
    for (const base of found) {
      if (!/[*?[]/.test(part)) {
        const p = path.join(base, part);
        if (statFollow(p)) next.push(p);
        continue;
      }
      let names: string[] = [];
      try {
        names = fs.readdirSync(base);
      } catch {
        continue;
      }
      for (const n of names)
        if ((!n.startsWith('.') || part.startsWith('.')) && fnmatch(n, part)) next.push(path.join(base, n));
    }
    found = next;
  }
  return abs ? found : found.map((p) => path.relative('.', p));
}

/** Salt's `file.find`: sorted results of the print (default) or delete action. */
export function find(start: string, flagArgs: unknown[], kwargs: Record<string, unknown>): unknown[] | string {
  const opts = { ...kwargs };
  if (flagArgs.includes('delete')) opts['delete'] = 'f';
  else if (flagArgs.includes('print')) opts['print'] = 'path';
  let mindepth = 0;
  let maxdepth: number | null = null;
  const crit: Criterion[] = [];
  let print: ((f: string, st: fs.Stats | null) => unknown) | null = null;
  let del: Set<string> | null = null;
  try {
    for (const [k, v] of Object.entries(opts)) {
      if (k.startsWith('_')) continue;
      if (k === 'mindepth') mindepth = Number(v);
      else if (k === 'maxdepth') maxdepth = Number(v);
      else if (v === null || v === undefined || v === '' || v === false)
        throw new FindOptionError(`missing value for "${k}" option`);
      else if (k === 'print') print = printer(pyStr(v));
      else if (k === 'delete') del = types(pyStr(v).includes('a') ? TYPE_LETTERS : pyStr(v));
      else crit.push(criterion(k, pyStr(v)));
    }
  } catch (err) {
    if (err instanceof FindOptionError) return `error: ${err.message}`;
    throw err;
  }
  crit.sort((x, y) => Number(x.needsStat) - Number(y.needsStat));
  if (!print && !del) print = printer('');
  const out: unknown[] = [];
  const visit = (dir: string, name: string, full: string): void => {
    const st = statFollow(full);
    if (!crit.every((c) => c.test(dir, name, st))) return;
    if (del && st && del.has(typeLetter(st))) {
      try {
        fs.rmSync(full, { recursive: true, force: true });
        out.push(full);
      } catch {
        // Salt skips what it cannot delete.
      }
    }
    if (print) out.push(print(full, st));
  };
  for (const root of globPaths(expandUser(start))) {
    if (mindepth < 1) visit(path.dirname(root), path.basename(root), root);
    const walk = (dir: string, depth: number): void => {
      let entries: string[];
      try {
        entries = fs.readdirSync(dir);
      } catch {
        return;
      }
      const inRange = depth >= mindepth && (maxdepth === null || maxdepth >= depth);
      const subdirs = entries.filter((n) => fs.lstatSync(path.join(dir, n), { throwIfNoEntry: false })?.isDirectory());
      if (inRange) for (const n of entries) visit(dir, n, path.join(dir, n));
      if (maxdepth !== null && depth > maxdepth) return;
      for (const n of subdirs) if (fs.existsSync(path.join(dir, n))) walk(path.join(dir, n), depth + 1);
    };
    walk(root, 1);
  }
  return out.sort((a, b) => (pyStr(a) < pyStr(b) ? -1 : pyStr(a) > pyStr(b) ? 1 : 0));
}

export const findFunctions: Record<string, FileFunction> = {
  find: {
    doc: "Approximate the Unix ``find(1)`` command and return a list of paths that\nmeet the specified criteria.\n\nThe options include match criteria:\n\n    name    = path-glob                 # case sensitive\n    iname   = path-glob                 # case insensitive\n    regex   = path-regex                # case sensitive\n    iregex  = path-regex                # case insensitive\n    type    = file-types                # match any listed type\n    user    = users                     # match any listed user\n    group   = groups                    # match any listed group\n    size    = [+-]number[size-unit]     # default unit = byte\n    mtime   = interval                  # modified since date\n    grep    = regex                     # search file contents\n\nand/or actions:\n\n    delete [= file-types]               # default type = 'f'\n    print  [= print-opts]\n\nand/or depth criteria:\n\n    maxdepth = maximum depth to transverse in path\n    mindepth = minimum depth to transverse before checking files or directories\n\nThe default action is ``print=path``. file-types: a b c d p f l s.\nprint-opts: group md5 mode mtime name path size type user.\n\nCLI Examples:\n\n    salt '*' file.find / type=f name=\\*.bak size=+10m\n    salt '*' file.find /var mtime=+30d size=+10m print=path,size,mtime\n    salt '*' file.find /var/log name=\\*.[0-9] mtime=+30d size=+10m delete",
    params: ['path'],
    varargs: true,
    varkw: true,
    fn: (_ctx, a) => find(pyStr(a['path']), a['__args__'] as unknown[], a['__kwargs__'] as Record<string, unknown>),
  },
};
