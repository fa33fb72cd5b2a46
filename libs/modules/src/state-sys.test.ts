/**
 * The cmd, service, pkg, user and group states over the real execution
 * modules: a state Registry whose `salt` service is a module Registry, as
 * the minion wires them. What changes the host runs only as root, on
 * throwaway names (tsalt-st-<random>), and is undone in `after`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig, type MinionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { statePlugins, type LowChunk, type StateServices } from '@tsalt/states';
import { coreGrains, executionModulePlugins } from './index.js';
import type { FileClientService } from './context.js';

const T = { timeout: 120_000 };
const log = silentLogger();
// The states' cachedir (pkg's refresh flag lands there) is a throwaway one.
const cachedir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-st-cache-'));
after(() => fs.rmSync(cachedir, { recursive: true, force: true }));
const opts = minionConfig({ cachedir });
const grains = coreGrains('t', {});
const isRoot = process.getuid?.() === 0;
const suffix = crypto.randomBytes(3).toString('hex');
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** salt:// files the fake file client serves: url -> local path. */
const served = new Map<string, string>();
const fileClient = {
  cacheFile: (source: string) => Promise.resolve(served.get(source) ?? null),
} as unknown as FileClientService;
const modules = new Registry({ kind: 'module', opts, grains, log, services: { fileClient } }, executionModulePlugins());
const states = new Registry<MinionConfig, StateServices>(
  {
    kind: 'state',
    opts,
    grains,
    log,
    services: {
      salt: async (fun, args = [], kwargs = {}) => (await modules.call(fun, args, kwargs)).return,
      fileClient,
    },
  },
  statePlugins(),
);

type Ret = { name: string; result: boolean | null; comment: string; changes: Record<string, unknown> } & Record<
  string,
  unknown
>;

/** One state call, as the runner makes it: the chunk's args by name, the run's test flag. */
async function state(fun: string, kwargs: Record<string, unknown>, test = false): Promise<Ret> {
  const [mod = '', f = ''] = fun.split('.');
  // Each call here is a run's first pkg state, which refreshes the package database: not against the network in tests.
  if (['pkg.installed', 'pkg.latest', 'pkg.mod_watch'].includes(fun) && !('refresh' in kwargs))
    kwargs = { ...kwargs, refresh: false };
  const chunk: LowChunk = {
    state: mod,
    __id__: String(kwargs['name']),
    name: String(kwargs['name']),
    fun: f,
    __sls__: 't',
    __env__: 'base',
    order: 1,
  };
  const run = { test, saltenv: 'base', chunk, running: {} };
  return (await states.call(fun, [], kwargs, { services: { run } })).return as Ret;
}

