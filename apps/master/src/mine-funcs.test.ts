import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@tsalt/core';
import { MinionDataCache } from '@tsalt/cache';
import { KeyStore, generateKeyPair, minionToken } from '@tsalt/crypto';
import { masterConfig } from '@tsalt/config';
import { asBytes, newNonce, openAes, pack, parseMineRequest, sealAes, unpack, type Envelope } from '@tsalt/transport';
import { PillarCompiler, pillarOptions } from '@tsalt/pillar';
import { mineGetAllowed, serveMine, type MineDeps } from './mine-funcs.js';
import { handleAes, type AesDeps } from './aes-funcs.js';
import { SessionKeys } from './session.js';
import type { CacheWriter } from './cache-writer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-mine-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const T = { timeout: 10_000 };
const ACCEPTED = ['web1', 'web2', 'db1'];

async function filled(sub: string): Promise<MinionDataCache> {
  const cache = new MinionDataCache({ cachedir: path.join(dir, sub) });
  await cache.storeGrains('web1', { role: 'web' });
  await cache.storeGrains('web2', { role: 'web' });
  await cache.storeGrains('db1', { role: 'db' });
  for (const id of ACCEPTED) await cache.storeMine(id, { 'network.ip_addrs': [`ip-${id}`], 'test.ping': true });
  return cache;
}

function deps(cache: MinionDataCache, extra: Record<string, unknown> = {}): MineDeps {
  return { opts: masterConfig(extra), accepted: () => ACCEPTED, mine: cache, log: silentLogger() };
}

const req = (load: Record<string, unknown>): ReturnType<typeof parseMineRequest> =>
  parseMineRequest(load, String(load['cmd']));

describe('mine requests on the master', () => {
  test('_mine merges, clear replaces; _mine_delete and _mine_flush', T, async () => {
    const cache = await filled('store');
    const d = deps(cache);
    assert.equal(await serveMine(req({ cmd: '_mine', data: { 'disk.usage': {} } }), 'web1', d), true);
    assert.deepEqual(Object.keys(cache.getMine('web1') ?? {}).sort(), ['disk.usage', 'network.ip_addrs', 'test.ping']);
    await serveMine(req({ cmd: '_mine', data: { only: 1 }, clear: true }), 'web1', d);
    assert.deepEqual(cache.getMine('web1'), { only: 1 });
    assert.equal(await serveMine(req({ cmd: '_mine_delete', fun: 'only' }), 'web1', d), true);
    assert.deepEqual(cache.getMine('web1'), {});
    assert.equal(await serveMine(req({ cmd: '_mine_flush' }), 'web2', d), true);
    assert.equal(cache.getMine('web2'), undefined);
    assert.equal(fs.existsSync(path.join(dir, 'store/minions/web2/mine.p')), false);
    // Salt's cache flush answers False when there was nothing to flush.
    assert.equal(await serveMine(req({ cmd: '_mine_flush' }), 'web2', d), false);
    await cache.close();
    // Read back from disk: Salt's layout, data.p and mine.p side by side.
    const again = new MinionDataCache({ cachedir: path.join(dir, 'store') });
    assert.deepEqual(again.getMine('db1'), { 'network.ip_addrs': ['ip-db1'], 'test.ping': true });
    assert.deepEqual(again.get('db1'), { grains: { role: 'db' } });
    await again.close();
  });

  test('_mine_get: one function answers {minion: data}, several {fun: {minion: data}}; tgt_type', T, async () => {
    const cache = await filled('get');
    const d = deps(cache);
    const get = (load: Record<string, unknown>): Promise<unknown> =>
      serveMine(req({ cmd: '_mine_get', ...load }), 'web1', d);
    assert.deepEqual(await get({ tgt: 'web*', fun: 'network.ip_addrs' }), {
      web1: ['ip-web1'],
      web2: ['ip-web2'],
    });
    assert.deepEqual(await get({ tgt: 'role:db', fun: 'network.ip_addrs', tgt_type: 'grain' }), { db1: ['ip-db1'] });
    assert.deepEqual(await get({ tgt: 'role:db', fun: 'network.ip_addrs', expr_form: 'grain' }), {
      db1: ['ip-db1'],
    });
    assert.deepEqual(await get({ tgt: ['db1', 'nobody'], fun: 'test.ping', tgt_type: 'list' }), { db1: true });
    assert.deepEqual(await get({ tgt: 'G@role:web and not web2', fun: 'test.ping', tgt_type: 'compound' }), {
      web1: true,
    });
    assert.deepEqual(await get({ tgt: 'db1', fun: 'network.ip_addrs,test.ping' }), {
      'network.ip_addrs': { db1: ['ip-db1'] },
      'test.ping': { db1: true },
    });
    assert.deepEqual(await get({ tgt: 'db1', fun: ['test.ping'] }), { 'test.ping': { db1: true } });
    assert.deepEqual(await get({ tgt: '*', fun: 'nosuch.fun' }), {});
    assert.deepEqual(await get({ tgt: 'G@bad@@', fun: 'test.ping', tgt_type: 'compound' }), {});
    await cache.close();
  });

  test('the mine_get ACL: regexes matched at the start, as re.match', () => {
    const acl = { 'web.*': ['network\\..*'], db1: ['test\\.ping'] };
    assert.deepEqual(mineGetAllowed(undefined, 'web1', ['a', 'b']), ['a', 'b']);
    assert.deepEqual(mineGetAllowed(acl, 'web1', ['network.ip_addrs', 'test.ping']), ['network.ip_addrs']);
    assert.deepEqual(mineGetAllowed(acl, 'db1', ['network.ip_addrs', 'test.ping']), ['test.ping']);
    assert.deepEqual(mineGetAllowed(acl, 'xweb1', ['network.ip_addrs']), []);
    assert.deepEqual(mineGetAllowed(['not', 'a', 'dict'], 'web1', ['network.ip_addrs']), []);
  });

  test('_mine_get honours mine_get and each entry’s allow_tgt', T, async () => {
    const cache = await filled('acl');
    await cache.storeMine('db1', {
      secret: { __data__: 's3cret', __saltmine_acl__: 1, allow_tgt: 'role:web', allow_tgt_type: 'grain' },
      nobody: { __data__: 'x', __saltmine_acl__: 1, allow_tgt: 'nomatch*' },
      open: { __data__: 'o', __saltmine_acl__: 1 },
    });
    const d = deps(cache, { mine_get: { web1: ['.*'], db1: ['test\\.ping'] } });
    const get = (id: string, fun: string): Promise<unknown> =>
      serveMine(req({ cmd: '_mine_get', tgt: 'db1', fun }), id, d);
    assert.deepEqual(await get('web1', 'secret'), { db1: 's3cret' });
    assert.deepEqual(await get('web1', 'nobody'), {});
    assert.deepEqual(await get('web1', 'open'), { db1: 'o' });
    assert.deepEqual(await get('db1', 'secret'), {}, 'outside mine_get');
    assert.deepEqual(await get('web2', 'test.ping'), {}, 'no mine_get entry at all');
    assert.deepEqual(await get('db1', 'test.ping'), { db1: true });
    await cache.close();
  });

  test('without a mine store (minion_data_cache and enforce_mine_cache off) nothing is kept', async () => {
    const d: MineDeps = { opts: masterConfig({}), accepted: () => ACCEPTED, log: silentLogger() };
    assert.equal(await serveMine(req({ cmd: '_mine', data: { a: 1 } }), 'web1', d), true);
    assert.deepEqual(await serveMine(req({ cmd: '_mine_get', tgt: '*', fun: 'a' }), 'web1', d), {});
  });

  test('parseMineRequest refuses loads missing their fields', () => {
    assert.throws(() => req({ cmd: '_mine', data: [1] }), /data must be a mapping/);
    assert.throws(() => req({ cmd: '_mine_get', fun: 'a' }), /tgt must be/);
    assert.throws(() => req({ cmd: '_mine_get', tgt: '*', fun: 3 }), /fun must be/);
    assert.throws(() => req({ cmd: '_mine_delete' }), /fun must be a string/);
  });
});

