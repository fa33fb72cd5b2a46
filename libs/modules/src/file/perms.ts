import fs from 'node:fs';
import path from 'node:path';
import { pyStr } from '@tsalt/core';
import { chown, setMode, stats } from './stat-ops.js';
import { executionError, exists, isLink, normalizeMode, oserror } from './util.js';

/** A state-like return: what check_perms and manage_file fill in. */
export interface PermsRet {
  name: string;
  changes: Record<string, unknown>;
  comment: string | string[];
  result: boolean | null;
  [key: string]: unknown;
}

export interface CheckPermsOptions {
  followSymlinks?: boolean;
  /** Salt's `__opts__['test']`: report what would change. */
  test?: boolean;
}

/** Is the owner already `want`, by name or by id (Salt compares both). */
function same(want: unknown, name: unknown, id: unknown): boolean {
  return want === name || want === id || pyStr(want) === pyStr(name) || pyStr(want) === pyStr(id);
}

/**
 * Salt's `check_perms`: brings user, group and mode to what is asked, and
 * returns `[ret, perms]` where `ret.changes` lists what changed (or would,
 * under test) and `ret.comment` joins the failures with '; '.
 */
export function checkPerms(
  name: string,
  ret: Record<string, unknown> | null,
  user: unknown,
  group: unknown,
  modeIn: unknown,
  opts: CheckPermsOptions = {},
): [PermsRet, Record<string, unknown>] {
  const follow = opts.followSymlinks ?? false;
  const test = opts.test ?? false;
  const mode = normalizeMode(modeIn);
  let out: PermsRet;
  let origComment: unknown;
  if (!ret) {
    out = { name, changes: {}, comment: [], result: true };
    origComment = '';
  } else {
    out = { ...(ret as PermsRet), changes: { ...((ret['changes'] as Record<string, unknown>) ?? {}) } };
    origComment = ret['comment'];
  }
  const comments: string[] = [];
  const cur = stats(name, null, follow);
  const perms: Record<string, unknown> = {
    luser: typeof user === 'number' ? cur['uid'] : cur['user'],
    lgroup: typeof group === 'number' ? cur['gid'] : cur['group'],
    lmode: cur['mode'],
  };
  const link = isLink(name);
  if (user && !same(user, cur['user'], cur['uid'])) perms['cuser'] = user;
  if (group && !same(group, cur['group'], cur['gid'])) perms['cgroup'] = group;
  if (('cuser' in perms || 'cgroup' in perms) && !test) {
    try {
      const err = chown(name, user ?? cur['user'], group ?? cur['group'], !(link && !follow));
      if (err) {
        out.result = false;
        comments.push(err);
      } else if (!link) {
        // chown clears setuid bits: put the mode back.
        setMode(name, cur['mode']);
      }
    } catch {
      out.result = false;
    }
  }
  if (mode !== null && !test && !(link && !follow) && mode !== cur['mode']) {
    perms['cmode'] = mode;
    setMode(name, mode);
  }
  const post = stats(name, null, follow);
  if (user) {
    if (!same(user, post['user'], post['uid'])) {
      if (test) out.changes['user'] = user;
      else {
        out.result = false;
        comments.push(`Failed to change user to ${pyStr(user)}`);
      }
    } else if ('cuser' in perms) out.changes['user'] = user;
  }
  if (group) {
    if (!same(group, post['group'], post['gid'])) {
      if (test) out.changes['group'] = group;
      else {
        out.result = false;
        comments.push(`Failed to change group to ${pyStr(group)}`);
      }
    } else if ('cgroup' in perms) out.changes['group'] = group;
  }
  if (mode !== null && !(link && !follow)) {
    if (mode !== post['mode']) {
      if (test) out.changes['mode'] = mode;
      else {
        out.result = false;
        comments.push(`Failed to change mode to ${mode}`);
      }
    } else if ('cmode' in perms) out.changes['mode'] = mode;
  }
  if (typeof origComment === 'string') {
    if (origComment) comments.unshift(origComment);
    out.comment = comments.join('; ');
  } else {
    out.comment = comments;
  }
  return [out, perms];
}

/** Salt's `makedirs_perms`: every missing directory, with user/group/mode on each. */
export function makedirsPerms(name: string, user: unknown, group: unknown, mode: unknown): void {
  const head = path.dirname(name);
  if (head !== name && !exists(head)) makedirsPerms(head, user, group, mode);
  try {
    fs.mkdirSync(name);
  } catch (err) {
    // Salt lets the OSError through: FileExistsError: [Errno 17] File exists: '...'
    throw executionError(oserror(err, name), err);
  }
  checkPerms(name, null, user, group, mode ? normalizeMode(mode) : null);
}
