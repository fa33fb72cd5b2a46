import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@tsalt/core';
import { masterConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { KeyStore, generateKeyPair } from '@tsalt/crypto';
import { MinionDataCache } from '@tsalt/cache';
import { runnerPlugins } from './index.js';

const log = silentLogger();

describe('cache runner (salt/runners/cache.py)', { timeout: 15_000 }, () => {
  let dir = '';
  let keys: KeyStore;
  let cache: MinionDataCache;
  const reg = (services: Record<string, unknown>, extra: Record<string, unknown> = {}): Registry =>
    new Registry(
      {
        kind: 'runner',
        opts: masterConfig({ pki_dir: path.join(dir, 'pki'), cachedir: path.join(dir, 'cache'), ...extra }),
        log,
        services,
      },
      runnerPlugins(),
    );

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-cache-runner-'));
    keys = new KeyStore(path.join(dir, 'pki'));
    keys.ensureDirs();
    const pem = generateKeyPair().publicPem;
    for (const id of ['web-1', 'web-2', 'db-1']) keys.write('accepted', id, pem);
    cache = new MinionDataCache({ cachedir: path.join(dir, 'cache') });
    await cache.store('web-1', { grains: { role: 'web' }, pillar: { env: 'prod' } });
    await cache.store('web-2', { grains: { role: 'web' }, pillar: { env: 'dev' } });
    await cache.store('db-1', { grains: { role: 'db' } });
    // Cached but no key: not targeted (Salt matches on accepted keys).
    await cache.store('gone', { grains: { role: 'web' } });
  });
  after(async () => {
    await cache.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('grains and pillar of the targeted minions that have them cached', async () => {
    const r = reg({ keys, minionData: cache });
    assert.deepEqual((await r.call('cache.grains', ['web*'])).return, {
      'web-1': { role: 'web' },
      'web-2': { role: 'web' },
    });
    assert.deepEqual((await r.call('cache.grains', [], { tgt: 'role:db', tgt_type: 'grain' })).return, {
      'db-1': { role: 'db' },
    });
    assert.deepEqual((await r.call('cache.pillar')).return, { 'web-1': { env: 'prod' }, 'web-2': { env: 'dev' } });
    assert.deepEqual((await r.call('cache.pillar', ['env:dev', 'pillar'])).return, { 'web-2': { env: 'dev' } });
    await assert.rejects(r.call('cache.grains', ['foo'], { tgt_type: 'grain' }), /Invalid grain target 'foo'/);
  });

  test('mine: {minion: mine} for every targeted minion, {} without one; clear_mine_func, clear_mine', async () => {
    await cache.storeMine('web-1', { 'network.ip_addrs': ['10.0.0.1'], 'test.ping': true });
    await cache.storeMine('db-1', { 'test.ping': true });
    const r = reg({ keys, minionData: cache });
    assert.deepEqual((await r.call('cache.mine', [])).return, {
      'db-1': { 'test.ping': true },
      'web-1': { 'network.ip_addrs': ['10.0.0.1'], 'test.ping': true },
      'web-2': {},
    });
    assert.deepEqual((await r.call('cache.mine', ['role:db'], { tgt_type: 'grain' })).return, {
      'db-1': { 'test.ping': true },
    });
    assert.equal((await r.call('cache.clear_mine_func', ['web*'], { clear_mine_func_flag: 'test.ping' })).return, true);
    assert.deepEqual(cache.getMine('web-1'), { 'network.ip_addrs': ['10.0.0.1'] });
    assert.equal((await r.call('cache.clear_mine', ['db-1'])).return, true);
    assert.equal(cache.getMine('db-1'), undefined);
    assert.deepEqual(cache.get('db-1'), { grains: { role: 'db' } }, 'the grains stay');
  });

  test('clear_*: False without a target, True after clearing', async () => {
    const r = reg({ keys, minionData: cache });
    assert.equal((await r.call('cache.clear_pillar')).return, false);
    assert.equal((await r.call('cache.clear_pillar', ['web-2'])).return, true);
    assert.deepEqual(cache.get('web-2'), { grains: { role: 'web' } });
    assert.equal((await r.call('cache.clear_grains', ['web-1'])).return, true);
    assert.deepEqual(cache.get('web-1'), { pillar: { env: 'prod' } });
    assert.equal((await r.call('cache.clear_all', ['*'])).return, true);
    assert.deepEqual(cache.ids(), ['gone']);
  });

  test('without a cache: one clear error', async () => {
    await assert.rejects(reg({ keys }, { minion_data_cache: false }).call('cache.grains', ['*']), /disabled/);
  });
});
