import fs from 'node:fs';
import path from 'node:path';
import { isRecord, pyStr } from '@tsalt/core';
import type { StateContext, StateReturn } from '../types.js';
import {
  checkUser,
  errText,
  expandUser,
  fail,
  flag,
  isDir,
  isFile,
  isLink,
  isTest,
  lexists,
  newRet,
  normalizeMode,
  opt,
  saltOf,
} from './common.js';
import { checkMeta, checkPerms } from './meta.js';
import { cleanDir, includeExclude, walk, type WalkEntry } from './walk.js';

const RECURSE_TYPES = ['user', 'group', 'mode', 'ignore_files', 'ignore_dirs', 'silent'];

/** Salt's `_get_recurse_set`; throws with Salt's message for a bad value. */
function recurseSet(recurse: unknown): Set<string> {
  if (!recurse || (Array.isArray(recurse) && !recurse.length)) return new Set();
  if (!Array.isArray(recurse)) throw new TypeError('"recurse" must be formed as a list of strings');
  const set = new Set(recurse.map((r) => (typeof r === 'string' ? r : '\0')));
  if ([...set].some((r) => !RECURSE_TYPES.includes(r)))
    throw new TypeError(`Types for "recurse" limited to ${RECURSE_TYPES.map((t) => `"${t}"`).join(', ')}.`);
  if (set.has('ignore_files') && set.has('ignore_dirs'))
    throw new TypeError('Must not specify "recurse" options "ignore_files" and "ignore_dirs" at the same time.');
  return set;
}

/**
 * Salt's `_gen_keep_files`: each `{file: X}` require keeps the path of the
 * file state it names (by id or name, found among the states already run,
 * which a require always is), or X itself when it is an absolute path; a
 * directory inside `name` keeps everything under it.
 */
export function keepFromRequire(ctx: StateContext, name: string, require: unknown): string[] {
  const keep: string[] = [];
  if (!Array.isArray(require)) return keep;
  const running = Object.keys(ctx.services.run?.running ?? {}).map((tag) => tag.split('_|-'));
  for (const comp of require) {
    if (!isRecord(comp) || typeof comp['file'] !== 'string') continue;
    const ref = comp['file'];
    const names = new Set<string>();
    for (const [state, id, n] of running)
      if (state === 'file' && n !== undefined && (id === ref || n === ref)) names.add(n);
    if (!names.size && path.isAbsolute(ref)) names.add(ref);
    for (const fn of names) {
      if (isDir(fn)) {
        if (!path.relative(name, fn).startsWith('..'))
          for (const e of walk(fn)) {
            keep.push(e.root);
            for (const n of [...e.dirs, ...e.files]) keep.push(path.join(e.root, n));
          }
      } else keep.push(fn);
    }
  }
  return keep;
}

export interface DirectoryArgs {
  name: unknown;
  user?: unknown;
  group?: unknown;
  recurse?: unknown;
  max_depth?: unknown;
  dir_mode?: unknown;
  file_mode?: unknown;
  makedirs?: unknown;
  clean?: unknown;
  require?: unknown;
  exclude_pat?: unknown;
  follow_symlinks?: unknown;
  force?: unknown;
  backupname?: unknown;
  allow_symlink?: unknown;
  children_only?: unknown;
  mode?: unknown;
  owner?: unknown;
}

