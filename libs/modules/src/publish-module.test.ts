import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { Registry } from '@tsalt/loader';
import { executionModulePlugins, type MasterReply, type MasterRequestService } from './index.js';

const T = { timeout: 10_000 };

/** A master that answers each request with the next reply of `script` (by cmd), recording what it was sent. */
function setup(script: Record<string, MasterReply[]>, opts: Record<string, unknown> = { master: 'salt' }) {
  const sent: Record<string, unknown>[] = [];
  const svc: MasterRequestService = {
    send: async (load) => {
      sent.push(load);
      const next = script[String(load['cmd'])]?.shift();
      return next ?? { ok: true, value: {} };
    },
  };
  const reg = new Registry(
    { kind: 'module', opts, grains: {}, log: silentLogger(), services: { masterRequest: svc } },
    executionModulePlugins(),
  );
  return { reg, sent };
}

const ok = (value: unknown): MasterReply => ({ ok: true, value });
const PUB = ok({ jid: '20260101000000000001', minions: ['m2', 'm3'] });

describe('publish module', () => {
  it("publish: Salt's minion_pub load, then pub_ret until every minion returned; the clean form", T, async () => {
    const { reg, sent } = setup({
      minion_pub: [PUB],
      pub_ret: [ok({ m2: { ret: 'a' } }), ok({ m2: { ret: 'a' }, m3: { ret: 'b', retcode: 0 } })],
    });
    const r = await reg.call('publish.publish', ['*', 'cmd.run', 'hostname'], {});
    assert.deepEqual(r.return, { m2: 'a', m3: 'b' });
    assert.deepEqual(sent[0], {
      cmd: 'minion_pub',
      fun: 'cmd.run',
      arg: ['hostname'],
      tgt: '*',
      tgt_type: 'glob',
      ret: '',
      tmo: 5,
      form: 'clean',
      no_parse: [],
    });
    assert.deepEqual(
      sent.slice(1).map((l) => l['cmd']),
      ['pub_ret', 'pub_ret'],
    );
  });

  it('full_data answers the whole entries; a yamlified list arg is sent as the list', T, async () => {
    const { reg, sent } = setup({ minion_pub: [PUB], pub_ret: [ok({ m2: { ret: 1 }, m3: { ret: 2 } })] });
    const r = await reg.call('publish.full_data', ['*', 'test.arg', "['x', 'k=v']"], {});
    assert.deepEqual(r.return, { m2: { ret: 1 }, m3: { ret: 2 } });
    assert.deepEqual(sent[0]?.['arg'], ['x', 'k=v']);
    assert.equal(sent[0]?.['form'], 'full');
  });

  it('a refusal ({}) answers {}; publish.* is never sent; no master link answers {}', T, async () => {
    const { reg, sent } = setup({ minion_pub: [ok({})] });
    assert.deepEqual((await reg.call('publish.publish', ['*', 'test.echo', 'x'], {})).return, {});
    assert.deepEqual((await reg.call('publish.publish', ['*', 'publish.publish'], {})).return, {});
    assert.equal(sent.length, 1);
    const bare: Record<string, unknown> = {};
    const none = new Registry(
      { kind: 'module', opts: bare, grains: {}, log: silentLogger() },
      executionModulePlugins(),
    );
    assert.deepEqual((await none.call('publish.publish', ['*', 'test.ping'], {})).return, {});
    assert.equal(
      (await none.call('publish.runner', ['manage.up'], {})).return,
      'No access to master. If using salt-call with --local, please remove.',
    );
  });

  it("a master that does not answer gives Salt's timeout texts", T, async () => {
    const late: MasterReply = { ok: false, timedOut: true, error: 'timed out' };
    const { reg } = setup({ minion_pub: [late], minion_runner: [late] });
    assert.equal((await reg.call('publish.publish', ['*', 'test.ping'], {})).return, "'test.ping' publish timed out");
    assert.equal(
      (await reg.call('publish.runner', ['jobs.list_jobs'], {})).return,
      "'jobs.list_jobs' runner publish timed out",
    );
  });

  it('returns missing after the timeout: what came is answered, {} when nothing came', T, async () => {
    const { reg } = setup({ minion_pub: [PUB, PUB], pub_ret: [...Array(10).fill(ok({ m2: { ret: 'a' } }))] });
    assert.deepEqual((await reg.call('publish.publish', ['*', 'test.ping'], { timeout: 0.5 })).return, { m2: 'a' });
    const { reg: silent } = setup({ minion_pub: [PUB] });
    assert.deepEqual((await silent.call('publish.publish', ['*', 'test.ping'], { timeout: 0.5 })).return, {});
  });

  it('runner and saltutil.runner/wheel send minion_runner/minion_wheel with kwargs in the wire form', T, async () => {
    const { reg, sent } = setup({ minion_runner: [ok({ a: 1 }), ok({ b: 2 })], minion_wheel: [ok({ return: [] })] });
    assert.deepEqual((await reg.call('publish.runner', ['jobs.list_jobs'], {})).return, { a: 1 });
    assert.deepEqual((await reg.call('saltutil.runner', ['jobs.lookup_jid'], { jid2: 'x', __pub_jid: 'j' })).return, {
      b: 2,
    });
    await reg.call('saltutil.wheel', ['key.accept', 'web*'], { include_rejected: true });
    assert.deepEqual(sent[0], { cmd: 'minion_runner', fun: 'jobs.list_jobs', arg: [], tmo: 5 });
    assert.deepEqual(sent[1]?.['arg'], [{ __kwarg__: true, jid2: 'x' }]);
    assert.deepEqual(sent[2], {
      cmd: 'minion_wheel',
      fun: 'key.accept',
      arg: ['web*', { __kwarg__: true, include_rejected: true }],
      tmo: 60,
    });
  });
});