describe('mine requests through the AES channel', () => {
  const keysDir = path.join(dir, 'pki');
  const keys = new KeyStore(keysDir, 'sha256');
  keys.ensureDirs();
  const minion = generateKeyPair(2048);
  keys.write('accepted', 'web1', minion.publicPem);
  const session = new SessionKeys();

  async function answer(load: Record<string, unknown>, d: AesDeps): Promise<unknown> {
    const nonce = newNonce();
    const env = unpack(pack({ enc: 'aes', load: sealAes(session.aes, { ...load, nonce }), version: 2 })) as Envelope;
    return openAes(session.aes, asBytes(unpack(pack(await handleAes(env, d)))) ?? Buffer.alloc(0), nonce);
  }

  test('a minion stores and reads its mine with its token; without one it is refused', T, async () => {
    const cache = new MinionDataCache({ cachedir: path.join(dir, 'aes') });
    const d: AesDeps = {
      opts: masterConfig({}),
      keys,
      session,
      cache: {} as CacheWriter,
      log: silentLogger(),
      fire: () => undefined,
      masterPrivate: generateKeyPair(2048).privateKey,
      pillar: new PillarCompiler(pillarOptions(masterConfig({ pillar_roots: { base: [] } })), silentLogger()),
      mine: cache,
    };
    const tok = minionToken(minion.privateKey);
    assert.equal(await answer({ cmd: '_mine', id: 'web1', data: { 'test.ping': true } }, d), false);
    assert.equal(cache.getMine('web1'), undefined);
    assert.equal(await answer({ cmd: '_mine', id: 'web1', tok, data: { 'test.ping': true }, clear: false }, d), true);
    assert.deepEqual(await answer({ cmd: '_mine_get', id: 'web1', tok, tgt: 'web1', fun: 'test.ping' }, d), {
      web1: true,
    });
    assert.deepEqual(await answer({ cmd: '_mine_get', id: 'web1', tok, tgt: 'web1' }, d), {}, 'no fun: {}');
    assert.equal(await answer({ cmd: '_mine_flush', id: 'web1', tok }, d), true);
    await cache.close();
  });
});
