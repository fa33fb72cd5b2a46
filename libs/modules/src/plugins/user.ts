import fs from 'node:fs';
import type { MinionConfig } from '@tsalt/config';
import { pyStr } from '@tsalt/core';
import { definePlugin, pyTruthy, type BoundArgs } from '@tsalt/loader';
import type { ModuleContext as PluginContext, ModuleServices } from '../context.js';
import { listArg, nameArg, rootArg, rootFlag, runTool, sameValue, tool } from '../account-tools.js';
import { ModuleError } from '../errors.js';
import { allGroups, allUsers, getgrnam, getpwnam, groupsOf, type PasswdEntry } from '../nss.js';

/** Salt's useradd module (virtual name `user`) for Linux: shadow-utils to change, the passwd database to read. */

const GECOS_KEYS = ['fullname', 'roomnumber', 'workphone', 'homephone', 'other'] as const;
type GecosKey = (typeof GECOS_KEYS)[number];

function gecosFields(gecos: string): Record<GecosKey, string> {
  // Python's split(',', 4): the fifth field keeps any further commas.
  const parts = gecos.split(',');
  const f = [...parts.slice(0, 4), parts.slice(4).join(',')];
  return Object.fromEntries(GECOS_KEYS.map((k, i) => [k, f[i] ?? ''])) as Record<GecosKey, string>;
}

/** Salt's `_format_info`, keys in Salt's order. */
function formatInfo(p: PasswdEntry, root?: string): Record<string, unknown> {
  return {
    gid: p.gid,
    groups: groupsOf(p.name, root),
    home: p.dir,
    name: p.name,
    passwd: p.passwd,
    shell: p.shell,
    uid: p.uid,
    ...gecosFields(p.gecos),
  };
}

function info(name: string, root?: string): Record<string, unknown> {
  const p = getpwnam(name, root);
  return p ? formatInfo(p, root) : {};
}

/** Salt's `_chattrib`: usermod only when the value differs, then read it back. */
async function chattrib(
  ctx: PluginContext,
  a: BoundArgs,
  key: string,
  value: unknown,
  flag: string,
  persist = false,
): Promise<boolean> {
  const name = nameArg(a['name'], 'user name');
  const root = rootArg(a['root']);
  const pre = info(name, root);
  if (!('name' in pre)) throw new ModuleError('USER_MISSING', `User '${name}' does not exist`);
  const want = key === 'gid' && typeof value === 'string' && !/^\d+$/.test(value) ? getgrnam(value, root)?.gid : value;
  if (sameValue(want, pre[key])) return true;
  await runTool(ctx, [tool('usermod'), ...rootFlag(root), ...(persist ? ['-m'] : []), flag, value, name]);
  return sameValue(want, info(name, root)[key]);
}

/** Salt's `_update_gecos`: one GECOS field through `usermod -c`. */
async function updateGecos(ctx: PluginContext, a: BoundArgs, key: GecosKey): Promise<boolean> {
  const name = nameArg(a['name'], 'user name');
  const root = rootArg(a['root']);
  const value = a[key] === null || a[key] === undefined ? '' : pyStr(a[key]);
  const p = getpwnam(name, root);
  if (!p) return false;
  const pre = gecosFields(p.gecos);
  if (pre[key] === value) return true;
  const gecos = GECOS_KEYS.map((k) => (k === key ? value : pre[k]))
    .join(',')
    .replace(/,+$/, '');
  await runTool(ctx, [tool('usermod'), ...rootFlag(root), '-c', gecos, name]);
  return gecosFields(getpwnam(name, root)?.gecos ?? '')[key] === value;
}

/** `USERGROUPS_ENAB yes` in /etc/login.defs: useradd makes a group named for the user. */
function userGroupsEnabled(): boolean {
  try {
    const line = fs
      .readFileSync('/etc/login.defs', 'utf8')
      .split('\n')
      .find((l) => l.slice(0, 15).includes('USERGROUPS_ENAB'));
    return line?.includes('yes') ?? false;
  } catch {
    return false;
  }
}

async function add(ctx: PluginContext, a: BoundArgs): Promise<boolean> {
  const name = nameArg(a['name'], 'user name');
  const root = rootArg(a['root']);
  const set = (v: unknown): boolean => v !== null && v !== undefined && v !== '';
  const groups = a['groups'] === null || a['groups'] === undefined ? null : listArg(a['groups']);
  const cmd: unknown[] = [tool('useradd')];
  if (pyTruthy(a['shell'])) cmd.push('-s', a['shell']);
  if (set(a['uid'])) cmd.push('-u', a['uid']);
  if (set(a['gid'])) cmd.push('-g', a['gid']);
  else if (pyTruthy(a['usergroup'])) cmd.push('-U');
  else if (groups?.includes(name) && userGroupsEnabled()) {
    const g = getgrnam(name, root);
    if (g) cmd.push('-g', g.gid);
  }
  if (a['usergroup'] === false) cmd.push('-N');
  cmd.push(pyTruthy(a['createhome']) ? '-m' : '-M');
  if (pyTruthy(a['nologinit'])) cmd.push('-l');
  if (set(a['home'])) cmd.push('-d', a['home']);
  if (!pyTruthy(a['unique'])) cmd.push('-o');
  if (pyTruthy(a['system'])) cmd.push('-r');
  cmd.push(name, ...rootFlag(root));
  const r = await runTool(ctx, cmd);
  if (r.retcode !== 0) return false;
  // The user exists now: Salt returns True whatever the follow-up changes do.
  const sub = { name, root: a['root'] };
  if (groups?.length) await chgroups(ctx, { ...sub, groups, append: false });
  for (const k of GECOS_KEYS) if (pyTruthy(a[k])) await updateGecos(ctx, { ...sub, [k]: a[k] }, k);
  return true;
}

