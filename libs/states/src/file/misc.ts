import fs from 'node:fs';
import path from 'node:path';
import { isRecord, pyStr } from '@tsalt/core';
import type { StateContext, StateReturn } from '../types.js';
import {
  checkUser,
  errText,
  exists,
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

/** Salt's file.absent. */
export async function absent(ctx: StateContext, a: { name: unknown }): Promise<StateReturn> {
  const name = expandUser(a.name);
  const ret = newRet(name);
  if (!name) return fail(ret, 'Must provide name to file.absent');
  if (!path.isAbsolute(name)) return fail(ret, `Specified file ${name} is not an absolute path`);
  if (name === '/') return fail(ret, 'Refusing to make "/" absent');
  const what = isFile(name) || isLink(name) ? 'File' : isDir(name) ? 'Directory' : null;
  if (what === null) {
    ret.comment = `File ${name} is not present`;
    return ret;
  }
  if (isTest(ctx)) {
    ret.result = null;
    ret.changes['removed'] = name;
    ret.comment = `${what} ${name} is set for removal`;
    return ret;
  }
  try {
    await saltOf(ctx)('file.remove', [name], { force: true });
  } catch (err) {
    return fail(ret, what === 'File' ? errText(err) : `Failed to remove directory ${name}`);
  }
  ret.comment = `Removed ${what.toLowerCase()} ${name}`;
  ret.changes['removed'] = name;
  return ret;
}

/** Salt's `_check_touch`. */
async function checkTouch(
  ctx: StateContext,
  name: string,
  atime: unknown,
  mtime: unknown,
): Promise<Partial<StateReturn>> {
  if (!exists(name)) return { result: null, comment: `File ${name} is set to be created`, changes: { new: name } };
  const st = (await saltOf(ctx)('file.stats', [name], { follow_symlinks: false })) as Record<string, unknown>;
  if (
    (atime !== null && pyStr(atime) !== pyStr(st['atime'])) ||
    (mtime !== null && pyStr(mtime) !== pyStr(st['mtime']))
  )
    return { result: null, comment: `Times set to be updated on file ${name}`, changes: { touched: name } };
  return { result: true, comment: `File ${name} exists and has the correct times`, changes: { new: name } };
}

/** Salt's file.touch. */
export async function touch(
  ctx: StateContext,
  a: { name: unknown; atime?: unknown; mtime?: unknown; makedirs?: unknown },
): Promise<StateReturn> {
  const salt = saltOf(ctx);
  const name = expandUser(a.name);
  const ret = newRet(name);
  if (!name) return fail(ret, 'Must provide name to file.touch');
  if (!path.isAbsolute(name)) return fail(ret, `Specified file ${name} is not an absolute path`);
  const atime = opt(a.atime);
  const mtime = opt(a.mtime);
  if (isTest(ctx)) return Object.assign(ret, await checkTouch(ctx, name, atime, mtime));
  if (flag(a.makedirs)) await salt('file.makedirs', [name]);
  if (!isDir(path.dirname(name))) return fail(ret, `Directory not present to touch file ${name}`);
  const extant = exists(name);
  try {
    ret.result = (await salt('file.touch', [name, atime, mtime])) as boolean;
  } catch (err) {
    return fail(ret, errText(err));
  }
  if (!extant && ret.result) {
    ret.comment = `Created empty file ${name}`;
    ret.changes['new'] = name;
  } else if (extant && ret.result) {
    ret.comment = `Updated times on ${isDir(name) ? 'directory' : 'file'} ${name}`;
    ret.changes['touched'] = name;
  }
  return ret;
}

/** `user:group` of a link itself. */
async function linkOwner(ctx: StateContext, p: string): Promise<[unknown, unknown]> {
  const salt = saltOf(ctx);
  return [
    await salt('file.get_user', [p], { follow_symlinks: false }),
    await salt('file.get_group', [p], { follow_symlinks: false }),
  ];
}

async function ownedBy(ctx: StateContext, p: string, user: unknown, group: unknown): Promise<boolean> {
  const [u, g] = await linkOwner(ctx, p);
  return pyStr(u) === pyStr(user) && pyStr(g) === pyStr(group);
}

async function setLinkOwner(ctx: StateContext, p: string, user: unknown, group: unknown): Promise<boolean> {
  try {
    await saltOf(ctx)('file.lchown', [p, user, group]);
  } catch {
    // Salt swallows the OSError and lets the ownership check below decide.
  }
  return ownedBy(ctx, p, user, group);
}

/** The user's primary group name, or the user's own name as Salt falls back to. */
export async function primaryGroup(ctx: StateContext, user: unknown): Promise<unknown> {
  const salt = saltOf(ctx);
  try {
    const info = await salt('user.info', [user]);
    return await salt('file.gid_to_group', [isRecord(info) && info['gid'] !== undefined ? info['gid'] : 0]);
  } catch {
    return user;
  }
}

export interface SymlinkArgs {
  name: unknown;
  target: unknown;
  force?: unknown;
  backupname?: unknown;
  makedirs?: unknown;
  user?: unknown;
  group?: unknown;
  mode?: unknown;
  atomic?: unknown;
  inherit_user_and_group?: unknown;
  owner?: unknown;
}

/** Salt's `_symlink_check`. */
async function symlinkCheck(
  ctx: StateContext,
  name: string,
  target: string,
  force: boolean,
  user: unknown,
  group: unknown,
): Promise<[boolean | null, string, Record<string, unknown>]> {
  const changes: Record<string, unknown> = {};
  if (!exists(name) && !isLink(name)) {
    changes['new'] = name;
    return [null, `Symlink ${name} to ${target} is set for creation`, changes];
  }
  if (isLink(name)) {
    if (fs.readlinkSync(name) !== target) {
      changes['change'] = name;
      return [null, `Link ${name} target is set to be changed to ${target}`, changes];
    }
    let msg = `The symlink ${name} is present`;
    if (!(await ownedBy(ctx, name, user, group))) {
      const [u, g] = await linkOwner(ctx, name);
      changes['ownership'] = `${pyStr(u)}:${pyStr(g)}`;
      msg += `, but the ownership of the symlink would be changed from ${pyStr(u)}:${pyStr(g)} to ${pyStr(user)}:${pyStr(group)}`;
      return [null, msg, changes];
    }
    return [true, msg, changes];
  }
  if (force)
    return [
      null,
      `The file or directory ${name} is set for removal to make way for a new symlink targeting ${target}`,
      changes,
    ];
  return [false, `File or directory exists where the symlink ${name} should be. Did you mean to use force?`, changes];
}

/** Salt's file.symlink. */
export async function symlink(ctx: StateContext, a: SymlinkArgs): Promise<StateReturn> {
  const salt = saltOf(ctx);
  const test = isTest(ctx);
  const name = expandUser(a.name);
  const ret = newRet(name);
  if (!name) return fail(ret, 'Must provide name to file.symlink');
  const target = pyStr(a.target);
  const mode = normalizeMode(opt(a.mode));
  let user: unknown = opt(a.user) ?? opt(a.owner);
  let group: unknown = opt(a.group);
  const force = flag(a.force);
  if (flag(a.inherit_user_and_group) && (user === null || group === null) && isLink(name)) {
    const [u, g] = await linkOwner(ctx, name);
    user ??= u;
    group ??= g;
  }
  user ??= ctx.opts.user;
  group ??= await primaryGroup(ctx, user);
  const errors: string[] = [];
  if ((await salt('file.user_to_uid', [user])) === '') errors.push(`User ${pyStr(user)} does not exist`);
  if ((await salt('file.group_to_gid', [group])) === '') errors.push(`Group ${pyStr(group)} does not exist`);
  if (!path.isAbsolute(name)) errors.push(`Specified file ${name} is not an absolute path`);
  if (errors.length) return fail(ret, errors.join('. ') + (errors.length > 1 ? '.' : ''));

  const [tresult, checked, tchanges] = await symlinkCheck(ctx, name, target, force, user, group);
  let tcomment = checked;
  const parent = path.dirname(name);
  if (!isDir(parent)) {
    if (flag(a.makedirs)) {
      if (test) tcomment += `\n${parent} will be created`;
      else await salt('file.makedirs', [name], { user, group, mode });
    } else if (test) tcomment += `\nDirectory ${parent} for symlink is not present`;
    else return fail(ret, `Directory ${parent} for symlink is not present`);
  }
  if (test) {
    ret.result = tresult;
    ret.comment = tcomment;
    ret.changes = tchanges;
    return ret;
  }
  const atomic = flag(a.atomic);
  if (isLink(name)) {
    if (path.normalize(fs.readlinkSync(name)) !== path.normalize(target)) await salt('file.remove', [name]);
    else {
      if (await ownedBy(ctx, name, user, group))
        ret.comment = `Symlink ${name} is present and owned by ${pyStr(user)}:${pyStr(group)}`;
      else if (await setLinkOwner(ctx, name, user, group)) {
        ret.comment = `Set ownership of symlink ${name} to ${pyStr(user)}:${pyStr(group)}`;
        ret.changes['ownership'] = `${pyStr(user)}:${pyStr(group)}`;
      } else {
        ret.result = false;
        ret.comment = `Failed to set ownership of symlink ${name} to ${pyStr(user)}:${pyStr(group)}`;
      }
      return ret;
    }
  } else if (exists(name)) {
    const backupname = opt(a.backupname);
    if (backupname !== null) {
      let bk = pyStr(backupname);
      if (!path.isAbsolute(bk)) {
        if (bk !== path.basename(bk)) return fail(ret, `Backupname must be an absolute path or a file name: ${bk}`);
        bk = path.join(path.dirname(path.normalize(name)), bk);
      }
      if (lexists(bk)) {
        if (!force)
          return fail(ret, `Symlink & backup dest exists and Force not set. ${name} -> ${target} - backup: ${bk}`);
        await salt('file.remove', [bk]);
      }
      try {
        fs.renameSync(name, bk);
      } catch (err) {
        ret.changes = {};
        return fail(ret, `Unable to rename ${name} to backup ${bk} -> : ${errText(err)}`);
      }
    } else if (!force && !atomic) {
      const kind = isFile(name) ? 'File' : isDir(name) ? 'Directory' : 'File system entry';
      return fail(ret, `${kind} exists where the symlink ${name} should be`);
    }
  }
  try {
    await salt('file.symlink', [target, name], { force, atomic });
  } catch (err) {
    ret.result = false;
    ret.comment = `Unable to create new symlink ${name} -> ${target}: ${errText(err)}`;
    return ret;
  }
  ret.comment = `Created new symlink ${name} -> ${target}`;
  ret.changes['new'] = name;
  if (!(await ownedBy(ctx, name, user, group)) && !(await setLinkOwner(ctx, name, user, group))) {
    ret.result = false;
    ret.comment += `, but was unable to set ownership to ${pyStr(user)}:${pyStr(group)}`;
  }
  return ret;
}

export interface CopyArgs {
  name: unknown;
  source: unknown;
  force?: unknown;
  makedirs?: unknown;
  preserve?: unknown;
  user?: unknown;
  group?: unknown;
  mode?: unknown;
  dir_mode?: unknown;
  subdir?: unknown;
  owner?: unknown;
}

/** Salt's file.copy. */
export async function copy(ctx: StateContext, a: CopyArgs): Promise<StateReturn> {
  const salt = saltOf(ctx);
  const test = isTest(ctx);
  let name = expandUser(a.name);
  const source = expandUser(a.source);
  const ret = newRet(name);
  ret.comment = `Copied "${source}" to "${name}"`;
  if (!name) return fail(ret, 'Must provide name to file.copy');
  let changed = true;
  if (!path.isAbsolute(name)) return fail(ret, `Specified file ${name} is not an absolute path`);
  if (!exists(source)) return fail(ret, `Source file "${source}" is not present`);
  let user: unknown;
  let group: unknown;
  let mode: unknown;
  const preserve = flag(a.preserve);
  if (preserve) {
    user = await salt('file.get_user', [source]);
    group = await salt('file.get_group', [source]);
    mode = await salt('file.get_mode', [source]);
  } else {
    user = opt(a.user) ?? opt(a.owner) ?? ctx.opts.user;
    group = opt(a.group) ?? (await primaryGroup(ctx, user));
    const uCheck = await checkUser(ctx, user, group);
    if (uCheck) return fail(ret, uCheck);
    mode = opt(a.mode) ?? (await salt('file.get_mode', [source]));
  }
  if (isDir(name) && flag(a.subdir)) {
    name = path.join(name, path.basename(source));
  }
  if (lexists(source) && lexists(name)) {
    const force = flag(a.force);
    if (force && isFile(name)) {
      const [h1, h2] = [await salt('file.get_hash', [name]), await salt('file.get_hash', [source])];
      if (h1 === h2) ret.comment = `${pyStr(ret.comment)} - files are identical but force flag is set`;
    }
    if (!force) changed = false;
    else if (!test && changed) {
      try {
        await salt('file.remove', [name], { force: true });
      } catch {
        return fail(ret, `Failed to delete "${name}" in preparation for forced move`);
      }
    }
  }
  if (test) {
    if (changed) {
      ret.comment = `File "${source}" is set to be copied to "${name}"`;
      ret.result = null;
    } else {
      ret.comment = `The target file "${name}" exists and will not be overwritten`;
      ret.result = true;
    }
    return ret;
  }
  if (!changed) {
    ret.comment = `The target file "${name}" exists and will not be overwritten`;
    ret.result = true;
    return ret;
  }
  const dname = path.dirname(name);
  if (!isDir(dname)) {
    if (!flag(a.makedirs)) return fail(ret, `The target directory ${dname} is not present`);
    let dirMode = opt(a.dir_mode);
    if (dirMode === null && mode !== null && mode !== undefined) {
      // Each nonzero digit gets its execute bit, so the made directories can be listed.
      dirMode = [...pyStr(mode)]
        .slice(-3)
        .map((d) => (d !== '0' ? String(Number(d) | 1) : d))
        .join('');
    }
    await salt('file.makedirs', [name], { user, group, mode: dirMode });
  }
  try {
    if (isDir(source)) {
      fs.cpSync(source, name, { recursive: true, verbatimSymlinks: true });
      for (const e of fs.readdirSync(name, { recursive: true }) as string[])
        await salt('file.lchown', [path.join(name, e), user, group]);
    } else fs.copyFileSync(source, name);
    ret.changes = { [name]: source };
    if (!preserve) {
      const [check] = (await salt('file.check_perms', [name, ret, user, group, mode])) as [StateReturn];
      // Salt's check_perms fills in the very ret it is given: its changes are the state's.
      ret.changes = check.changes;
      if (!check.result) {
        ret.result = check.result;
        ret.comment = check.comment;
      }
    }
  } catch {
    return fail(ret, `Failed to copy "${source}" to "${name}"`);
  }
  return ret;
}
