import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@tsalt/core';
import { masterConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { jidToTime } from '@tsalt/job';
import { KeyStore, generateKeyPair } from '@tsalt/crypto';
import { jobCacheFrom, returnerPlugins } from '@tsalt/returners';
import { runnerPlugins, type RunnerLocalClient, type RunnerPublishReply } from './index.js';

const log = silentLogger();

/** A local client over a fixed world: which minions have keys, which answer, what saltutil.running says. */
class FakeLocal implements RunnerLocalClient {
  calls: Array<{ tgt: unknown; fun: string; o: unknown }> = [];
  constructor(
    private readonly keys: string[],
    private readonly up: Set<string>,
    private readonly running: Record<string, unknown> = {},
  ) {}

  async publish(
    tgt: string | string[],
    fun: string,
    _arg: readonly unknown[] = [],
    o: { tgt_type?: string } = {},
  ): Promise<RunnerPublishReply> {
    this.calls.push({ tgt, fun, o });
    const minions = this.keys.filter(
      (k) =>
        tgt === '*' || tgt === k || (typeof tgt === 'string' && tgt.endsWith('*') && k.startsWith(tgt.slice(0, -1))),
    );
    return { jid: minions.length ? '20240101000000000001' : '', minions, missing: [] };
  }

  async *getCliReturns(
    _jid: string,
    minions: Iterable<string>,
    o: unknown = {},
  ): AsyncGenerator<{ kind: 'return' | 'missing'; id: string }> {
    this.calls.push({ tgt: [...minions], fun: 'wait', o });
    for (const m of minions) yield this.up.has(m) ? { kind: 'return', id: m } : { kind: 'missing', id: m };
  }

  async cmd(
    tgt: string | string[],
    fun: string,
    _arg: readonly unknown[] = [],
    o: unknown = {},
  ): Promise<Record<string, unknown>> {
    this.calls.push({ tgt, fun, o });
    return Object.fromEntries(Object.entries(this.running).filter(([m]) => this.up.has(m)));
  }
}

describe('manage and jobs.active runners over an injected local client', () => {
  let dir = '';
  const opts = (): Record<string, unknown> => ({
    timeout: 5,
    gather_job_timeout: 10,
    pki_dir: path.join(dir, 'pki'),
    cachedir: path.join(dir, 'cache'),
    master_job_cache: 'local_cache',
    ext_job_cache: '',
    rotate_aes_key: true,
  });
  const runners = (local: RunnerLocalClient | undefined, extra: Record<string, unknown> = {}): Registry => {
    const retReg = new Registry(
      { kind: 'returner', opts: masterConfig({ cachedir: path.join(dir, 'cache') }), log },
      returnerPlugins(),
    );
    const services: Record<string, unknown> = { jobCache: jobCacheFrom(retReg, 'local_cache'), ...extra };
    if (local) services['local'] = local;
    return new Registry({ kind: 'runner', opts: masterConfig(opts()), log, services }, runnerPlugins());
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-manage-'));
    const store = new KeyStore(path.join(dir, 'pki'));
    store.ensureDirs();
    const pem = generateKeyPair().publicPem;
    for (const id of ['web-1', 'web-2', 'db-1']) store.write('accepted', id, pem);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('status, up, down: sorted lists; timeouts from the config unless given', async () => {
    const local = new FakeLocal(['web-2', 'web-1', 'db-1'], new Set(['web-1', 'db-1']));
    const reg = runners(local);
    assert.deepEqual((await reg.call('manage.status')).return, { up: ['db-1', 'web-1'], down: ['web-2'] });
    assert.deepEqual(local.calls[1]?.o, { timeout: 5, gatherJobTimeout: 10 });
    assert.deepEqual((await reg.call('manage.up', [], { tgt: 'web*', timeout: 2, gather_job_timeout: '3' })).return, [
      'web-1',
    ]);
    assert.deepEqual(local.calls.at(-1)?.o, { timeout: 2, gatherJobTimeout: 3 });
    assert.deepEqual((await reg.call('manage.down')).return, ['web-2']);
    assert.deepEqual((await reg.call('manage.status', [], { tgt: 'nomatch' })).return, { up: [], down: [] });
  });

  test('down removekeys=True deletes the keys of down minions, fires salt/key and asks for a key rotation', async () => {
    const local = new FakeLocal(['web-1', 'web-2', 'db-1'], new Set(['web-1', 'db-1']));
    const fired: Array<[string, Record<string, unknown>]> = [];
    const reg = runners(local);
    const fireEvent = async (tag: string, data: Record<string, unknown>): Promise<void> => {
      fired.push([tag, data]);
    };
    const r = await reg.call('manage.down', [], { removekeys: true }, { fireEvent });
    assert.deepEqual(r.return, ['web-2']);
    const store = new KeyStore(path.join(dir, 'pki'));
    assert.deepEqual(store.ids('accepted').sort(), ['db-1', 'web-1']);
    assert.deepEqual(fired, [['salt/key', { result: true, act: 'delete', id: 'web-2' }]]);
    assert.ok(fs.existsSync(path.join(dir, 'cache', '.dfn')));
  });

  test('jobs.active groups saltutil.running by jid, with pids and the minions already returned', async () => {
    const jid = '20240316190000123456';
    const job = { fun: 'test.sleep', arg: [10], jid, tgt: '*', tgt_type: 'glob', user: 'root' };
    const local = new FakeLocal(['web-1', 'db-1'], new Set(['web-1', 'db-1']), {
      'web-1': [{ ...job, pid: 111 }],
      'db-1': [
        { ...job, pid: 222 },
        {
          fun: 'cmd.run',
          arg: ['sleep 99'],
          jid: '20240316190000999999',
          tgt: 'db-1',
          tgt_type: 'glob',
          user: 'alice',
          pid: 333,
        },
      ],
    });
    const reg = runners(local);
    const retReg = new Registry(
      { kind: 'returner', opts: masterConfig({ cachedir: path.join(dir, 'cache') }), log },
      returnerPlugins(),
    );
    const cache = jobCacheFrom(retReg, 'local_cache');
    await cache.prepJid(false, jid);
    await cache.saveLoad(jid, job, ['web-1', 'db-1', 'web-9']);
    await cache.returner({
      id: 'web-9',
      jid,
      fun: 'test.sleep',
      fun_args: [10],
      return: true,
      retcode: 0,
      success: true,
    });
    const r = (await reg.call('jobs.active')).return;
    assert.deepEqual(local.calls[0], { tgt: '*', fun: 'saltutil.running', o: { timeout: 5 } });
    assert.deepEqual(r, {
      [jid]: {
        Function: 'test.sleep',
        Arguments: [10],
        Target: '*',
        'Target-type': 'glob',
        User: 'root',
        StartTime: jidToTime(jid),
        Running: [{ 'web-1': 111 }, { 'db-1': 222 }],
        Returned: ['web-9'],
      },
      '20240316190000999999': {
        Function: 'cmd.run',
        Arguments: ['sleep 99'],
        Target: 'db-1',
        'Target-type': 'glob',
        User: 'alice',
        StartTime: jidToTime('20240316190000999999'),
        Running: [{ 'db-1': 333 }],
        Returned: [],
      },
    });
  });

  test('without an injected client these runners say so', async () => {
    await assert.rejects(runners(undefined).call('manage.status'), { code: 'LOCAL_CLIENT_MISSING' });
    await assert.rejects(runners(undefined).call('jobs.active'), { code: 'LOCAL_CLIENT_MISSING' });
  });

  test('a jid that is not a jid is refused by name', async () => {
    await assert.rejects(runners(undefined).call('jobs.lookup_jid', ['notajid']), {
      code: 'BAD_JID',
      message: '"notajid" is not a jid: a jid is 20 digits, YYYYMMDDhhmmssffffff',
    });
  });
});
