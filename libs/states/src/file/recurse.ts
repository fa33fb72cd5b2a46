import path from 'node:path';
import { pyStr } from '@tsalt/core';
import type { StateContext, StateReturn } from '../types.js';
import {
  checkUser,
  errText,
  exists,
  expandUser,
  fail,
  fileClientOf,
  flag,
  isDir,
  isTest,
  newRet,
  normalizeMode,
  opt,
  saltOf,
  saltenvOf,
  strList,
} from './common.js';
import { directory, keepFromRequire } from './directory.js';
import { managed } from './managed.js';
import { cleanDir, includeExclude } from './walk.js';

export interface RecurseArgs {
  name: unknown;
  source: unknown;
  clean?: unknown;
  require?: unknown;
  user?: unknown;
  group?: unknown;
  dir_mode?: unknown;
  file_mode?: unknown;
  template?: unknown;
  context?: unknown;
  replace?: unknown;
  defaults?: unknown;
  include_empty?: unknown;
  backup?: unknown;
  include_pat?: unknown;
  exclude_pat?: unknown;
  maxdepth?: unknown;
  mode?: unknown;
  owner?: unknown;
}

/** Salt's `_is_valid_relpath`: no `..` component, and no deeper than maxdepth. */
function validRel(rel: string, maxdepth: number | null): boolean {
  if (`/${rel}/`.includes('/../')) return false;
  if (maxdepth !== null && rel.replace(/^\/+|\/+$/g, '').split('/').length - 1 > maxdepth) return false;
  return true;
}

/** `salt://path?saltenv=x` to its path and saltenv. */
function parseSalt(url: string, saltenv: string): { path: string; saltenv: string } {
  const rest = url.slice('salt://'.length);
  const q = rest.indexOf('?');
  if (q === -1) return { path: rest, saltenv };
  const env = /(?:^|&)saltenv=([^&]*)/.exec(rest.slice(q + 1));
  return { path: rest.slice(0, q), saltenv: env ? decodeURIComponent(env[1]!) : saltenv };
}

