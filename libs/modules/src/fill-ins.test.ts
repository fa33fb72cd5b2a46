import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { executionModulePlugins, TestException } from './index.js';

const T = { timeout: 10_000 };
const log = silentLogger();
const reg = new Registry({ kind: 'module', opts: minionConfig(), log }, executionModulePlugins());
const call = async (fun: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<unknown> =>
  (await reg.call(fun, args, kwargs)).return;

describe('test.* fill-ins', () => {
  it('random_hash is a hex digest of the minion hash_type, or the one asked for', T, async () => {
    assert.match(String(await call('test.random_hash')), /^[0-9a-f]{64}$/);
    assert.match(String(await call('test.random_hash', [], { hash_type: 'md5' })), /^[0-9a-f]{32}$/);
    await assert.rejects(call('test.random_hash', [], { hash_type: 'nope' }), /Invalid hash type 'nope'/);
  });
  it('collatz, assertion, arg_repr, get_opts', T, async () => {
    const [steps] = (await call('test.collatz', [3])) as [number[], number];
    assert.deepEqual(steps, [3, 10, 5, 16, 8, 4, 2]);
    assert.equal(await call('test.assertion', [true]), true);
    await assert.rejects(call('test.assertion', [false]), TestException);
    assert.deepEqual(await call('test.arg_repr', [1, 'two'], { x: true }), {
      args: "(1, 'two')",
      kwargs: "{'x': True}",
    });
    assert.deepEqual(await call('test.arg_repr', [1]), { args: '(1,)', kwargs: '{}' });
    assert.equal(((await call('test.get_opts')) as Record<string, unknown>)['id'], minionConfig()['id']);
  });
});

describe('sys.* fill-ins', () => {
  it("the state modules are this lib's; runners are empty without a registry", T, async () => {
    assert.deepEqual(await call('sys.list_state_modules'), ['cmd', 'file', 'group', 'pkg', 'service', 'test', 'user']);
    assert.ok(((await call('sys.list_state_functions', ['test'])) as string[]).includes('test.nop'));
    assert.match(JSON.stringify(await call('sys.state_doc', ['test.nop'])), /test.nop/);
    assert.deepEqual(await call('sys.list_runners'), []);
    assert.deepEqual(await call('sys.list_renderers'), ['jinja', 'json', 'yaml']);
    assert.deepEqual(await call('sys.list_renderers', ['y*']), ['yaml']);
  });
  it('an injected runner registry is listed', T, async () => {
    const runners = new Registry({ kind: 'runner', opts: {}, log }, [
      { name: 'jobs', functions: { list_jobs: { doc: 'List jobs', fn: () => ({}) } } },
    ]);
    const withRunners = new Registry(
      { kind: 'module', opts: minionConfig(), log, services: { registries: { runner: runners } } },
      executionModulePlugins(),
    );
    assert.deepEqual((await withRunners.call('sys.list_runners')).return, ['jobs']);
    assert.deepEqual((await withRunners.call('sys.list_runner_functions')).return, ['jobs.list_jobs']);
    assert.deepEqual((await withRunners.call('sys.runner_argspec', ['jobs'])).return, {
      'jobs.list_jobs': { args: null, defaults: null, varargs: null, kwargs: null },
    });
  });
  it("argspec answers Salt's shape", T, async () => {
    assert.deepEqual(await call('sys.argspec', ['test.echo']), {
      'test.echo': { args: ['text'], defaults: null, varargs: null, kwargs: null },
    });
  });
});

describe('saltutil sync fill-ins', () => {
  it("sync_all returns Salt's dict of empty lists; sync_<kind> an empty list", T, async () => {
    const all = (await call('saltutil.sync_all')) as Record<string, unknown>;
    assert.equal(Object.keys(all).length, 18);
    assert.ok(Object.values(all).every((v) => Array.isArray(v) && v.length === 0));
    assert.deepEqual(Object.keys(all).slice(0, 4), ['clouds', 'beacons', 'modules', 'states']);
    for (const f of ['sync_modules', 'sync_grains', 'sync_states', 'sync_returners', 'sync_sdb']) {
      assert.deepEqual(await call(`saltutil.${f}`, [], { saltenv: 'base' }), [], f);
    }
    assert.equal(await call('saltutil.refresh_modules'), true);
  });
  it('clear_cache empties the cachedir but proc and spool', T, async () => {
    const cachedir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-cache-'));
    try {
      for (const d of ['proc', 'spool/mysql-x', 'minion_jobs/1'])
        fs.mkdirSync(path.join(cachedir, d), { recursive: true });
      fs.writeFileSync(path.join(cachedir, 'proc/123'), 'x');
      fs.writeFileSync(path.join(cachedir, 'spool/mysql-x/1'), 'x');
      fs.writeFileSync(path.join(cachedir, 'minion_jobs/1/return.p'), 'x');
      fs.writeFileSync(path.join(cachedir, 'top'), 'x');
      const r = new Registry({ kind: 'module', opts: { ...minionConfig(), cachedir }, log }, executionModulePlugins());
      assert.equal((await r.call('saltutil.clear_cache')).return, true);
      assert.ok(fs.existsSync(path.join(cachedir, 'proc/123')));
      assert.ok(fs.existsSync(path.join(cachedir, 'spool/mysql-x/1')));
      assert.ok(!fs.existsSync(path.join(cachedir, 'minion_jobs/1/return.p')));
      assert.ok(!fs.existsSync(path.join(cachedir, 'top')));
      assert.deepEqual((await r.call('saltutil.list_extmods')).return, {});
    } finally {
      fs.rmSync(cachedir, { recursive: true, force: true });
    }
  });
});
