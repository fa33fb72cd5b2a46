import fs from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { pyRepr, pyStr } from '@tsalt/core';
import { CommandExecutionError, definePlugin, type BoundArgs, type Param } from '@tsalt/loader';
import type { MinionConfig } from '@tsalt/config';
import type { StateContext, StateReturn, StateServices } from '../types.js';
import { errText, isTest, listOf, salt, stateRet, text } from '../sys/state-ret.js';
import { withInfo } from '../sys/nested.js';

/*
 * Salt's `user` state: a local account present with the given uid, gid,
 * groups, home, shell and GECOS fields, or absent. Passwords and the other
 * shadow fields need Salt's `shadow` module, which this minion does not
 * have yet: they are reported as warnings, not applied.
 */

type UserInfo = Record<string, unknown> & { name: string; uid: number; gid: number; groups: string[]; home: string };
interface GroupEnt {
  name: string;
  gid: number;
}

const GECOS = ['fullname', 'roomnumber', 'workphone', 'homephone', 'other'] as const;
const SHADOW = ['password', 'date', 'mindays', 'maxdays', 'inactdays', 'warndays', 'expire', 'password_lock'] as const;

async function info(ctx: StateContext, name: string): Promise<UserInfo | null> {
  const u = (await salt(ctx, 'user.info', [name])) as Partial<UserInfo>;
  return u && 'name' in u ? (u as UserInfo) : null;
}

/** The group database, for Salt's file.group_to_gid / file.gid_to_group. */
class Groups {
  constructor(private readonly all: readonly GroupEnt[]) {}
  static async load(ctx: StateContext): Promise<Groups> {
    return new Groups((await salt(ctx, 'group.getent', [], { refresh: true })) as GroupEnt[]);
  }
  /** A gid for a name (or a number as it is); '' when there is no such group. */
  toGid(g: unknown): number | '' {
    if (typeof g === 'number') return g;
    const s = text(g);
    if (/^\d+$/.test(s)) return Number(s);
    return this.all.find((e) => e.name === s)?.gid ?? '';
  }
  /** A group name for a gid (or name); the gid itself when it has no name. */
  toName(g: unknown): string | number {
    const gid = this.toGid(g);
    if (gid === '') return '';
    return this.all.find((e) => e.gid === gid)?.name ?? gid;
  }
}

/** Salt's `_group_changes`: the supplementary groups differ (a group sharing a gid with one wanted counts as it). */
function groupChanges(g: Groups, cur: string[], wanted: string[], remove: boolean): boolean {
  const c = new Set(cur);
  const w = new Set(wanted);
  const same = c.size === w.size && [...c].every((x) => w.has(x));
  if (same || (!remove && [...w].every((x) => c.has(x)))) return false;
  const diff = remove ? [...w, ...c].filter((x) => !(w.has(x) && c.has(x))) : [...w].filter((x) => !c.has(x));
  const all = [...new Set([...c, ...w])];
  const remain = diff.filter((d) => !all.some((o) => o !== d && g.toGid(o) === g.toGid(d) && g.toGid(d) !== ''));
  return remain.length > 0;
}

interface Wanted {
  uid: unknown;
  gid: unknown;
  groups: string[] | null;
  optional: string[] | null;
  removeGroups: boolean;
  home: string | null;
  createhome: boolean;
  shell: string | null;
  gecos: Partial<Record<(typeof GECOS)[number], string>>;
  allowUid: boolean;
  allowGid: boolean;
}

