import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig, type MinionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { statePlugins } from './index.js';
import type { HighstateResult, LowChunk, StateServices } from '../types.js';
import { reinterpretStateful } from '../sys/cmd-stateful.js';

/* The test state (no execution modules needed) and cmd's stateful parsing. */

const reg = new Registry<MinionConfig, StateServices>(
  { kind: 'state', opts: minionConfig(), log: silentLogger() },
  statePlugins(),
);
const CHUNK: LowChunk = { state: 'test', __id__: 'w', name: 'w', fun: 'nop', __sls__: 's', __env__: 'base', order: 1 };

async function call(
  fun: string,
  kwargs: Record<string, unknown>,
  o: { test?: boolean; chunk?: LowChunk; running?: HighstateResult } = {},
): Promise<Record<string, unknown>> {
  const run = { test: o.test ?? false, saltenv: 'base', chunk: o.chunk ?? CHUNK, running: o.running ?? {} };
  return (await reg.call(fun, [], kwargs, { services: { run } })).return as Record<string, unknown>;
}

const CHANGED = { testing: { old: 'Unchanged', new: 'Something pretended to change' } };

describe('test state', () => {
  it('every module registers its functions', () => {
    for (const f of [
      'cmd.run',
      'cmd.wait',
      'cmd.script',
      'cmd.mod_watch',
      'pkg.installed',
      'pkg.latest',
      'pkg.removed',
      'pkg.purged',
      'service.running',
      'service.dead',
      'service.enabled',
      'service.disabled',
      'service.mod_watch',
      'user.present',
      'user.absent',
      'group.present',
      'group.absent',
      'test.configurable_test_state',
    ])
      assert.ok(reg.has(f), f);
  });
  it('succeed and fail, with and without changes', async () => {
    assert.deepEqual(await call('test.nop', { name: 'a' }), {
      name: 'a',
      changes: {},
      result: true,
      comment: 'Success!',
    });
    assert.deepEqual(await call('test.succeed_without_changes', { name: 'a', comment: 'mine' }), {
      name: 'a',
      changes: {},
      result: true,
      comment: 'mine',
    });
    assert.deepEqual(await call('test.fail_without_changes', { name: 'a' }), {
      name: 'a',
      changes: {},
      result: false,
      comment: 'Failure!',
    });
    assert.deepEqual(await call('test.succeed_with_changes', { name: 'a' }), {
      name: 'a',
      changes: CHANGED,
      result: true,
      comment: 'Success!',
    });
    assert.deepEqual(await call('test.fail_with_changes', { name: 'a' }), {
      name: 'a',
      changes: CHANGED,
      result: false,
      comment: 'Failure!',
    });
  });
  it('test mode', async () => {
    const t = { test: true };
    assert.equal((await call('test.succeed_with_changes', { name: 'a' }, t))['result'], null);
    assert.equal(
      (await call('test.succeed_with_changes', { name: 'a' }, t))['comment'],
      "If we weren't testing, this would be successful with changes",
    );
    assert.deepEqual(await call('test.fail_without_changes', { name: 'a' }, t), {
      name: 'a',
      changes: {},
      result: false,
      comment: "If we weren't testing, this would be a failure!",
    });
    assert.equal(
      (await call('test.fail_with_changes', { name: 'a' }, t))['comment'],
      "If we weren't testing, this would be failed with changes",
    );
    assert.deepEqual(await call('test.configurable_test_state', { name: 'a' }, t), {
      name: 'a',
      changes: CHANGED,
      result: null,
      comment: 'This is a test',
    });
    assert.equal((await call('test.configurable_test_state', { name: 'a', changes: false }, t))['result'], true);
  });
  it("configurable_test_state: changes, result, comment, warnings, and Salt's errors", async () => {
    assert.deepEqual(
      await call('test.configurable_test_state', {
        name: 'a',
        changes: false,
        result: false,
        comment: 'c',
        warnings: 'w',
      }),
      { name: 'a', changes: {}, result: false, comment: 'c', warnings: ['w'] },
    );
    const r = await call('test.configurable_test_state', { name: 'a', changes: 'Random', result: 'random' });
    assert.equal(typeof r['result'], 'boolean');
    await assert.rejects(call('test.configurable_test_state', { name: 'a', changes: 'maybe' }), {
      message:
        "You have specified the state option 'changes' with invalid arguments. It must be either True, False, or 'Random'",
    });
    await assert.rejects(call('test.configurable_test_state', { name: 'a', result: 3 }), /option 'result'/);
    await assert.rejects(call('test.configurable_test_state', { name: 'a', warnings: 3 }), /option 'warnings'/);
  });
  it('mod_watch names the watched states that changed', async () => {
    const res = (id: string, changes: Record<string, unknown>) => ({
      name: id,
      __id__: id,
      __sls__: 's',
      __run_num__: 0,
      start_time: '',
      duration: 0,
      result: true,
      comment: '',
      changes,
    });
    const running: HighstateResult = {
      'test_|-a_|-a_|-succeed_with_changes': res('a', CHANGED),
      'test_|-b_|-b_|-succeed_without_changes': res('b', {}),
    };
    const chunk: LowChunk = { ...CHUNK, watch: [{ test: 'a' }, { test: 'b' }] };
    assert.deepEqual(await call('test.mod_watch', { name: 'w', sfun: 'succeed_without_changes' }, { chunk, running }), {
      name: 'w',
      result: true,
      comment: 'Watch statement fired.',
      changes: { 'Requisites with changes': ['test: a'] },
    });
    assert.equal(
      (await call('test.mod_watch', { name: 'w', comment: 'custom' }, { chunk, running }))['comment'],
      'custom',
    );
  });
});

describe('cmd stateful output', () => {
  const ran = (stdout: string, stderr = '') => ({
    name: 'x',
    result: true,
    comment: 'Command "x" run',
    changes: { pid: 1, retcode: 0, stdout, stderr },
  });
  it('a last line of name=value pairs', () => {
    const r = reinterpretStateful(ran('working\nchanged=yes comment="all done" extra=1'));
    assert.equal(r.comment, 'all done');
    assert.deepEqual(r.changes, { changed: 'yes', extra: '1', pid: 1, retcode: 0, stdout: 'working', stderr: '' });
    assert.deepEqual(reinterpretStateful(ran('changed=no')).changes, {});
  });
  it('a JSON object', () => {
    const r = reinterpretStateful(ran('{"changed": true, "comment": "ok", "n": 2}'));
    assert.equal(r.comment, 'ok');
    assert.equal(r.changes['stdout'], '');
    assert.equal(r.changes['n'], 2);
  });
  it('what Salt refuses', () => {
    assert.equal(reinterpretStateful(ran('[1]')).comment, 'script JSON output must be a JSON object (e.g., {})!');
    const bad = reinterpretStateful(ran('not pairs'));
    assert.equal(bad.result, false);
    assert.equal(bad.comment, 'Failed parsing script output! Stdout must be JSON or a line of name=value pairs.');
    assert.equal(reinterpretStateful(ran('', 'oops')).comment, 'oops');
  });
});
