import type { MinionConfig } from '@tsalt/config';
import { pyStr } from '@tsalt/core';
import { definePlugin, pyTruthy, type BoundArgs } from '@tsalt/loader';
import type { ModuleContext as PluginContext, ModuleServices } from '../context.js';
import { listArg, nameArg, rootArg, rootFlag, runTool, sameValue, tool } from '../account-tools.js';
import { allGroups, getgrnam, type GroupEntry } from '../nss.js';

/** Salt's groupadd module (virtual name `group`) for Linux: groupadd/groupdel/groupmod/gpasswd. */

function formatInfo(g: GroupEntry): Record<string, unknown> {
  return { name: g.name, passwd: g.passwd, gid: g.gid, members: g.members };
}

function info(name: string, root?: string): Record<string, unknown> {
  const g = getgrnam(name, root);
  return g ? formatInfo(g) : {};
}

/** `gpasswd <args> [--root <root>]`: its exit code as Salt's `not retcode`. */
async function gpasswd(ctx: PluginContext, args: string[], root: string | undefined): Promise<boolean> {
  const r = await runTool(ctx, [tool('gpasswd'), ...args, ...rootFlag(root, '--root')]);
  return r.retcode === 0;
}

async function add(ctx: PluginContext, a: BoundArgs): Promise<boolean> {
  const cmd: unknown[] = [tool('groupadd')];
  if (pyTruthy(a['gid'])) {
    cmd.push('-g', a['gid']);
    if (pyTruthy(a['non_unique'])) cmd.push('-o');
  }
  if (pyTruthy(a['system'])) cmd.push('-r');
  cmd.push(...rootFlag(rootArg(a['root'])), nameArg(a['name'], 'group name'));
  return (await runTool(ctx, cmd)).retcode === 0;
}

async function chgid(ctx: PluginContext, a: BoundArgs): Promise<boolean> {
  const name = nameArg(a['name'], 'group name');
  const root = rootArg(a['root']);
  const pre = info(name, root);
  if (!('name' in pre)) return false;
  if (sameValue(a['gid'], pre['gid'])) return true;
  const flag = pyTruthy(a['non_unique']) ? '-og' : '-g';
  await runTool(ctx, [tool('groupmod'), ...rootFlag(root), flag, a['gid'], name]);
  return sameValue(a['gid'], info(name, root)['gid']);
}

const ROOT = { name: 'root', default: null };
const ex = (lines: string): string => `\n\nCLI Example:\n\n${lines}`;

export default definePlugin<MinionConfig, ModuleServices>({
  name: 'group',
  doc: 'Manage groups on Linux',
  virtual: ({ grains }) =>
    grains['kernel'] === 'Linux'
      ? true
      : 'The groupadd execution module cannot be loaded:  only available on Linux, OpenBSD and NetBSD',
  functions: {
    add: {
      doc: `Add the specified group\n\nname: Name of the new group\ngid: Use GID for the new group\nsystem: Create a system account\nroot: Directory to chroot into\nnon_unique: Allow creating groups with duplicate (non-unique) GIDs${ex("    salt '*' group.add foo 3456")}`,
      params: [
        'name',
        { name: 'gid', default: null },
        { name: 'system', default: false },
        ROOT,
        { name: 'non_unique', default: false },
      ],
      fn: add,
    },
    delete: {
      doc: `Remove the named group${ex("    salt '*' group.delete foo")}`,
      params: ['name', ROOT],
      fn: async (ctx, a) =>
        (await runTool(ctx, [tool('groupdel'), ...rootFlag(rootArg(a['root'])), nameArg(a['name'], 'group name')]))
          .retcode === 0,
    },
    info: {
      doc: `Return information about a group, or {} when there is no such group${ex("    salt '*' group.info foo")}`,
      params: ['name', ROOT],
      fn: (_ctx, a) => info(nameArg(a['name'], 'group name'), rootArg(a['root'])),
    },
    getent: {
      doc: `Return info on all groups${ex("    salt '*' group.getent")}`,
      params: [{ name: 'refresh', default: false }, ROOT],
      fn: (ctx, a) => {
        if ('group.getent' in ctx.context && !pyTruthy(a['refresh'])) return ctx.context['group.getent'];
        const ret = allGroups(rootArg(a['root'])).map(formatInfo);
        ctx.context['group.getent'] = ret;
        return ret;
      },
    },
    chgid: {
      doc: `Change the gid for a named group\n\nnon_unique: Allow modifying groups with duplicate (non-unique) GIDs${ex("    salt '*' group.chgid foo 4376")}`,
      params: ['name', 'gid', ROOT, { name: 'non_unique', default: false }],
      fn: chgid,
    },
    adduser: {
      doc: `Add a user in the group.\n\nVerifies if a valid username 'bar' as a member of an existing group 'foo',\nif not then adds it.${ex("    salt '*' group.adduser foo bar")}`,
      params: ['name', 'username', ROOT],
      fn: (ctx, a) =>
        gpasswd(
          ctx,
          ['--add', nameArg(a['username'], 'user name'), nameArg(a['name'], 'group name')],
          rootArg(a['root']),
        ),
    },
    deluser: {
      doc: `Remove a user from the group.\n\nRemoves a member user 'bar' from a group 'foo'. If group is not present\nthen returns True.${ex("    salt '*' group.deluser foo bar")}`,
      params: ['name', 'username', ROOT],
      fn: async (ctx, a) => {
        const name = nameArg(a['name'], 'group name');
        const username = nameArg(a['username'], 'user name');
        const g = getgrnam(name);
        // Salt: not a member (or no such group) is already the wanted state.
        if (!g?.members.includes(username)) return true;
        return gpasswd(ctx, ['--del', username, name], rootArg(a['root']));
      },
    },
    members: {
      doc: `Replaces members of the group with a provided list.\n\nReplaces a membership list for a local group 'foo'.\n    foo:x:1234:user1,user2,user3,...${ex("    salt '*' group.members foo 'user1,user2,user3,...'")}`,
      params: ['name', 'members_list', ROOT],
      fn: (ctx, a) => {
        const list = Array.isArray(a['members_list'])
          ? listArg(a['members_list']).join(',')
          : pyStr(a['members_list'] ?? '');
        return gpasswd(ctx, ['--members', list, nameArg(a['name'], 'group name')], rootArg(a['root']));
      },
    },
  },
});