async function chgroups(ctx: PluginContext, a: BoundArgs): Promise<boolean> {
  const name = nameArg(a['name'], 'user name');
  const root = rootArg(a['root']);
  const groups = listArg(a['groups']);
  const have = new Set(groupsOf(name, root));
  if (have.size === groups.length && groups.every((g) => have.has(g))) return true;
  const append = pyTruthy(a['append']);
  const r = await runTool(ctx, [
    tool('usermod'),
    ...(append ? ['-a'] : []),
    '-G',
    groups.join(','),
    name,
    ...rootFlag(root),
  ]);
  // Groups only in LDAP (pam_ldap) make usermod fail: Salt falls back to gpasswd for each.
  if (r.retcode !== 0 && r.stderr.includes('not found in')) {
    let ok = true;
    for (const g of groups) if ((await runTool(ctx, ['gpasswd', '-a', name, g])).retcode !== 0) ok = false;
    return ok;
  }
  return r.retcode === 0;
}

async function del(ctx: PluginContext, a: BoundArgs): Promise<boolean> {
  const name = nameArg(a['name'], 'user name');
  const cmd: unknown[] = [tool('userdel')];
  if (pyTruthy(a['remove'])) cmd.push('-r');
  if (pyTruthy(a['force'])) cmd.push('-f');
  cmd.push(name, ...rootFlag(rootArg(a['root'])));
  const r = await runTool(ctx, cmd);
  if (r.retcode === 0) return true;
  // Debian's userdel exits 12 when the user had no mail spool to remove (Launchpad #1023509).
  return r.retcode === 12 && ctx.grains['os_family'] === 'Debian' && /var\/(spool\/)?mail/.test(r.stderr);
}

const ROOT = { name: 'root', default: null };
const ex = (lines: string): string => `\n\nCLI Example:\n\n${lines}`;

