import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@tsalt/core';
import { Registry } from '@tsalt/loader';
import { KeyStore, generateKeyPair, pemFingerprint } from '@tsalt/crypto';
import { runWheel, wheelPlugins } from './index.js';

const log = silentLogger();
const PUB = generateKeyPair().publicPem;

describe('wheel.key and runWheel', () => {
  let dir = '';
  let store: KeyStore;
  let events: { tag: string; data: Record<string, unknown> }[] = [];
  const fire = async (tag: string, data: Record<string, unknown>): Promise<void> => void events.push({ tag, data });
  let wheel: Registry;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-wheel-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    const pki = path.join(dir, `pki-${Math.random().toString(16).slice(2)}`);
    store = new KeyStore(pki);
    store.ensureDirs();
    fs.writeFileSync(path.join(pki, 'master.pub'), PUB);
    for (const id of ['web1', 'web2', 'db1']) store.write('pending', id, PUB);
    store.write('rejected', 'web3', PUB);
    store.write('accepted', 'app1', PUB);
    events = [];
    const opts = { pki_dir: pki, cachedir: path.join(pki, 'cache'), hash_type: 'sha256' };
    wheel = new Registry({ kind: 'wheel', opts, log, services: { keys: store }, fireEvent: fire }, wheelPlugins());
  });

  test('accept moves the matching pending keys, fires salt/key each, returns where they are', async () => {
    const r = await wheel.call('key.accept', [], { match: 'web*' });
    assert.deepEqual(r.return, { minions: ['web1', 'web2'], minions_rejected: ['web3'] });
    assert.deepEqual(store.list().minions, ['app1', 'web1', 'web2']);
    assert.deepEqual(
      events.map((e) => [e.tag, e.data]),
      [
        ['salt/key', { result: true, act: 'accept', id: 'web1' }],
        ['salt/key', { result: true, act: 'accept', id: 'web2' }],
      ],
    );
  });

  test('accept include_rejected, comma and list matches', async () => {
    await wheel.call('key.accept', ['web3,db1'], { include_rejected: true });
    assert.deepEqual(store.list().minions, ['app1', 'db1', 'web3']);
    await wheel.call('key.accept', [['web1']]);
    assert.ok(store.list().minions.includes('web1'));
  });

  test('reject and delete ask the master to rotate its AES key (.dfn)', async () => {
    const dfn = path.join(String(store.pkiDir), 'cache', '.dfn');
    const r = await wheel.call('key.reject', ['db1']);
    assert.deepEqual(r.return, { minions_rejected: ['db1'] });
    assert.ok(fs.existsSync(dfn));
    fs.rmSync(dfn, { force: true });
    const d = await wheel.call('key.delete', ['app1']);
    assert.deepEqual(d.return, {});
    assert.ok(fs.existsSync(dfn));
    assert.deepEqual(
      events.map((e) => e.data['act']),
      ['reject', 'delete'],
    );
  });

  test('reject leaves accepted keys unless include_accepted', async () => {
    await wheel.call('key.reject', ['app1']);
    assert.deepEqual(store.list().minions, ['app1']);
    await wheel.call('key.reject', ['app1'], { include_accepted: true });
    assert.deepEqual(store.list().minions, []);
  });

  test('dict variants, list, list_all, finger, key_str', async () => {
    await wheel.call('key.accept_dict', [{ minions_pre: ['db1'] }]);
    assert.deepEqual(store.list().minions, ['app1', 'db1']);
    assert.deepEqual((await wheel.call('key.list', ['acc'])).return, { minions: ['app1', 'db1'] });
    assert.deepEqual((await wheel.call('key.list_all')).return, {
      local: ['master.pub'],
      minions: ['app1', 'db1'],
      minions_pre: ['web1', 'web2'],
      minions_rejected: ['web3'],
      minions_denied: [],
    });
    const fp = pemFingerprint(PUB);
    assert.deepEqual((await wheel.call('key.finger', ['app1'])).return, { minions: { app1: fp } });
    assert.deepEqual(((await wheel.call('key.finger', ['*'])).return as Record<string, unknown>)['local'], {
      'master.pub': fp,
    });
    assert.deepEqual((await wheel.call('key.key_str', ['web3'])).return, { minions_rejected: { web3: PUB } });
    await assert.rejects(wheel.call('key.accept_dict', [{ nope: ['x'] }]), /unknown key status 'nope'/);
  });

  test('runWheel fires salt/wheel/<jid>/new and /ret with Salt fields', async () => {
    const r = await runWheel(
      wheel,
      'wheel.key.accept',
      { match: 'db1' },
      { fire, user: 'Reactor', jid: '20250101000000000001' },
    );
    assert.equal(r.tag, 'salt/wheel/20250101000000000001');
    assert.deepEqual(r.data, {
      fun: 'wheel.key.accept',
      jid: '20250101000000000001',
      tag: r.tag,
      user: 'Reactor',
      return: { minions: ['db1'] },
      success: true,
    });
    assert.deepEqual(
      events.map((e) => e.tag),
      [`${r.tag}/new`, 'salt/key', `${r.tag}/ret`],
    );
    assert.deepEqual(events[0]?.data, {
      fun: 'wheel.key.accept',
      jid: '20250101000000000001',
      tag: r.tag,
      user: 'Reactor',
    });
  });

  test('runWheel reports a failure as success false, never throws', async () => {
    const r = await runWheel(wheel, 'key.nope', {}, { fire });
    assert.equal(r.data.success, false);
    assert.match(String(r.data.return), /^Exception occurred in wheel key\.nope: .*'key\.nope' is not available/);
    assert.equal(events.at(-1)?.tag, `${r.tag}/ret`);
  });
});
