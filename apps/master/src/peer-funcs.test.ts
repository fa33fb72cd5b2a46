import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '@tsalt/core';
import { masterConfig } from '@tsalt/config';
import type { JidResult, JobCache } from '@tsalt/returners';
import { parseInput, servePeer, type PeerDeps } from './peer-funcs.js';

/** A peer setup over fakes: what was published, run and logged. */
function fakes(peer: Record<string, unknown>, peerRun: Record<string, unknown> = {}) {
  const published: Record<string, unknown>[] = [];
  const ran: { id: string; fun: string; arg: unknown[] }[] = [];
  const lines: string[] = [];
  const returns: Record<string, Record<string, JidResult>> = {};
  const logAt = (obj: unknown, msg?: string): void => void lines.push(`${JSON.stringify(obj)} ${msg ?? ''}`);
  const log = { warn: logAt, info: logAt, error: logAt, debug: logAt } as unknown as Logger;
  let n = 0;
  const d: PeerDeps = {
    opts: masterConfig({ peer, peer_run: peerRun, timeout: 1 }),
    log,
    publish: async (load) => {
      published.push(load);
      const jid = `2026010100000000000${n++}`;
      returns[jid] = { m2: { return: 'out', retcode: 0 } };
      return { enc: 'clear', load: { jid, minions: ['m2'] } };
    },
    jobCache: { getJid: async (jid: string) => returns[jid] ?? {} } as unknown as JobCache,
    minions: (tgt) => (tgt === '*' ? ['m1', 'm2'] : [String(tgt)]),
    runner: {
      runner: async (id, fun, arg) => {
        ran.push({ id, fun, arg });
        return { ran: fun };
      },
      wheelCall: async (id, fun, arg) => {
        ran.push({ id, fun: `wheel.${fun}`, arg });
        return { fun: `wheel.${fun}`, return: [], success: true };
      },
      close: () => undefined,
    },
  };
  return { d, published, ran, lines };
}

const PUB = { fun: 'cmd.run', arg: ['hostname'], tgt: 'm2', tgt_type: 'glob', ret: '', tmo: 1, form: 'clean' };

test('minion_pub: an allowed call is published with the minion as user and answers {jid, minions}', async () => {
  const f = fakes({ m1: ['cmd.run'] });
  const r = (await servePeer('minion_pub', PUB, 'm1', f.d)) as Record<string, unknown>;
  assert.deepEqual(r['minions'], ['m2']);
  assert.equal(f.published.length, 1);
  assert.deepEqual(f.published[0], {
    tgt: 'm2',
    fun: 'cmd.run',
    arg: ['hostname'],
    tgt_type: 'glob',
    ret: '',
    user: 'm1',
  });
  // Only its publisher may read its returns.
  assert.deepEqual(await servePeer('pub_ret', { jid: r['jid'] }, 'm1', f.d), { m2: { ret: 'out', retcode: 0 } });
  assert.deepEqual(await servePeer('pub_ret', { jid: r['jid'] }, 'm3', f.d), {});
});

test('minion_pub: a refused call answers {}, is logged with the minion and function, and is never published', async () => {
  const f = fakes({ m1: ['test.ping'] });
  assert.deepEqual(await servePeer('minion_pub', PUB, 'm1', f.d), {});
  assert.deepEqual(await servePeer('minion_pub', { ...PUB, fun: 'publish.publish' }, 'm1', f.d), {});
  assert.deepEqual(await servePeer('minion_pub', PUB, 'm9', f.d), {});
  assert.deepEqual(await servePeer('minion_pub', { fun: 'test.ping' }, 'm1', f.d), {});
  assert.equal(f.published.length, 0);
  assert.ok(f.lines.some((l) => l.includes('"minion":"m1"') && l.includes('"fun":"cmd.run"') && l.includes('refused')));
  assert.ok(f.lines.some((l) => l.includes('m9 may not publish cmd.run')));
});

test('minion_publish waits for the returns: clean and full forms', async () => {
  const f = fakes({ '.*': ['.*'] });
  assert.deepEqual(await servePeer('minion_publish', PUB, 'm1', f.d), { m2: 'out' });
  const full = (await servePeer('minion_publish', { ...PUB, form: 'full' }, 'm1', f.d)) as Record<string, unknown>;
  assert.equal(typeof full['__jid__'], 'string');
  assert.deepEqual(full['m2'], { ret: 'out', retcode: 0, jid: full['__jid__'] });
  assert.deepEqual(await servePeer('minion_publish', { ...PUB, timeout: 'soon' }, 'm1', f.d), {});
});

test('minion_runner under peer_run; minion_wheel names its function wheel.<fun>', async () => {
  const f = fakes({}, { m1: ['jobs\\.', 'wheel.key.list'] });
  assert.deepEqual(await servePeer('minion_runner', { fun: 'jobs.list_jobs', arg: ['k=3'] }, 'm1', f.d), {
    ran: 'jobs.list_jobs',
  });
  assert.deepEqual(f.ran[0], { id: 'm1', fun: 'jobs.list_jobs', arg: [{ k: 3, __kwarg__: true }] });
  assert.deepEqual(await servePeer('minion_runner', { fun: 'manage.up', arg: [] }, 'm1', f.d), {});
  assert.deepEqual(await servePeer('minion_runner', { fun: 'jobs.list_jobs', arg: [] }, 'm2', f.d), {});
  assert.ok(f.lines.some((l) => l.includes('minion m1 may not run manage.up')));
  const w = (await servePeer('minion_wheel', { fun: 'key.list', arg: ['all'] }, 'm1', f.d)) as Record<string, unknown>;
  assert.equal(w['fun'], 'wheel.key.list');
  assert.deepEqual(await servePeer('minion_wheel', { fun: 'key.delete', arg: ['m2'] }, 'm1', f.d), {});
  assert.equal(f.ran.length, 2);
});

test("parseInput is Salt's parse_input: yamlified strings, k=v into one trailing __kwarg__ dict, no_parse kept raw", () => {
  assert.deepEqual(parseInput(['1', 'a', 'k=2', 'j=3'], ['j']), [1, 'a', { k: 2, j: '3', __kwarg__: true }]);
  assert.deepEqual(parseInput([{ __kwarg__: true, x: 1 }, 5], []), [5, { x: 1, __kwarg__: true }]);
  assert.deepEqual(parseInput(['hostname'], []), ['hostname']);
});
