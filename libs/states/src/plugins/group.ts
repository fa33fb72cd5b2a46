import { pyStr } from '@tsalt/core';
import { definePlugin, type BoundArgs } from '@tsalt/loader';
import type { MinionConfig } from '@tsalt/config';
import type { StateContext, StateReturn, StateServices } from '../types.js';
import { isTest, listOf, salt, stateRet, text } from '../sys/state-ret.js';

/* Salt's `group` state: a local group present (gid, members) or absent. */

interface GroupInfo {
  name: string;
  gid: number;
  members: string[];
}

async function info(ctx: StateContext, name: string): Promise<GroupInfo | null> {
  const g = (await salt(ctx, 'group.info', [name])) as Partial<GroupInfo>;
  return g && 'name' in g ? (g as GroupInfo) : null;
}

const given = (v: unknown): boolean => v !== null && v !== undefined;

/** What would change, in Salt's order (gid, delusers or members, addusers, delusers); null when the group is absent. */
async function changesFor(
  ctx: StateContext,
  name: string,
  a: BoundArgs,
): Promise<Record<string, unknown> | null | 'Invalid gid'> {
  const g = await info(ctx, name);
  if (!g) return null;
  const change: Record<string, unknown> = {};
  if (a['gid'] !== null && a['gid'] !== undefined && a['gid'] !== '' && a['gid'] !== 0) {
    const gid = Number(a['gid']);
    if (!Number.isInteger(gid)) return 'Invalid gid';
    if (g.gid !== gid) change['gid'] = gid;
  }
  const have = new Set(g.members);
  const differs = (want: string[]): boolean =>
    want.some((u) => !have.has(u)) || g.members.some((u) => !want.includes(u));
  if (given(a['members'])) {
    const members = listOf(a['members']);
    // An empty members list empties the group: every current member goes.
    if (!members.length) {
      if (differs(members)) change['delusers'] = new Set(g.members);
    } else if (differs(members)) change['members'] = members;
  }
  const add = listOf(a['addusers']).filter((u) => !have.has(u));
  if (add.length) change['addusers'] = add;
  const del = listOf(a['delusers']).filter((u) => have.has(u));
  if (del.length) change['delusers'] = del;
  return change;
}

/** A change set for the ret: sets as lists, so that it serializes. */
function plain(change: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(change).map(([k, v]) => [k, v instanceof Set ? [...v] : v]));
}

function listing(change: Record<string, unknown>): string {
  let s = 'The following group attributes are set to be changed:\n';
  for (const [k, v] of Object.entries(change)) s += `${k}: ${pyStr(v)}\n`;
  return s;
}