/** Salt's file.recurse: a salt:// directory's files, each through file.managed, its directories through file.directory. */
export async function recurse(ctx: StateContext, a: RecurseArgs): Promise<StateReturn> {
  const salt = saltOf(ctx);
  const test = isTest(ctx);
  const name = expandUser(a.name);
  const user = opt(a.user) ?? opt(a.owner);
  const group = opt(a.group);
  const ret = newRet(name);
  const comments = new Map<string, string[]>();
  if (opt(a.mode) !== null)
    return fail(ret, "'mode' is not allowed in 'file.recurse'. Please use 'file_mode' and 'dir_mode'.");
  const dirMode = normalizeMode(opt(a.dir_mode));
  let fileMode: unknown = opt(a.file_mode);
  const keepMode = typeof fileMode === 'string' && fileMode.toLowerCase() === 'keep';
  if (keepMode) fileMode = null;
  fileMode = normalizeMode(fileMode);
  const uCheck = await checkUser(ctx, user, group);
  if (uCheck) return fail(ret, uCheck);
  if (!path.isAbsolute(name)) return fail(ret, `Specified file ${name} is not an absolute path`);

  const sources = strList(a.source).map((s) => s.replace(/\/+$/, ''));
  for (const s of sources)
    if (!s.startsWith('salt://')) return fail(ret, `Invalid source '${s}' (must be a salt:// URI)`);
  let source: string;
  const saltenv = saltenvOf(ctx);
  try {
    [source] = (await salt('file.source_list', [sources, '', saltenv])) as [string];
  } catch (err) {
    ret.result = false;
    ret.comment = `Recurse failed: ${errText(err)}`;
    return ret;
  }
  const src = parseSalt(pyStr(source), saltenv);
  const fc = fileClientOf(ctx);
  // The file server strips the prefix's slashes (Salt's fileserver dir_list), so the directory itself is listed.
  const masterDirs = await fc.list('_dir_list', src.saltenv, src.path);
  if (!masterDirs.includes(src.path))
    return fail(ret, `The directory '${src.path}' does not exist on the salt fileserver in saltenv '${src.saltenv}'`);

  if (!isDir(name)) {
    if (exists(name)) return fail(ret, `The path ${name} exists and is not a directory`);
    if (!test) await salt('file.makedirs_perms', [name], { user, group, mode: dirMode });
  }

  const addComment = (p: string, c: string | string[]): void => {
    const list = comments.get(p) ?? [];
    if (typeof c === 'string') list.push(c);
    else list.push(...c);
    comments.set(p, list);
  };
  const merge = (p: string, r: StateReturn): void => {
    // The most "negative" result wins (False over None over True).
    if (r.result === false || ret.result === true) ret.result = r.result;
    if (r.result !== true && r.comment && r.comment.length) addComment(p, r.comment);
    if (Object.keys(r.changes).length) ret.changes[p] = r.changes;
  };
  const clean = flag(a.clean);
  const replace = a.replace === undefined ? true : flag(a.replace);

  // Salt's _gen_recurse_managed_files: what to manage, and what clean keeps.
  const prefix = `${src.path}/`;
  const maxdepth = a.maxdepth === null || a.maxdepth === undefined ? null : Number(a.maxdepth);
  const keep = new Set<string>();
  const files: [string, string][] = [];
  const dirs = new Set<string>();
  const seen = new Set<string>();
  for (const fn of await fc.list('_file_list', src.saltenv, prefix)) {
    if (!fn.trim() || !fn.startsWith(prefix)) continue;
    const rel = fn.slice(prefix.length);
    if (!validRel(rel, maxdepth) || !includeExclude(rel, opt(a.include_pat), opt(a.exclude_pat))) continue;
    const dest = path.join(name, path.normalize(rel));
    keep.add(dest);
    const dir = path.dirname(dest);
    if (!seen.has(dir)) {
      dirs.add(dir);
      seen.add(dir);
    }
    files.push([dest, `salt://${fn}${src.saltenv !== saltenv ? `?saltenv=${src.saltenv}` : ''}`]);
  }
  if (flag(a.include_empty)) {
    // As Salt: every directory of the source (not only the empty ones), the source itself as '<name>/.'.
    for (const d of await fc.list('_dir_list', src.saltenv, src.path)) {
      const rel = d === src.path ? '.' : d.startsWith(prefix) ? d.slice(prefix.length) : null;
      if (rel === null || !validRel(rel, maxdepth)) continue;
      if (!includeExclude(rel, opt(a.include_pat), opt(a.exclude_pat))) continue;
      const dest = name.endsWith('/') ? `${name}${rel}` : `${name}/${rel}`;
      dirs.add(dest);
      keep.add(dest);
    }
  }

  for (const dir of [...dirs].sort()) {
    if (path.basename(dir) === '..') continue;
    if (clean && exists(dir) && !isDir(dir)) {
      if (test) {
        merge(dir, { name, changes: {}, result: null, comment: `Replacing ${dir} with a directory` });
        continue;
      }
      await salt('file.remove', [dir]);
      merge(dir, { name, changes: { diff: 'Replaced file with a directory' }, result: true, comment: '' });
    }
    merge(dir, await directory(ctx, { name: dir, user, group, recurse: [], dir_mode: dirMode, makedirs: true }));
  }
  for (const [dest, s] of files.sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    if (clean && isDir(dest) && replace) {
      if (test) {
        merge(dest, { name, changes: {}, result: null, comment: `Replacing directory ${dest} with a file` });
        continue;
      }
      await salt('file.remove', [dest]);
      merge(dest, { name, changes: { diff: 'Replaced directory with a new file' }, result: true, comment: '' });
    }
    merge(
      dest,
      await managed(ctx, {
        name: dest,
        source: s,
        user,
        group,
        mode: keepMode ? 'keep' : fileMode,
        template: opt(a.template),
        makedirs: true,
        replace,
        context: opt(a.context),
        defaults: opt(a.defaults),
        backup: opt(a.backup) ?? '',
      }),
    );
  }
  if (clean) {
    for (const k of keepFromRequire(ctx, name, a.require)) keep.add(k);
    const removed = cleanDir(name, [...keep], opt(a.exclude_pat), test);
    if (removed.length) {
      if (test) {
        if (ret.result) ret.result = null;
        addComment('removed', removed);
      } else ret.changes['removed'] = removed;
    }
  }
  ret.comment = [...comments]
    .map(([k, v]) => `\n#### ${k} ####\n${v.join('\n')}`)
    .join('\n')
    .trim();
  if (!ret.comment) ret.comment = `Recursively updated ${name}`;
  if (!Object.keys(ret.changes).length && ret.result) ret.comment = `The directory ${name} is in the correct state`;
  return ret;
}