/** Salt's `_check_directory`: [result, comment, changes]. */
async function checkDirectory(
  ctx: StateContext,
  name: string,
  o: {
    user: unknown;
    group: unknown;
    recurse: unknown;
    dirMode: string | null;
    fileMode: string | null;
    clean: boolean;
    require: unknown;
    excludePat: unknown;
    maxDepth: number | null;
    follow: boolean;
    childrenOnly: boolean;
  },
): Promise<[boolean | null, string, Record<string, Record<string, unknown>>]> {
  const changes: Record<string, Record<string, unknown>> = {};
  const walked = o.recurse || o.clean ? walk(name, o.maxDepth) : [];
  if (o.recurse) {
    let set: Set<string>;
    try {
      set = recurseSet(o.recurse);
    } catch (err) {
      return [false, errText(err), changes];
    }
    const user = set.has('user') ? o.user : null;
    const group = set.has('group') ? o.group : null;
    const dirMode = set.has('mode') ? o.dirMode : null;
    const fileMode = set.has('mode') ? o.fileMode : null;
    for (const { root, dirs, files } of walked) {
      if (!set.has('ignore_files'))
        for (const f of files) {
          const p = path.join(root, f);
          const c = await checkMeta(ctx, p, user, group, fileMode, o.follow);
          delete c['directory'];
          if (Object.keys(c).length) changes[p] = c;
        }
      if (!set.has('ignore_dirs'))
        for (const d of dirs) {
          const p = path.join(root, d);
          const c = await checkMeta(ctx, p, user, group, dirMode, o.follow);
          if (Object.keys(c).length) changes[p] = c;
        }
    }
  }
  if (!o.childrenOnly) {
    const c = await checkMeta(ctx, name, o.user, o.group, o.dirMode, o.follow);
    if (Object.keys(c).length) changes[name] = c;
  }
  if (o.clean) {
    const keep = new Set(keepFromRequire(ctx, name, o.require));
    for (const { root, dirs, files } of walked) {
      for (const n of [...files, ...dirs]) {
        const p = path.join(root, n);
        if (keep.has(p)) continue;
        if (!includeExclude(path.relative(name, p), null, o.excludePat)) continue;
        changes[p] = { removed: 'Removed due to clean' };
      }
    }
  }
  if (!isDir(name)) changes[name] = { directory: 'new' };
  if (Object.keys(changes).length) {
    let comment = 'The following files will be changed:\n';
    for (const [fn, c] of Object.entries(changes))
      for (const [k, v] of Object.entries(c)) comment += `${fn}: ${k} - ${pyStr(v)}\n`;
    return [null, comment, changes];
  }
  return [true, `The directory ${name} is in the correct state`, changes];
}