describe('cmd state', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-st-cmd-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('run: changes are pid, retcode, stdout, stderr; a non-zero retcode fails', T, async () => {
    const r = await state('cmd.run', { name: 'echo hi; echo oops >&2', cwd: dir });
    assert.equal(r.result, true);
    assert.equal(r.comment, 'Command "echo hi; echo oops >&2" run');
    assert.deepEqual(Object.keys(r.changes).sort(), ['pid', 'retcode', 'stderr', 'stdout']);
    assert.equal(r.changes['stdout'], 'hi');
    assert.equal(r.changes['stderr'], 'oops');
    const bad = await state('cmd.run', { name: 'exit 3' });
    assert.equal(bad.result, false);
    assert.equal(bad.changes['retcode'], 3);
    assert.equal((await state('cmd.run', { name: 'exit 3', success_retcodes: [3] })).result, true);
  });
  it('run: env, a missing cwd, a bad env, test mode', T, async () => {
    assert.equal((await state('cmd.run', { name: 'echo $TSALT_X', env: { TSALT_X: 'y' } })).changes['stdout'], 'y');
    assert.deepEqual(await state('cmd.run', { name: 'true', cwd: '/no/such/dir' }), {
      name: 'true',
      changes: {},
      result: false,
      comment: 'Desired working directory "/no/such/dir" is not available',
    });
    assert.equal(
      (await state('cmd.run', { name: 'true', env: 'X=1' })).comment,
      "Invalidly-formatted 'env' parameter. See documentation.",
    );
    const marker = path.join(dir, 'test-mode');
    assert.deepEqual(await state('cmd.run', { name: `touch ${marker}` }, true), {
      name: `touch ${marker}`,
      changes: { cmd: `touch ${marker}` },
      result: null,
      comment: `Command "touch ${marker}" would have been executed`,
    });
    assert.equal(fs.existsSync(marker), false);
  });
  it('run: stateful reads the last line', T, async () => {
    const r = await state('cmd.run', { name: 'echo working; echo changed=yes comment=\\"all done\\"', stateful: true });
    assert.equal(r.comment, 'all done');
    assert.equal(r.changes['changed'], 'yes');
    assert.equal(r.changes['stdout'], 'working');
    const quiet = await state('cmd.run', { name: 'echo changed=no', stateful: true });
    assert.deepEqual(quiet.changes, {});
  });
  it('wait does nothing; mod_watch runs it', T, async () => {
    const marker = path.join(dir, 'waited');
    const name = `touch ${marker} && echo touched`;
    assert.deepEqual(await state('cmd.wait', { name }), { name, changes: {}, result: true, comment: '' });
    assert.equal(fs.existsSync(marker), false);
    const w = await state('cmd.mod_watch', { name, sfun: 'wait' });
    assert.equal(w.result, true);
    assert.equal(w.comment, `Command "${name}" run`);
    assert.equal(w.changes['stdout'], 'touched');
    assert.equal(fs.existsSync(marker), true);
    assert.equal(
      (await state('cmd.mod_watch', { name, sfun: 'shell' })).comment,
      'cmd.shell does not work with the watch requisite, please use cmd.wait or cmd.wait_script',
    );
  });
  it('script: a salt:// source with args; a source the server lacks', T, async () => {
    const file = path.join(dir, 'run.sh');
    fs.writeFileSync(file, '#!/bin/sh\necho "args: $*"\n');
    served.set('salt://scripts/run.sh', file);
    const r = await state('cmd.script', { name: 'salt://scripts/run.sh', args: 'a b', cwd: dir });
    assert.equal(r.result, true);
    assert.equal(r.comment, "Command 'salt://scripts/run.sh' run");
    assert.equal(r.changes['stdout'], 'args: a b');
    const inName = await state('cmd.script', { name: 'salt://scripts/run.sh x y', source: 'salt://scripts/run.sh' });
    assert.equal(inName.changes['stdout'], 'args: x y');
    const missing = await state('cmd.script', { name: 'salt://scripts/none.sh' });
    assert.equal(missing.result, false);
    assert.equal(missing.comment, "Unable to cache script salt://scripts/none.sh from saltenv 'base'");
    assert.equal(
      (await state('cmd.script', { name: 'salt://scripts/run.sh' }, true)).comment,
      "Command 'salt://scripts/run.sh' would have been executed",
    );
    const watched = await state('cmd.mod_watch', { name: 'salt://scripts/run.sh', sfun: 'wait_script', args: 'w' });
    assert.equal(watched.changes['stdout'], 'args: w');
  });
});

const NEED_ACCOUNTS = !isRoot ? 'needs root' : !has('useradd') || !has('gpasswd') ? 'needs shadow-utils' : false;