async function present(ctx: StateContext, a: BoundArgs): Promise<StateReturn> {
  const name = text(a['name']);
  const ret = stateRet(name, true, `Group ${name} is present and up to date`);
  if (given(a['members']) && (given(a['addusers']) || given(a['delusers'])))
    return {
      ...ret,
      result: null,
      comment: 'Error: Conflicting options "members" with "addusers" and/or "delusers" can not be used together. ',
    };
  const adds = listOf(a['addusers']);
  if (adds.length && listOf(a['delusers']).some((u) => adds.includes(u)))
    return { ...ret, result: null, comment: 'Error. Same user(s) can not be added and deleted simultaneously' };
  const nonUnique = a['non_unique'] === true;
  let change = await changesFor(ctx, name, a);
  if (change === 'Invalid gid') return { ...ret, result: false, comment: change };
  if (change && Object.keys(change).length) {
    ret.comment = listing(change);
    if (isTest(ctx)) return { ...ret, result: null };
    for (const [key, val] of Object.entries(change)) {
      if (key === 'gid') await salt(ctx, 'group.chgid', [name, a['gid']], { non_unique: nonUnique });
      else if (key === 'addusers') for (const u of val as string[]) await salt(ctx, 'group.adduser', [name, u]);
      else if (key === 'delusers') for (const u of val as Iterable<string>) await salt(ctx, 'group.deluser', [name, u]);
      else if (key === 'members') await salt(ctx, 'group.members', [name, listOf(a['members']).join(',')]);
    }
    change = await changesFor(ctx, name, a);
    if (change && typeof change === 'object' && Object.keys(change).length) {
      ret.result = false;
      ret.comment += 'Some changes could not be applied';
      ret.changes = { Failed: plain(change) };
    } else ret.changes = { Final: 'All changes applied successfully' };
    return ret;
  }
  if (change !== null) return ret;
  if (isTest(ctx)) return { ...ret, result: null, comment: `Group ${name} set to be added` };
  const gid = a['gid'];
  if (given(gid) && !nonUnique) {
    const all = (await salt(ctx, 'group.getent', [], { refresh: true })) as GroupInfo[];
    const taken = all.find((g) => g.gid === Number(gid));
    if (taken)
      return {
        ...ret,
        result: false,
        comment: `Group ${name} is not present but gid ${text(gid)} is already taken by group ${taken.name}`,
      };
  }
  if (
    (await salt(ctx, 'group.add', [name], {
      gid: gid ?? null,
      system: a['system'] === true,
      non_unique: nonUnique,
    })) !== true
  )
    return { ...ret, result: false, comment: `Failed to create new group ${name}` };
  // Salt sets members, or the addusers (the later wins), on the new group in one go.
  const members = given(a['addusers']) ? adds : listOf(a['members']);
  if (members.length) await salt(ctx, 'group.members', [name, members.join(',')]);
  ret.comment = `New group ${name} created`;
  ret.changes = ((await info(ctx, name)) ?? {}) as unknown as Record<string, unknown>;
  change = await changesFor(ctx, name, a);
  if (change && typeof change === 'object' && Object.keys(change).length) {
    ret.result = false;
    ret.comment = `Group ${name} has been created but, some changes could not be applied`;
    ret.changes = { Failed: plain(change) };
  }
  return ret;
}

async function absent(ctx: StateContext, a: BoundArgs): Promise<StateReturn> {
  const name = text(a['name']);
  const ret = stateRet(name, true, '');
  if (!(await info(ctx, name))) return { ...ret, comment: 'Group not present' };
  if (isTest(ctx)) return { ...ret, result: null, comment: `Group ${name} is set for removal` };
  if ((await salt(ctx, 'group.delete', [name])) === true)
    return { ...ret, changes: { [name]: '' }, comment: `Removed group ${name}` };
  return { ...ret, result: false, comment: `Failed to remove group ${name}` };
}

export default definePlugin<MinionConfig, StateServices>({
  name: 'group',
  doc: 'Management of user groups',
  functions: {
    present: {
      doc: "Ensure that a group is present\n\nname (str):\n    The name of the group to manage\n\ngid (str):\n    The group id to assign to the named group; if left empty, then the\n    next available group id will be assigned.\n\nsystem (bool):\n    Whether or not the named group is a system group.  This is essentially\n    the '-r' option of 'groupadd'.\n\naddusers (list):\n    List of additional users to be added as a group members. Cannot\n    conflict with names in delusers. Cannot be used in conjunction with\n    members.\n\ndelusers (list):\n    Ensure these user are removed from the group membership. Cannot\n    conflict with names in addusers. Cannot be used in conjunction with\n    members.\n\nmembers (list):\n    Replace existing group members with a list of new members. Cannot be\n    used in conjunction with addusers or delusers.\n\nnon_unique (bool):\n    Allow creating groups with duplicate (non-unique) GIDs",
      params: [
        'name',
        { name: 'gid', default: null },
        { name: 'system', default: false },
        { name: 'addusers', default: null },
        { name: 'delusers', default: null },
        { name: 'members', default: null },
        { name: 'non_unique', default: false },
      ],
      fn: present,
    },
    absent: {
      doc: 'Ensure that the named group is absent\n\nname (str):\n    The name of the group to remove',
      params: ['name'],
      fn: absent,
    },
  },
});