export default definePlugin<MinionConfig, ModuleServices>({
  name: 'user',
  doc: 'Manage users with the useradd command',
  virtual: ({ grains }) =>
    grains['kernel'] === 'Linux'
      ? true
      : 'useradd execution module not loaded: either pwd python library not available or system not one of Linux, OpenBSD, NetBSD or AIX',
  functions: {
    add: {
      doc: `Add a user to the minion. Returns True when useradd succeeded.\n\nname: Username LOGIN to add\nuid: User ID of the new account\ngid: Name or ID of the primary group of the new account\ngroups: List of supplementary groups of the new account\nhome: Home directory of the new account\nshell: Login shell of the new account\nunique: If not True, the user account can have a non-unique UID\nsystem: Create a system account\nfullname, roomnumber, workphone, homephone, other: GECOS fields\ncreatehome: Create the user's home directory\nnologinit: Do not add the user to the lastlog and faillog databases\nroot: Directory to chroot into\nusergroup: Create and add the user to a new primary group of the same name${ex("    salt '*' user.add name <uid> <gid> <groups> <home> <shell>")}`,
      params: [
        'name',
        ...[
          ['uid', null],
          ['gid', null],
          ['groups', null],
          ['home', null],
          ['shell', null],
          ['unique', true],
          ['system', false],
          ['fullname', ''],
          ['roomnumber', ''],
          ['workphone', ''],
          ['homephone', ''],
          ['other', ''],
          ['createhome', true],
          ['loginclass', null],
          ['nologinit', false],
          ['root', null],
          ['usergroup', null],
        ].map(([n, d]) => ({ name: String(n), default: d })),
      ],
      fn: add,
    },
    delete: {
      doc: `Remove a user from the minion\n\nremove: Remove home directory and mail spool\nforce: Force some actions that would fail otherwise\nroot: Directory to chroot into${ex("    salt '*' user.delete name remove=True force=True")}`,
      params: ['name', { name: 'remove', default: false }, { name: 'force', default: false }, ROOT],
      fn: del,
    },
    getent: {
      doc: `Return the list of all info for all users${ex("    salt '*' user.getent")}`,
      params: [{ name: 'refresh', default: false }, ROOT],
      fn: (ctx, a) => {
        if ('user.getent' in ctx.context && !pyTruthy(a['refresh'])) return ctx.context['user.getent'];
        const root = rootArg(a['root']);
        const ret = allUsers(root).map((p) => formatInfo(p, root));
        ctx.context['user.getent'] = ret;
        return ret;
      },
    },
    info: {
      doc: `Return user information, or {} when there is no such user${ex("    salt '*' user.info root")}`,
      params: ['name', ROOT],
      fn: (_ctx, a) => info(nameArg(a['name'], 'user name'), rootArg(a['root'])),
    },
    list_users: {
      doc: `Return a list of all users${ex("    salt '*' user.list_users")}`,
      params: [ROOT],
      fn: (_ctx, a) =>
        allUsers(rootArg(a['root']))
          .map((p) => p.name)
          .sort(),
    },
    list_groups: {
      doc: `Return a list of groups the named user belongs to${ex("    salt '*' user.list_groups foo")}`,
      params: ['name'],
      fn: (_ctx, a) => groupsOf(nameArg(a['name'], 'user name')),
    },
    primary_group: {
      doc: `Return the primary group of the named user${ex("    salt '*' user.primary_group saltadmin")}`,
      params: ['name'],
      fn: (_ctx, a) => {
        const p = getpwnam(nameArg(a['name'], 'user name'));
        if (!p) throw new ModuleError('USER_MISSING', `id: '${pyStr(a['name'])}': no such user`);
        // What `id -g -n` prints: the group's name, or the number when it has none.
        return allGroups().find((g) => g.gid === p.gid)?.name ?? String(p.gid);
      },
    },
    chuid: {
      doc: `Change the uid for a named user${ex("    salt '*' user.chuid foo 4376")}`,
      params: ['name', 'uid', ROOT],
      fn: (ctx, a) => chattrib(ctx, a, 'uid', a['uid'], '-u'),
    },
    chgid: {
      doc: `Change the default group of the user${ex("    salt '*' user.chgid foo 4376")}`,
      params: ['name', 'gid', ROOT],
      fn: (ctx, a) => chattrib(ctx, a, 'gid', a['gid'], '-g'),
    },
    chshell: {
      doc: `Change the default shell of the user${ex("    salt '*' user.chshell foo /bin/zsh")}`,
      params: ['name', 'shell', ROOT],
      fn: (ctx, a) => chattrib(ctx, a, 'shell', a['shell'], '-s'),
    },
    chhome: {
      doc: `Change the home directory of the user, pass True for persist to move files\nto the new home directory if the old home directory exist.${ex("    salt '*' user.chhome foo /home/users/foo True")}`,
      params: ['name', 'home', { name: 'persist', default: false }, ROOT],
      fn: (ctx, a) => chattrib(ctx, a, 'home', a['home'], '-d', pyTruthy(a['persist'])),
    },
    chgroups: {
      doc: `Change the groups to which this user belongs\n\nappend: If True, append the specified group(s). Otherwise, this function\n    will replace the user's groups with the specified group(s).${ex("    salt '*' user.chgroups foo wheel,root\n    salt '*' user.chgroups foo wheel,root append=True")}`,
      params: ['name', 'groups', { name: 'append', default: false }, ROOT],
      fn: chgroups,
    },
    chfullname: {
      doc: `Change the user's Full Name${ex('    salt \'*\' user.chfullname foo "Foo Bar"')}`,
      params: ['name', 'fullname', ROOT],
      fn: (ctx, a) => updateGecos(ctx, a, 'fullname'),
    },
    chroomnumber: {
      doc: `Change the user's Room Number${ex("    salt '*' user.chroomnumber foo 123")}`,
      params: ['name', 'roomnumber', ROOT],
      fn: (ctx, a) => updateGecos(ctx, a, 'roomnumber'),
    },
    chworkphone: {
      doc: `Change the user's Work Phone${ex("    salt '*' user.chworkphone foo 7735550123")}`,
      params: ['name', 'workphone', ROOT],
      fn: (ctx, a) => updateGecos(ctx, a, 'workphone'),
    },
    chhomephone: {
      doc: `Change the user's Home Phone${ex("    salt '*' user.chhomephone foo 7735551234")}`,
      params: ['name', 'homephone', ROOT],
      fn: (ctx, a) => updateGecos(ctx, a, 'homephone'),
    },
    chother: {
      doc: `Change the user's other GECOS attribute${ex("    salt '*' user.chother foobar")}`,
      params: ['name', 'other', ROOT],
      fn: (ctx, a) => updateGecos(ctx, a, 'other'),
    },
    rename: {
      doc: `Change the username for a named user${ex("    salt '*' user.rename name new_name")}`,
      params: ['name', 'new_name', ROOT],
      fn: (ctx, a) => {
        const newName = nameArg(a['new_name'], 'user name');
        if ('name' in info(newName, rootArg(a['root'])))
          throw new ModuleError('USER_EXISTS', `User '${newName}' already exists`);
        return chattrib(ctx, a, 'name', newName, '-l');
      },
    },
  },
});
