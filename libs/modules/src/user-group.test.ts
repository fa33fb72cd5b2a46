import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { coreGrains, executionModulePlugins } from './index.js';

const T = { timeout: 30_000 };
const grains = coreGrains('t', {});
const reg = new Registry(
  { kind: 'module', opts: minionConfig(), grains, log: silentLogger() },
  executionModulePlugins(),
);
const call = async (fun: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<unknown> =>
  (await reg.call(fun, args, kwargs)).return;

describe('user and group: reading (any uid)', () => {
  it("user.info root has Salt's keys, in Salt's order", T, async () => {
    const i = (await call('user.info', ['root'])) as Record<string, unknown>;
    assert.deepEqual(Object.keys(i), [
      'gid',
      'groups',
      'home',
      'name',
      'passwd',
      'shell',
      'uid',
      'fullname',
      'roomnumber',
      'workphone',
      'homephone',
      'other',
    ]);
    assert.equal(i['uid'], 0);
    assert.ok((i['groups'] as string[]).includes('root'));
  });
  it('an unknown user or group is {}', T, async () => {
    assert.deepEqual(await call('user.info', ['tsalt-no-such-user']), {});
    assert.deepEqual(await call('group.info', ['tsalt-no-such-group']), {});
  });
  it('list_users, getent, group.getent agree', T, async () => {
    const users = (await call('user.list_users')) as string[];
    assert.ok(users.includes('root'));
    assert.deepEqual([...users].sort(), users);
    const ent = (await call('user.getent')) as { name: string }[];
    assert.deepEqual(ent.map((u) => u.name).sort(), users);
    const g = (await call('group.info', ['root'])) as Record<string, unknown>;
    assert.deepEqual(Object.keys(g), ['name', 'passwd', 'gid', 'members']);
  });
  it('root= reads the flat files of a chroot', T, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-chroot-'));
    try {
      fs.mkdirSync(path.join(root, 'etc'));
      fs.writeFileSync(path.join(root, 'etc/passwd'), 'bob:x:1500:1500:Bob B,1,2,3,x,y:/home/bob:/bin/zsh\n');
      fs.writeFileSync(path.join(root, 'etc/group'), 'bob:x:1500:\nstaff:x:50:bob,ann\n');
      assert.deepEqual(await call('user.info', ['bob'], { root }), {
        gid: 1500,
        groups: ['bob', 'staff'],
        home: '/home/bob',
        name: 'bob',
        passwd: 'x',
        shell: '/bin/zsh',
        uid: 1500,
        fullname: 'Bob B',
        roomnumber: '1',
        workphone: '2',
        homephone: '3',
        other: 'x,y',
      });
      assert.deepEqual(await call('user.list_users', [], { root }), ['bob']);
      assert.deepEqual(await call('group.info', ['staff'], { root }), {
        name: 'staff',
        passwd: 'x',
        gid: 50,
        members: ['bob', 'ann'],
      });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
  it("changing a user that does not exist is Salt's error", T, async () => {
    await assert.rejects(call('user.chshell', ['tsalt-no-such-user', '/bin/sh']), {
      code: 'USER_MISSING',
      message: "User 'tsalt-no-such-user' does not exist",
    });
  });
});

const isRoot = process.getuid?.() === 0;
const haveTools =
  spawnSync('sh', ['-c', 'command -v useradd && command -v gpasswd'], { encoding: 'utf8' }).status === 0;

describe(
  'user and group: changing the host (root only)',
  { skip: !isRoot || !haveTools ? 'needs root and shadow-utils' : false },
  () => {
    const suffix = crypto.randomBytes(3).toString('hex');
    const user = `tsalt-test-${suffix}`;
    const group = `tsalt-tg-${suffix}`;
    after(() => {
      // Whatever happened, leave the host as it was.
      spawnSync('userdel', ['-r', '-f', user], { stdio: 'ignore' });
      spawnSync('groupdel', [group], { stdio: 'ignore' });
      spawnSync('groupdel', [user], { stdio: 'ignore' });
    });

    it('group.add, user.add with groups and fullname, info, chshell, adduser/deluser, delete', T, async () => {
      assert.equal(await call('group.add', [group]), true);
      assert.equal(await call('group.add', [group]), false); // already there: groupadd fails
      assert.equal(await call('user.add', [user], { shell: '/bin/sh', fullname: 'Tsalt Test', groups: [group] }), true);
      let i = (await call('user.info', [user])) as Record<string, unknown>;
      assert.equal(i['name'], user);
      assert.equal(i['shell'], '/bin/sh');
      assert.equal(i['fullname'], 'Tsalt Test');
      assert.ok((i['groups'] as string[]).includes(group));
      assert.equal(await call('user.chshell', [user, '/bin/bash']), true);
      assert.equal(((await call('user.info', [user])) as Record<string, unknown>)['shell'], '/bin/bash');
      assert.equal(await call('user.chfullname', [user, 'Other Name']), true);
      assert.equal(await call('group.deluser', [group, user]), true);
      assert.deepEqual(((await call('group.info', [group])) as Record<string, unknown>)['members'], []);
      assert.equal(await call('group.adduser', [group, user]), true);
      assert.deepEqual(((await call('group.info', [group])) as Record<string, unknown>)['members'], [user]);
      assert.equal(await call('group.members', [group, '']), true);
      assert.deepEqual(((await call('group.info', [group])) as Record<string, unknown>)['members'], []);
      assert.equal(await call('user.chgroups', [user, group], { append: true }), true);
      assert.ok(((await call('user.list_groups', [user])) as string[]).includes(group));
      assert.equal(await call('user.delete', [user], { remove: true, force: true }), true);
      i = (await call('user.info', [user])) as Record<string, unknown>;
      assert.deepEqual(i, {});
      assert.equal(await call('group.delete', [group]), true);
      assert.deepEqual(await call('group.info', [group]), {});
    });
  },
);