describe('user and group states (root only)', { skip: NEED_ACCOUNTS }, () => {
  const user = `tsalt-st-${suffix}`;
  const group = `tsalt-stg-${suffix}`;
  const other = `tsalt-sto-${suffix}`;
  let home: string;
  before(() => {
    home = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-st-home-')), user);
  });
  after(() => {
    spawnSync('userdel', ['-r', '-f', user], { stdio: 'ignore' });
    for (const g of [group, other, user]) spawnSync('groupdel', [g], { stdio: 'ignore' });
    fs.rmSync(path.dirname(home), { recursive: true, force: true });
  });

  it('group.present: test mode, create, second run, gid taken', T, async () => {
    assert.deepEqual(await state('group.present', { name: group }, true), {
      name: group,
      changes: {},
      result: null,
      comment: `Group ${group} set to be added`,
    });
    const r = await state('group.present', { name: group, system: true });
    assert.equal(r.result, true);
    assert.equal(r.comment, `New group ${group} created`);
    assert.deepEqual(Object.keys(r.changes), ['name', 'passwd', 'gid', 'members']);
    assert.deepEqual(await state('group.present', { name: group }), {
      name: group,
      changes: {},
      result: true,
      comment: `Group ${group} is present and up to date`,
    });
    const taken = await state('group.present', { name: other, gid: 0 });
    assert.equal(taken.result, false);
    assert.equal(taken.comment, `Group ${other} is not present but gid 0 is already taken by group root`);
  });
  it('user.present: missing groups, test mode, create, second run changes nothing', T, async () => {
    assert.equal(
      (await state('user.present', { name: user, groups: ['tsalt-no-such-grp'] })).comment,
      'The following group(s) are not present: tsalt-no-such-grp',
    );
    const want = { name: user, groups: [group], shell: '/bin/sh', fullname: 'Tsalt St', home };
    assert.deepEqual(await state('user.present', want, true), {
      name: user,
      changes: {},
      result: null,
      comment: `User ${user} set to be added`,
    });
    const r = await state('user.present', want);
    assert.equal(r.comment, `New user ${user} created`);
    assert.equal(r.result, true);
    assert.equal(r.changes['name'], user);
    assert.equal(r.changes['shell'], '/bin/sh');
    assert.equal(r.changes['fullname'], 'Tsalt St');
    assert.ok((r.changes['groups'] as string[]).includes(group));
    assert.equal(fs.existsSync(home), true);
    assert.deepEqual(await state('user.present', want), {
      name: user,
      changes: {},
      result: true,
      comment: `User ${user} is present and up to date`,
    });
  });
  it('user.present: a change in test mode, then for real; a uid change needs allow_uid_change', T, async () => {
    const want = { name: user, groups: [group], shell: '/bin/bash', fullname: 'Tsalt St', home };
    assert.deepEqual(await state('user.present', want, true), {
      name: user,
      changes: {},
      result: null,
      comment: 'The following user attributes are set to be changed:\nshell: /bin/bash\n',
    });
    assert.deepEqual(await state('user.present', want), {
      name: user,
      changes: { shell: '/bin/bash' },
      result: true,
      comment: `Updated user ${user}`,
    });
    const uid = await state('user.present', { ...want, uid: 54_321 });
    assert.equal(uid.result, false);
    assert.match(
      uid.comment,
      /^Encountered error checking for needed changes\. Additional info follows:\n\n- Changing uid \(\d+ -> 54321\) not permitted, set allow_uid_change to True/,
    );
    // Leaving the groups out keeps them; an empty list takes them away.
    assert.equal((await state('user.present', { name: user })).comment, `User ${user} is present and up to date`);
    const none = await state('user.present', { name: user, groups: [] });
    assert.deepEqual(none.changes, { groups: [user] });
  });
  it('group.present: addusers, members, delusers', T, async () => {
    const add = await state('group.present', { name: group, addusers: [user] });
    assert.equal(add.comment, `The following group attributes are set to be changed:\naddusers: ['${user}']\n`);
    assert.deepEqual(add.changes, { Final: 'All changes applied successfully' });
    assert.equal(
      (await state('group.present', { name: group, members: [user] })).comment,
      `Group ${group} is present and up to date`,
    );
    const t = await state('group.present', { name: group, delusers: [user] }, true);
    assert.equal(t.result, null);
    const del = await state('group.present', { name: group, members: [] });
    assert.equal(del.comment, `The following group attributes are set to be changed:\ndelusers: {'${user}'}\n`);
    assert.deepEqual(((await modules.call('group.info', [group])).return as { members: string[] }).members, []);
  });
  it('absent: test mode, remove, second run', T, async () => {
    assert.equal((await state('user.absent', { name: user }, true)).comment, `User ${user} set for removal`);
    const r = await state('user.absent', { name: user, purge: true });
    assert.equal(r.comment, `Removed user ${user}`);
    assert.equal(r.changes[user], 'removed');
    assert.equal((await state('user.absent', { name: user })).comment, `User ${user} is not present`);
    assert.equal((await state('group.absent', { name: group }, true)).comment, `Group ${group} is set for removal`);
    assert.deepEqual(await state('group.absent', { name: group }), {
      name: group,
      changes: { [group]: '' },
      result: true,
      comment: `Removed group ${group}`,
    });
    assert.equal((await state('group.absent', { name: group })).comment, 'Group not present');
  });
});