/** Salt's `_changes`: what differs from the wanted account, or null when it does not exist. */
async function changesFor(ctx: StateContext, name: string, w: Wanted): Promise<Record<string, unknown> | null> {
  const u = await info(ctx, name);
  if (!u) return null;
  const g = await Groups.load(ctx);
  const change: Record<string, unknown> = {};
  const have = [...u.groups];
  let wanted = [...new Set([...(w.groups ?? []), ...(w.optional ?? [])])].sort();
  // Groups that share a gid: the same group under several names.
  const byGid = new Map<number | '', string[]>();
  for (const n of have) byGid.set(g.toGid(n), [...(byGid.get(g.toGid(n)) ?? []), n]);
  const dupesOf = (n: string): string[] | null => {
    const names = byGid.get(g.toGid(n)) ?? [];
    return names.length > 1 && names.includes(n) ? names : null;
  };
  const drop = (list: string[], n: string): void => {
    const i = list.indexOf(n);
    if (i !== -1) list.splice(i, 1);
  };
  if (!w.removeGroups || (w.groups === null && !w.optional?.length)) wanted = [...new Set([...wanted, ...have])].sort();
  if (w.uid !== null && w.uid !== undefined && w.uid !== '' && w.uid !== 0 && u.uid !== Number(w.uid))
    change['uid'] = w.uid;
  if (w.gid !== null && w.gid !== undefined && u.gid !== g.toGid(w.gid)) change['gid'] = w.gid;
  const dflt = g.toName(w.gid ?? u.gid);
  const oldDflt = g.toName(u.gid);
  // The primary group is met already: leave it out of the comparison (with its same-gid twins).
  if (typeof dflt === 'string' && (have.includes(dflt) || wanted.includes(dflt))) {
    for (const n of dupesOf(dflt) ?? [dflt]) {
      drop(have, n);
      drop(wanted, n);
    }
  }
  if (oldDflt !== dflt && typeof oldDflt === 'string' && have.includes(oldDflt))
    for (const n of dupesOf(oldDflt) ?? [oldDflt]) drop(have, n);
  if (have.includes(name) && !wanted.includes(name)) for (const n of dupesOf(name) ?? [name]) drop(have, n);
  if (groupChanges(g, have, wanted, w.removeGroups) && (wanted.length || w.removeGroups)) change['groups'] = wanted;
  if (w.home && u.home !== w.home) change['home'] = w.home;
  if (w.createhome) {
    const home = w.home || u.home;
    if (home && !isDir(home)) change['homeDoesNotExist'] = home;
  }
  if (w.shell && u['shell'] !== w.shell) change['shell'] = w.shell;
  for (const k of GECOS) {
    const v = w.gecos[k];
    if (v !== undefined && u[k] !== v) change[k] = v;
  }
  const errors: string[] = [];
  if (!w.allowUid && 'uid' in change)
    errors.push(
      `Changing uid (${pyStr(u.uid)} -> ${pyStr(w.uid)}) not permitted, set allow_uid_change to True to force this change. Note that this will not change file ownership.`,
    );
  if (!w.allowGid && 'gid' in change)
    errors.push(
      `Changing gid (${pyStr(u.gid)} -> ${pyStr(w.gid)}) not permitted, set allow_gid_change to True to force this change. Note that this will not change file ownership.`,
    );
  if (errors.length)
    throw new CommandExecutionError(withInfo('Encountered error checking for needed changes', errors), { errors });
  return change;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const given = (v: unknown): boolean => v !== null && v !== undefined;

async function present(ctx: StateContext, a: BoundArgs): Promise<StateReturn> {
  const name = text(a['name']);
  const ret = stateRet(name, true, `User ${name} is present and up to date`);
  const gecos: Wanted['gecos'] = {};
  for (const k of GECOS) if (given(a[k])) gecos[k] = text(a[k]);
  // A comma separates GECOS fields: Salt would append the rest on every run.
  for (const k of ['fullname', 'roomnumber', 'workphone'] as const)
    if (gecos[k]?.includes(',')) return { ...ret, result: false, comment: `Unsupported char ',' in ${gecos[k]}` };
  const groups = given(a['groups']) ? listOf(a['groups']) : null;
  if (groups?.length) {
    const missing: string[] = [];
    for (const g of groups) if (!('name' in ((await salt(ctx, 'group.info', [g])) as object))) missing.push(g);
    if (missing.length)
      return { ...ret, result: false, comment: `The following group(s) are not present: ${missing.join(',')}` };
  }
  let optional: string[] | null = null;
  if (given(a['optional_groups']) && listOf(a['optional_groups']).length) {
    optional = [];
    for (const g of listOf(a['optional_groups']))
      if ('name' in ((await salt(ctx, 'group.info', [g])) as object)) optional.push(g);
      else ctx.log.debug({ group: g, user: name }, `Optional group "${g}" for user "${name}" is not present`);
  }
  const removeGroups = a['remove_groups'] !== false;
  const createhome = a['createhome'] !== false;
  const g = await Groups.load(ctx);
  const wanted: Wanted = {
    uid: a['uid'],
    // A usergroup is reported as a gid change to the group named for the user, when that group exists.
    gid: a['usergroup'] === true && g.toGid(name) !== '' ? name : a['gid'],
    groups,
    optional,
    removeGroups,
    home: given(a['home']) ? text(a['home']) : null,
    createhome,
    shell: given(a['shell']) ? text(a['shell']) : null,
    gecos,
    allowUid: a['allow_uid_change'] === true,
    allowGid: a['allow_gid_change'] === true,
  };
  const unsupported = SHADOW.filter((k) => given(a[k]));
  if (unsupported.length)
    ret['warnings'] = [`Not applied (this minion has no shadow module yet): ${unsupported.join(', ')}`];
  let changes: Record<string, unknown> | null;
  try {
    changes = await changesFor(ctx, name, wanted);
  } catch (err) {
    if (!(err instanceof CommandExecutionError)) throw err;
    return { ...ret, result: false, comment: errText(err) };
  }
  if (changes && Object.keys(changes).length) return update(ctx, ret, name, changes, { ...wanted, gid: a['gid'] });
  if (changes) return ret;
  if (isTest(ctx)) return { ...ret, result: null, comment: `User ${name} set to be added` };
  const all = optional ? [...(groups ?? []), ...optional] : groups;
  const added = await salt(ctx, 'user.add', [name], {
    uid: a['uid'] ?? null,
    gid: a['gid'] ?? null,
    groups: all,
    home: a['home'] ?? null,
    shell: a['shell'] ?? null,
    unique: a['unique'] !== false,
    system: a['system'] === true,
    ...Object.fromEntries(GECOS.map((k) => [k, gecos[k] ?? ''])),
    createhome,
    nologinit: a['nologinit'] === true,
    usergroup: a['usergroup'] ?? null,
  });
  if (added !== true) {
    return {
      ...ret,
      result: false,
      comment: typeof added === 'string' ? added : `Failed to create new user ${name}`,
    };
  }
  ret.comment = `New user ${name} created`;
  ret.changes = { ...((await info(ctx, name)) ?? {}) };
  // The passwd database names a home even when none was made.
  if (!createhome) ret.changes['home'] = '';
  return ret;
}

/** The account exists and differs: test mode lists the changes, otherwise apply them and check again. */
async function update(
  ctx: StateContext,
  ret: StateReturn,
  name: string,
  changes: Record<string, unknown>,
  w: Wanted,
): Promise<StateReturn> {
  if (isTest(ctx)) {
    let comment = 'The following user attributes are set to be changed:\n';
    for (const [k, v] of Object.entries(changes)) comment += `${k}: ${pyStr(v)}\n`;
    return { ...ret, result: null, comment };
  }
  const pre = (await info(ctx, name)) as UserInfo;
  const todo = { ...changes };
  let homeChanged = false;
  if ('home' in todo) {
    const home = todo['home'];
    delete todo['home'];
    if (!('homeDoesNotExist' in todo)) {
      await salt(ctx, 'user.chhome', [name, home], { persist: false });
      homeChanged = true;
    }
  }
  if ('homeDoesNotExist' in todo) {
    const home = text(todo['homeDoesNotExist']);
    delete todo['homeDoesNotExist'];
    if (!homeChanged) await salt(ctx, 'user.chhome', [name, home], { persist: false });
    if (!isDir(home)) await salt(ctx, 'file.mkdir', [home, pre.uid, pre.gid, 0o755]);
  }
  // The primary group before the supplementary ones: changing groups first can undo the gid change.
  const ch: Record<string, string> = {
    uid: 'user.chuid',
    gid: 'user.chgid',
    shell: 'user.chshell',
    ...Object.fromEntries(GECOS.map((k) => [k, `user.ch${k}`])),
  };
  for (const k of Object.keys(todo).filter((x) => x in ch)) {
    await salt(ctx, ch[k] ?? '', [name, todo[k]]);
    delete todo[k];
  }
  if ('groups' in todo) {
    await salt(ctx, 'user.chgroups', [name, todo['groups'], !w.removeGroups]);
    delete todo['groups'];
  }
  if (Object.keys(todo).length)
    ret['warnings'] = [...((ret['warnings'] as string[]) ?? []), `Unhandled changes: ${Object.keys(todo).join(', ')}`];
  const post = ((await info(ctx, name)) ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(post)) if (!isDeepStrictEqual(v, pre[k])) ret.changes[k] = v;
  if (Object.keys(ret.changes).length) ret.comment = `Updated user ${name}`;
  // uid and gid changes were allowed the first time round; someone else may have changed them since.
  const left = await changesFor(ctx, name, { ...w, allowUid: true, allowGid: true });
  if (left && Object.keys(left).length) {
    ret.comment = `These values could not be changed: ${pyRepr(left)}`;
    ret.result = false;
  }
  return ret;
}

async function absent(ctx: StateContext, a: BoundArgs): Promise<StateReturn> {
  const name = text(a['name']);
  const ret = stateRet(name, true, '');
  if (!(await info(ctx, name))) return { ...ret, comment: `User ${name} is not present` };
  if (isTest(ctx)) return { ...ret, result: null, comment: `User ${name} set for removal` };
  const before = (await salt(ctx, 'user.list_groups', [name])) as string[];
  const ok = (await salt(ctx, 'user.delete', [name, a['purge'] === true, a['force'] === true])) === true;
  if (!ok) return { ...ret, result: false, comment: `Failed to remove user ${name}` };
  // userdel removes the user's own group too: report each group that went with it.
  for (const grp of before)
    if (!('name' in ((await salt(ctx, 'group.info', [grp])) as object))) ret.changes[`${grp} group`] = 'removed';
  ret.changes[name] = 'removed';
  ret.comment = `Removed user ${name}`;
  return ret;
}

const PRESENT_PARAMS: Param[] = [
  'name',
  ...(
    [
      ['uid', null],
      ['gid', null],
      ['usergroup', null],
      ['groups', null],
      ['optional_groups', null],
      ['remove_groups', true],
      ['home', null],
      ['createhome', true],
      ['password', null],
      ['hash_password', false],
      ['enforce_password', true],
      ['empty_password', false],
      ['shell', null],
      ['unique', true],
      ['system', false],
      ['fullname', null],
      ['roomnumber', null],
      ['workphone', null],
      ['homephone', null],
      ['other', null],
      ['loginclass', null],
      ['date', null],
      ['mindays', null],
      ['maxdays', null],
      ['inactdays', null],
      ['warndays', null],
      ['expire', null],
      ['nologinit', false],
      ['allow_uid_change', false],
      ['allow_gid_change', false],
      ['password_lock', null],
    ] as const
  ).map(([n, d]) => ({ name: n, default: d })),
];

export default definePlugin<MinionConfig, StateServices>({
  name: 'user',
  doc: 'Management of user accounts',
  functions: {
    present: {
      doc: "Ensure that the named user is present with the specified properties\n\nname\n    The name of the user to manage\n\nuid\n    The user id to assign. If not specified, and the user does not exist,\n    then the next available uid will be assigned.\n\ngid\n    The id of the default group to assign to the user. Either a group name\n    or gid can be used.\n\nusergroup\n    If True, a group with the same name as the user will be created.\n\ngroups\n    A list of groups to assign the user to, pass a list object. If a group\n    specified here does not exist on the minion, the state will fail.\n\noptional_groups\n    A list of groups to assign the user to, pass a list object. If a group\n    specified here does not exist on the minion, the state will silently\n    ignore it.\n\nremove_groups\n    Remove groups that the user is a member of that weren't specified in\n    the state, Default is ``True``.\n\nhome\n    The custom login directory of user.\n\ncreatehome\n    If False, the home directory will not be created if it doesn't already\n    exist.\n\nshell\n    The login shell, defaults to the system default shell\n\nunique\n    Require a unique UID, True by default\n\nsystem\n    Choose UID in the range of FIRST_SYSTEM_UID and LAST_SYSTEM_UID.\n\nfullname, roomnumber, workphone, homephone, other\n    The user's GECOS fields\n\nnologinit\n    Do not add the user to the lastlog and faillog databases.\n\nallow_uid_change, allow_gid_change\n    Set to True to allow the state to update the uid (gid).\n\npassword and the other shadow fields\n    Not applied yet on this minion (no shadow module): a warning says so.",
      params: PRESENT_PARAMS,
      fn: present,
    },
    absent: {
      doc: "Ensure that the named user is absent\n\nname\n    The name of the user to remove\n\npurge\n    Set purge to True to delete all of the user's files as well as the user,\n    Default is ``False``.\n\nforce\n    If the user is logged in, the absent state will fail. Set the force\n    option to True to remove the user even if they are logged in.",
      params: ['name', { name: 'purge', default: false }, { name: 'force', default: false }],
      fn: absent,
    },
  },
});
