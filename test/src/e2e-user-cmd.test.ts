import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startedCluster, type Cluster } from './harness.js';

const json = (stdout: string, id: string): unknown => (JSON.parse(stdout) as Record<string, unknown>)[id];

/** user.*, cmd.run's shell default, cmd.script, test.versions_report and bad arguments, through tsalt and tsalt-call. */
describe('user, cmd and test modules end to end', { timeout: 120_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await startedCluster(['m1']);
  });
  after(async () => c?.cleanup());

  test("cmd.run 'echo a | tr a b' runs through a shell from tsalt and from tsalt-call", async () => {
    const r = await c.tsalt(['m1', 'cmd.run', 'echo a | tr a b', '--out', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json(r.stdout, 'm1'), 'b');
    const local = await c.call('m1', ['--local', 'cmd.run', 'echo a | tr a b']);
    assert.equal(local.code, 0, local.stderr);
    assert.equal(local.stdout, 'local:\n    b\n');
    const noShell = await c.tsalt(['m1', 'cmd.run', 'echo a | tr a b', 'python_shell=False', '--out', 'json']);
    assert.equal(json(noShell.stdout, 'm1'), 'a | tr a b');
  });

  test("cmd.script runs a local script and returns run_all's dict", async () => {
    const script = path.join(c.root, 'hello.sh');
    fs.writeFileSync(script, '#!/bin/sh\necho "hello $1"; exit 4\n');
    const r = await c.tsalt(['m1', 'cmd.script', script, 'world', '--out', 'json']);
    assert.equal(r.code, 1, 'a script exiting 4 is a failed job');
    const ret = json(r.stdout, 'm1') as Record<string, unknown>;
    assert.equal(ret['stdout'], 'hello world');
    assert.equal(ret['retcode'], 4);
    assert.equal(ret['stderr'], '');
    assert.equal(typeof ret['pid'], 'number');
  });

  test('test.versions_report is a report string; sys.list_modules has user and group', async () => {
    const r = await c.tsalt(['m1', 'test.versions_report', '--out', 'json']);
    const report = json(r.stdout, 'm1');
    assert.equal(typeof report, 'string');
    assert.match(report as string, /^Salt Version:\n +tsalt: \d+\.\d+\.\d+/);
    assert.match(report as string, /\nDependency Versions:\n/);
    assert.match(report as string, /\nSystem Versions:\n/);
    const mods = await c.tsalt(['m1', 'sys.list_modules', '--out', 'json']);
    const names = json(mods.stdout, 'm1') as string[];
    for (const m of ['cmd', 'group', 'saltutil', 'sys', 'test', 'user']) assert.ok(names.includes(m), m);
  });

  test("wrong arguments answer Salt's message with retcode 1", async () => {
    const r = await c.tsalt(['m1', 'test.echo', '--out', 'json']);
    assert.equal(r.code, 1);
    assert.match(
      String(json(r.stdout, 'm1')),
      /^Passed invalid arguments to test.echo: echo\(\) missing 1 required positional argument: 'text'\n/,
    );
    const kw = await c.tsalt(['m1', 'test.echo', 'a', 'bogus=1', '--out', 'json']);
    assert.equal(kw.code, 1);
    assert.equal(
      json(kw.stdout, 'm1'),
      "ERROR executing 'test.echo': The following keyword arguments are not valid: bogus=1",
    );
    const local = await c.call('m1', ['--local', 'test.echo']);
    assert.equal(local.code, 1);
    assert.match(local.stderr, /Passed invalid arguments: echo\(\) missing 1 required positional argument: 'text'\./);
    assert.match(local.stdout, /Return a string/);
  });

  const rootOnly = process.getuid?.() === 0 ? false : 'changes the host: root only';
  test('user.add, user.info, user.delete of a throwaway user', { skip: rootOnly }, async () => {
    const name = `tsalt-test-${crypto.randomBytes(3).toString('hex')}`;
    try {
      const add = await c.tsalt(['m1', 'user.add', name, 'shell=/bin/sh', 'fullname=Tsalt E2E', '--out', 'json']);
      assert.equal(add.code, 0, add.stderr);
      assert.equal(json(add.stdout, 'm1'), true);
      const info = await c.tsalt(['m1', 'user.info', name, '--out', 'json']);
      const i = json(info.stdout, 'm1') as Record<string, unknown>;
      assert.equal(i['name'], name);
      assert.equal(i['shell'], '/bin/sh');
      assert.equal(i['fullname'], 'Tsalt E2E');
      assert.equal(typeof i['uid'], 'number');
      assert.ok(Array.isArray(i['groups']));
      const del = await c.tsalt(['m1', 'user.delete', name, 'remove=True', 'force=True', '--out', 'json']);
      assert.equal(json(del.stdout, 'm1'), true);
      const gone = await c.tsalt(['m1', 'user.info', name, '--out', 'json']);
      assert.deepEqual(json(gone.stdout, 'm1'), {});
      const missing = await c.tsalt(['m1', 'user.chshell', name, '/bin/bash', '--out', 'json']);
      assert.equal(missing.code, 1);
      assert.equal(json(missing.stdout, 'm1'), `ERROR: User '${name}' does not exist`);
    } finally {
      spawnSync('userdel', ['-r', '-f', name], { stdio: 'ignore' });
      spawnSync('groupdel', [name], { stdio: 'ignore' });
    }
  });
});