const systemd = fs.existsSync('/run/systemd/system');
const NEED_SYSV = !isRoot
  ? 'needs root'
  : systemd
    ? 'a throwaway init script needs a host without systemd'
    : !has('update-rc.d') || !fs.existsSync('/etc/init.d')
      ? 'needs /etc/init.d and update-rc.d'
      : false;

describe('service state over a throwaway init script (root only)', { skip: NEED_SYSV }, () => {
  const name = `tsalt-st-${suffix}`;
  const script = `/etc/init.d/${name}`;
  let dir: string;
  let actions: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-st-svc-'));
    actions = path.join(dir, 'actions');
    const pid = path.join(dir, 'pid');
    // A daemon that is a `sleep`: its pid file says whether it runs; every action is logged.
    fs.writeFileSync(
      script,
      `#!/bin/sh
### BEGIN INIT INFO
# Provides:          ${name}
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: tsalt state test service
### END INIT INFO
PID=${pid}
running() { [ -f $PID ] && kill -0 "$(cat $PID)" 2>/dev/null; }
echo "$1" >> ${actions}
case "$1" in
  start) running || { sleep 600 >/dev/null 2>&1 </dev/null & echo $! > $PID; } ;;
  stop) if running; then kill "$(cat $PID)"; fi; rm -f $PID ;;
  restart) ${script} stop; ${script} start ;;
  reload|force-reload) running ;;
  status) running ;;
  *) exit 2 ;;
esac
`,
      { mode: 0o755 },
    );
  });
  after(() => {
    spawnSync(script, ['stop'], { stdio: 'ignore' });
    spawnSync('update-rc.d', ['-f', name, 'remove'], { stdio: 'ignore' });
    fs.rmSync(script, { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const lastAction = (): string =>
    fs
      .readFileSync(actions, 'utf8')
      .trim()
      .split('\n')
      .filter((l) => l !== 'status')
      .pop() ?? '';

  it('running: test mode, start, second run; a missing service', T, async () => {
    assert.deepEqual(await state('service.running', { name }, true), {
      name,
      changes: {},
      result: null,
      comment: `Service ${name} is set to start`,
    });
    assert.deepEqual(await state('service.running', { name }), {
      name,
      changes: { [name]: true },
      result: true,
      comment: `Started service ${name}`,
    });
    assert.deepEqual(await state('service.running', { name }), {
      name,
      changes: {},
      result: true,
      comment: `The service ${name} is already running`,
    });
    assert.deepEqual(await state('service.running', { name: 'tsalt-no-such-svc' }), {
      name: 'tsalt-no-such-svc',
      changes: {},
      result: false,
      comment: 'The named service tsalt-no-such-svc is not available',
    });
    assert.equal(
      (await state('service.running', { name, enabled: true })).comment,
      `Service ${name} uses non-existent option "enabled".  Perhaps "enable" option was intended?`,
    );
  });
  it('a watched change restarts it (mod_watch); reload: True reloads', T, async () => {
    assert.equal(
      (await state('service.mod_watch', { name, sfun: 'running' }, true)).comment,
      'Service is set to be restarted',
    );
    assert.deepEqual(await state('service.mod_watch', { name, sfun: 'running' }), {
      name,
      changes: { [name]: true },
      result: true,
      comment: 'Service restarted',
    });
    assert.equal(lastAction(), 'start');
    assert.ok(fs.readFileSync(actions, 'utf8').includes('restart'));
    assert.equal(
      (await state('service.mod_watch', { name, sfun: 'running', reload: true })).comment,
      'Service reloaded',
    );
    assert.equal(lastAction(), 'reload');
    assert.equal(
      (await state('service.mod_watch', { name, sfun: 'running', reload: true, force: true })).comment,
      'Service forcefully reloaded',
    );
    assert.equal(
      (await state('service.mod_watch', { name, sfun: 'enabled' })).comment,
      'Unable to trigger watch for service.enabled',
    );
  });
  it('enable and disable at boot', T, async () => {
    const en = await state('service.running', { name, enable: true });
    assert.equal(en.comment, `Service ${name} has been enabled, and is in the desired state`);
    assert.deepEqual(en.changes, { [name]: true });
    assert.equal(
      (await state('service.enabled', { name })).comment,
      `Service ${name} is already enabled, and is in the desired state`,
    );
    assert.equal((await state('service.disabled', { name }, true)).comment, `Service ${name} set to be disabled`);
    const dis = await state('service.disabled', { name });
    assert.equal(dis.comment, `Service ${name} has been disabled, and is in the desired state`);
    assert.deepEqual(dis.changes, { [name]: true });
    assert.equal(
      (await state('service.disabled', { name })).comment,
      `Service ${name} is already disabled, and is in the desired state`,
    );
  });
  it('dead: test mode, stop, second run; mod_watch on a dead service', T, async () => {
    assert.equal((await state('service.dead', { name }, true)).comment, `Service ${name} is set to be killed`);
    assert.deepEqual(await state('service.dead', { name }), {
      name,
      changes: { [name]: false },
      result: true,
      comment: `Service ${name} was killed`,
    });
    assert.deepEqual(await state('service.dead', { name }), {
      name,
      changes: {},
      result: true,
      comment: `The service ${name} is already dead`,
    });
    assert.equal((await state('service.mod_watch', { name, sfun: 'dead' })).comment, 'Service is already stopped');
    assert.equal((await state('service.dead', { name: 'tsalt-no-such-svc' })).result, true);
  });
});

const NEED_DPKG = !isRoot
  ? 'needs root'
  : !has('dpkg-deb') || !has('apt-get') || !modules.has('pkg.install')
    ? 'needs a Debian-family host (dpkg-deb, apt-get)'
    : false;

describe('pkg state over a tiny local .deb (root only)', { skip: NEED_DPKG }, () => {
  const pkg = `tsalt-st-${suffix}`;
  let dir: string;
  const debs: Record<string, string> = {};
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-st-pkg-'));
    for (const version of ['1.0', '2.0']) {
      const root = path.join(dir, `root-${version}`);
      fs.mkdirSync(path.join(root, 'DEBIAN'), { recursive: true });
      fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
      fs.writeFileSync(
        path.join(root, 'DEBIAN/control'),
        `Package: ${pkg}\nVersion: ${version}\nArchitecture: all\nMaintainer: tsalt <tsalt@example.invalid>\nDescription: tsalt pkg state test\n`,
      );
      // A conffile, so that a removed package stays behind until it is purged.
      fs.writeFileSync(path.join(root, 'DEBIAN/conffiles'), `/etc/${pkg}.conf\n`);
      fs.writeFileSync(path.join(root, `etc/${pkg}.conf`), `v=${version}\n`);
      const deb = path.join(dir, `${pkg}_${version}_all.deb`);
      const r = spawnSync('dpkg-deb', ['--build', '--root-owner-group', root, deb], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      debs[version] = deb;
    }
    served.set(`salt://debs/${pkg}_2.0_all.deb`, debs['2.0'] ?? '');
  });
  after(() => {
    spawnSync('dpkg', ['--purge', pkg], { stdio: 'ignore' });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('installed from sources: test mode, install, second run, an upgrade from salt://', T, async () => {
    const sources = [{ [pkg]: debs['1.0'] }];
    assert.deepEqual(await state('pkg.installed', { name: pkg, sources }, true), {
      name: pkg,
      changes: { [pkg]: { new: 'installed', old: '' } },
      result: null,
      comment: `The following packages would be installed/updated: ${pkg}`,
    });
    const r = await state('pkg.installed', { name: pkg, sources });
    assert.equal(r.result, true, r.comment);
    assert.deepEqual(r.changes, { [pkg]: { old: '', new: '1.0' } });
    assert.equal(r.comment, `The following packages were installed/updated: ${pkg}`);
    assert.deepEqual(await state('pkg.installed', { name: pkg, sources }), {
      name: pkg,
      changes: {},
      result: true,
      comment: 'All specified packages are already installed',
    });
    const up = await state('pkg.installed', { name: pkg, sources: [{ [pkg]: `salt://debs/${pkg}_2.0_all.deb` }] });
    assert.equal(up.result, true, up.comment);
    assert.deepEqual(up.changes, { [pkg]: { old: '1.0', new: '2.0' } });
  });
  it('installed by name and version; latest', T, async () => {
    assert.deepEqual(await state('pkg.installed', { name: pkg }), {
      name: pkg,
      changes: {},
      result: true,
      comment: 'All specified packages are already installed',
    });
    assert.equal(
      (await state('pkg.installed', { name: pkg, version: '2.0' })).comment,
      'All specified packages are already installed and are at the desired version',
    );
    assert.equal((await state('pkg.installed', { name: pkg, version: '>=1.5' })).result, true);
    assert.deepEqual(await state('pkg.installed', { name: pkg, version: '3.0' }, true), {
      name: pkg,
      changes: { [pkg]: { new: 'installed', old: '' } },
      result: null,
      comment: `The following packages would be installed/updated: ${pkg}`,
    });
    assert.deepEqual(await state('pkg.latest', { name: pkg, refresh: false }), {
      name: pkg,
      changes: {},
      result: true,
      comment: `Package ${pkg} is already up-to-date`,
    });
    assert.equal(
      (await state('pkg.latest', { name: 'tsalt-no-such-pkg', refresh: false })).comment,
      "No information found for 'tsalt-no-such-pkg'.",
    );
  });
  it('hold: True holds the package, a second run says so, hold: False lets go', T, async () => {
    const held = await state('pkg.installed', { name: pkg, hold: true });
    assert.deepEqual(held.changes, { [pkg]: { old: 'install', new: 'hold' } });
    assert.equal(held.comment, `All specified packages are already installed.\nPackage ${pkg} is now being held.`);
    assert.deepEqual(await state('pkg.installed', { name: pkg, hold: true }), {
      name: pkg,
      changes: {},
      result: true,
      comment: `All specified packages are already installed.\nPackage ${pkg} is already set to be held.`,
    });
    const t = await state('pkg.installed', { name: pkg, hold: false }, true);
    assert.equal(t.result, null);
    assert.equal(t.comment, `All specified packages are already installed.\nPackage ${pkg} is set not to be held.`);
    const freed = await state('pkg.installed', { name: pkg, hold: false });
    assert.deepEqual(freed.changes, { [pkg]: { old: 'hold', new: 'install' } });
  });
  it('removed, then purged (the conffile kept it half there)', T, async () => {
    assert.deepEqual(await state('pkg.removed', { name: pkg }, true), {
      name: pkg,
      changes: { [pkg]: { new: 'removed', old: '' } },
      result: null,
      comment: `The following packages will be removed: ${pkg}.`,
    });
    const r = await state('pkg.removed', { name: pkg });
    assert.equal(r.result, true, r.comment);
    assert.equal(r.comment, 'All targeted packages were removed.');
    assert.deepEqual(r.changes, { [pkg]: { old: '2.0', new: '' } });
    assert.deepEqual(await state('pkg.removed', { name: pkg }), {
      name: pkg,
      changes: {},
      result: true,
      comment: 'All specified packages are already absent',
    });
    const p = await state('pkg.purged', { name: pkg });
    assert.equal(p.result, true, p.comment);
    assert.equal(p.comment, 'All targeted packages were purged.');
    assert.equal(
      (await state('pkg.purged', { name: pkg })).comment,
      'None of the targeted packages are installed or partially installed',
    );
  });
  it('mod_watch re-runs the watched function', T, async () => {
    const r = await state('pkg.mod_watch', { name: pkg, sfun: 'installed', sources: [{ [pkg]: debs['1.0'] }] });
    assert.equal(r.result, true, r.comment);
    assert.deepEqual(r.changes, { [pkg]: { old: '', new: '1.0' } });
    assert.equal(
      (await state('pkg.mod_watch', { name: pkg, sfun: 'purged' })).comment,
      'All targeted packages were purged.',
    );
    assert.equal(
      (await state('pkg.mod_watch', { name: pkg, sfun: 'held' })).comment,
      'pkg.held does not work with the watch requisite',
    );
  });
});