/** Salt's file.directory. */
export async function directory(ctx: StateContext, a: DirectoryArgs): Promise<StateReturn> {
  const salt = saltOf(ctx);
  const test = isTest(ctx);
  let name = expandUser(a.name);
  const ret = newRet(name);
  if (!name) return fail(ret, 'Must provide name to file.directory');
  // The return keeps the name as given (Salt strips the slash after making its ret).
  if (name.endsWith('/') && name !== '/') name = name.slice(0, -1);
  const maxDepth = a.max_depth === null || a.max_depth === undefined ? null : Number(a.max_depth);
  const clean = flag(a.clean);
  if (maxDepth !== null && clean) return fail(ret, 'Cannot specify both max_depth and clean');
  let user: unknown = opt(a.user) ?? opt(a.owner);
  let group: unknown = opt(a.group);
  let dirMode: unknown = opt(a.dir_mode);
  if (opt(a.mode) !== null && !dirMode) dirMode = a.mode;
  let fileMode: unknown = opt(a.file_mode);
  if (!fileMode) fileMode = dirMode;
  let dMode = normalizeMode(dirMode);
  let fMode = normalizeMode(fileMode);
  const uCheck = await checkUser(ctx, user, group);
  if (uCheck) return fail(ret, uCheck);
  if (!path.isAbsolute(name)) return fail(ret, `Specified file ${name} is not an absolute path`);
  const force = flag(a.force);
  const allowSymlink = a.allow_symlink === undefined ? true : flag(a.allow_symlink);
  const follow = flag(a.follow_symlinks);
  const childrenOnly = flag(a.children_only);
  const backupname = opt(a.backupname);

  if (isFile(name) || (!allowSymlink && isLink(name)) || (force && isLink(name))) {
    if (backupname !== null) {
      const bk = pyStr(backupname);
      if (lexists(bk)) {
        if (!force) return fail(ret, `File exists where the backup target ${bk} should go`);
        if (test) ret.changes['forced'] = `Existing file at backup path ${bk} would be removed`;
        else await salt('file.remove', [bk]);
      }
      if (test) {
        ret.changes['backup'] = `${name} would be renamed to ${bk}`;
        ret.changes[name] = { directory: 'new' };
        ret.comment = `${name} would be backed up and replaced with a new directory`;
        ret.result = null;
        return ret;
      }
      fs.renameSync(name, bk);
    } else if (force) {
      if (isFile(name) && !isLink(name)) {
        if (test) ret.changes['forced'] = 'File would be forcibly replaced';
        else {
          fs.rmSync(name);
          ret.changes['forced'] = 'File was forcibly replaced';
        }
      } else if (isLink(name)) {
        if (test) ret.changes['forced'] = 'Symlink would be forcibly replaced';
        else {
          await salt('file.remove', [name]);
          ret.changes['forced'] = 'Symlink was forcibly replaced';
        }
      } else if (test) ret.changes['forced'] = 'Directory would be forcibly replaced';
      else {
        await salt('file.remove', [name]);
        ret.changes['forced'] = 'Directory was forcibly replaced';
      }
    } else if (isFile(name)) return fail(ret, `Specified location ${name} exists and is a file`);
    else if (isLink(name)) return fail(ret, `Specified location ${name} exists and is a symlink`);
  }

  const [tresult, tcomment, tchanges] = await checkDirectory(ctx, name, {
    user,
    group,
    recurse: opt(a.recurse) ?? [],
    dirMode: dMode,
    fileMode: fMode,
    clean,
    require: a.require,
    excludePat: opt(a.exclude_pat),
    maxDepth,
    follow,
    childrenOnly,
  });
  Object.assign(ret.changes, tchanges);
  if (test) {
    ret.result = tresult;
    ret.comment = tcomment;
    return ret;
  }
  if (!Object.keys(ret.changes).length) {
    ret.result = tresult;
    ret.comment = tcomment;
    return ret;
  }

  if (!isDir(name)) {
    if (!isDir(path.dirname(name))) {
      if (!flag(a.makedirs)) return fail(ret, `No directory to create ${name} in`);
      await salt('file.makedirs', [name], { user, group, mode: dMode });
    }
    await salt('file.mkdir', [name], { user, group, mode: dMode });
    if (!isDir(name)) return fail(ret, `Failed to create directory ${name}`);
    ret.changes[name] = { directory: 'new' };
    return ret;
  }

  let out: StateReturn = ret;
  if (!childrenOnly) [out] = (await checkPerms(ctx, name, out, user, group, dMode, follow)) as [StateReturn, unknown];

  const errors: string[] = [];
  const walked: WalkEntry[] = opt(a.recurse) || clean ? walk(name, maxDepth) : [];
  let set: Set<string> | null = null;
  if (opt(a.recurse)) {
    try {
      set = recurseSet(a.recurse);
    } catch (err) {
      out.result = false;
      out.comment = errText(err);
    }
  }
  if (set && set.size) {
    if (set.has('user')) {
      if (user || typeof user === 'number') {
        if (typeof (await salt('file.user_to_uid', [user])) === 'string') {
          out.result = false;
          out.comment = `Failed to enforce ownership for user ${pyStr(user)} (user does not exist)`;
        }
      } else {
        out.result = false;
        out.comment = 'user not specified, but configured as a target for recursive ownership management';
      }
    } else user = null;
    if (set.has('group')) {
      if (group || typeof group === 'number') {
        if (typeof (await salt('file.group_to_gid', [group])) === 'string') {
          out.result = false;
          out.comment = `Failed to enforce group ownership for group ${pyStr(group)}`;
        }
      } else {
        out.result = false;
        out.comment = 'group not specified, but configured as a target for recursive ownership management';
      }
    } else group = null;
    if (!set.has('mode')) {
      fMode = null;
      dMode = null;
    }
    if (set.has('silent')) out.changes = { recursion: 'Changes silenced' };
    for (const { root, dirs, files } of walked) {
      const targets: [string, string | null][] = [];
      if (!set.has('ignore_files')) for (const f of files) targets.push([path.join(root, f), fMode]);
      if (!set.has('ignore_dirs')) for (const d of dirs) targets.push([path.join(root, d), dMode]);
      for (const [full, m] of targets) {
        try {
          [out] = (await checkPerms(ctx, full, out, user, group, m, follow)) as [StateReturn, unknown];
        } catch (err) {
          const msg = errText(err);
          if (!msg.startsWith('Path not found')) errors.push(msg);
        }
      }
    }
  }
  if (clean) {
    const removed = cleanDir(name, keepFromRequire(ctx, name, a.require), opt(a.exclude_pat), false);
    if (removed.length) {
      out.changes['removed'] = removed;
      out.comment = `Files cleaned from directory ${name}`;
    }
  }
  if (!out.comment) {
    if (childrenOnly) out.comment = `Directory ${name}/* updated`;
    else if (Object.keys(out.changes).length) out.comment = `Directory ${name} updated`;
  }
  if (!Object.keys(out.changes).length && out.result) {
    const orig = out.comment;
    out.comment = `Directory ${name} is in the correct state`;
    if (orig) out.comment = [out.comment, pyStr(orig)].join('\n');
  }
  if (errors.length) {
    out.result = false;
    out.comment = `${pyStr(out.comment)}\n\nThe following errors were encountered:\n${errors.map((e) => `\n- ${e}`).join('')}`;
  }
  return out;
}
