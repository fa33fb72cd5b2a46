import fs from 'node:fs';
import path from 'node:path';
import { pyStr } from '@tsalt/core';
import type { StateContext, StateReturn } from '../types.js';
import {
  errText,
  exists,
  expandUser,
  fail,
  flag,
  isDir,
  isFile,
  isTest,
  newRet,
  normalizeMode,
  opt,
  saltOf,
} from './common.js';
import { primaryGroup } from './misc.js';

/** Do the two paths share an inode (Salt's `_hardlink_same`). */
function sameInode(a: string, b: string): boolean {
  try {
    return fs.lstatSync(a).ino === fs.lstatSync(b).ino;
  } catch {
    return false;
  }
}

/** Salt's `_hardlink_check`: [result, comment, changes] for test mode. */
async function hardlinkCheck(
  ctx: StateContext,
  name: string,
  target: string,
  force: boolean,
): Promise<[boolean | null, string, Record<string, unknown>]> {
  const changes: Record<string, unknown> = {};
  if (!exists(target)) return [false, `Target ${target} for hard link does not exist`, changes];
  if (isDir(target)) return [false, `Unable to hard link from directory ${target}`, changes];
  if (isDir(name)) return [false, `Unable to hard link to directory ${name}`, changes];
  if (!exists(name)) {
    changes['new'] = name;
    return [null, `Hard link ${name} to ${target} is set for creation`, changes];
  }
  if (await saltOf(ctx)('file.is_hardlink', [name])) {
    if (sameInode(name, target)) return [true, `The hard link ${name} is presently targetting ${target}`, changes];
    changes['change'] = name;
    return [null, `Link ${name} target is set to be changed to ${target}`, changes];
  }
  if (force)
    return [
      null,
      `The file or directory ${name} is set for removal to make way for a new hard link targeting ${target}`,
      changes,
    ];
  return [false, `File or directory exists where the hard link ${name} should be. Did you mean to use force?`, changes];
}

/** Salt's file.hardlink. */
export async function hardlink(
  ctx: StateContext,
  a: {
    name: unknown;
    target: unknown;
    force?: unknown;
    makedirs?: unknown;
    user?: unknown;
    group?: unknown;
    dir_mode?: unknown;
    owner?: unknown;
  },
): Promise<StateReturn> {
  const salt = saltOf(ctx);
  const name = expandUser(a.name);
  const target = pyStr(a.target);
  const dirMode = normalizeMode(opt(a.dir_mode));
  const ret = newRet(name);
  if (!name) return fail(ret, 'Must provide name to file.hardlink');
  const user = opt(a.user) ?? opt(a.owner) ?? ctx.opts.user;
  const group = opt(a.group) ?? (await primaryGroup(ctx, user));
  const errors: string[] = [];
  if ((await salt('file.user_to_uid', [user])) === '') errors.push(`User ${pyStr(user)} does not exist`);
  if ((await salt('file.group_to_gid', [group])) === '') errors.push(`Group ${pyStr(group)} does not exist`);
  if (!path.isAbsolute(name)) errors.push(`Specified file ${name} is not an absolute path`);
  if (!path.isAbsolute(target)) errors.push(`Specified target ${target} is not an absolute path`);
  if (errors.length) return fail(ret, errors.join('. ') + (errors.length > 1 ? '.' : ''));
  const force = flag(a.force);
  if (isTest(ctx)) {
    const [result, comment, changes] = await hardlinkCheck(ctx, name, target, force);
    return Object.assign(ret, { result, comment, changes });
  }
  for (const [direction, item] of [
    ['to', name],
    ['from', target],
  ] as const)
    if (isDir(item)) return fail(ret, `Unable to hard link ${direction} directory ${item}`);
  if (!exists(target)) return fail(ret, `Target ${target} for hard link does not exist`);
  if (!isDir(path.dirname(name))) {
    if (!flag(a.makedirs)) return fail(ret, `Directory ${path.dirname(name)} for hard link is not present`);
    await salt('file.makedirs', [name], { user, group, mode: dirMode });
  }
  if (isFile(name) && !(await salt('file.is_hardlink', [name]))) {
    if (!force) return fail(ret, `File exists where the hard link ${name} should be`);
    fs.rmSync(name);
    ret.changes['forced'] = 'File for hard link was forcibly replaced';
  }
  if (await salt('file.is_hardlink', [name])) {
    if (sameInode(name, target)) {
      ret.comment = `Target of hard link ${name} is already pointing to ${target}`;
      return ret;
    }
    fs.rmSync(name);
    try {
      await salt('file.link', [target, name]);
    } catch (err) {
      ret.result = false;
      ret.comment = `Unable to set target of hard link ${name} -> ${target}: ${errText(err)}`;
      return ret;
    }
    ret.comment = `Set target of hard link ${name} -> ${target}`;
    ret.changes['new'] = name;
  } else if (!exists(name)) {
    try {
      await salt('file.link', [target, name]);
    } catch (err) {
      ret.result = false;
      ret.comment = `Unable to create new hard link ${name} -> ${target}: ${errText(err)}`;
      return ret;
    }
    ret.comment = `Created new hard link ${name} -> ${target}`;
    ret.changes['new'] = name;
  }
  return ret;
}
