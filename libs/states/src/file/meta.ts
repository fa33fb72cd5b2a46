import { isRecord, pyStr } from '@tsalt/core';
import type { StateContext } from '../types.js';
import { normalizeMode, saltOf } from './common.js';

/** Is the owner already `want`, by name or by id (Salt compares both). */
function sameOwner(want: unknown, name: unknown, id: unknown): boolean {
  return pyStr(want) === pyStr(name) || pyStr(want) === pyStr(id);
}

/**
 * Salt's `_check_dir_meta`: what user, group and mode would change on
 * `name` (`{directory: 'new'}` when it does not exist). A link's own mode
 * is never compared unless it is followed: Linux cannot change it.
 */
export async function checkMeta(
  ctx: StateContext,
  name: string,
  user: unknown,
  group: unknown,
  modeIn: unknown,
  followSymlinks: boolean,
): Promise<Record<string, unknown>> {
  let st: Record<string, unknown>;
  try {
    const got = await saltOf(ctx)('file.stats', [name, null, followSymlinks]);
    st = isRecord(got) ? got : {};
  } catch {
    st = {};
  }
  if (!Object.keys(st).length) return { directory: 'new' };
  const changes: Record<string, unknown> = {};
  if (user !== null && user !== undefined && !sameOwner(user, st['user'], st['uid'])) changes['user'] = user;
  if (group !== null && group !== undefined && !sameOwner(group, st['group'], st['gid'])) changes['group'] = group;
  const mode = normalizeMode(modeIn);
  if (mode !== null && mode !== normalizeMode(st['mode']) && (followSymlinks || st['type'] !== 'link'))
    changes['mode'] = mode;
  return changes;
}

/** The execution module's `file.check_perms`: `[ret, perms]`. */
export async function checkPerms(
  ctx: StateContext,
  name: string,
  ret: Record<string, unknown>,
  user: unknown,
  group: unknown,
  mode: unknown,
  followSymlinks: boolean,
): Promise<[Record<string, unknown>, Record<string, unknown>]> {
  const got = (await saltOf(ctx)('file.check_perms', [name, ret, user, group, mode, null, followSymlinks])) as [
    Record<string, unknown>,
    Record<string, unknown>,
  ];
  return got;
}
