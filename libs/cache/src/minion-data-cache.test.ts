import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import { MinionDataCache } from './minion-data-cache.js';
import { dataFile, dropMinionData } from './layout.js';

const T = { timeout: 10_000 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let dir: string;
const open: MinionDataCache[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-cache-'));
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function cache(enabled = true): MinionDataCache {
  const c = new MinionDataCache({ cachedir: dir, enabled });
  open.push(c);
  return c;
}

/** Waits until `check` holds, polling every 20 ms, for at most 3 s. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 150 && !check(); i++) await sleep(20);
  assert.ok(check(), 'condition not met within 3 s');
}

describe('MinionDataCache', () => {
  test('stores grains and pillar in Salt’s layout and reads them back at start', T, async () => {
    const c = cache();
    await c.storeGrains('web1', { os: 'Debian', roles: ['web'] });
    await c.storePillar('web1', { secret: 's1' });
    assert.deepEqual(c.get('web1'), { grains: { os: 'Debian', roles: ['web'] }, pillar: { secret: 's1' } });
    const onDisk = decode(fs.readFileSync(path.join(dir, 'minions', 'web1', 'data.p')));
    assert.deepEqual(onDisk, { grains: { os: 'Debian', roles: ['web'] }, pillar: { secret: 's1' } });
    // No temp file is left behind.
    assert.deepEqual(
      fs.readdirSync(path.join(dir, 'minions')).filter((n) => n.startsWith('.')),
      [],
    );
    const again = cache();
    assert.deepEqual(again.get('web1'), c.get('web1'));
    assert.deepEqual(again.ids(), ['web1']);
  });

  test('reads a data.p written the way Salt’s master writes it', T, () => {
    const file = path.join(dir, 'minions', 'salt1', 'data.p');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, encode({ grains: { id: 'salt1', os_family: 'RedHat' }, pillar: {} }));
    fs.mkdirSync(path.join(dir, 'minions', 'empty'));
    fs.writeFileSync(path.join(dir, 'minions', 'bad'), 'x');
    const c = cache();
    assert.deepEqual(c.get('salt1'), { grains: { id: 'salt1', os_family: 'RedHat' }, pillar: {} });
    assert.deepEqual(c.ids(), ['salt1']);
  });

  test('a data.p that is not msgpack of a dict is skipped, not fatal', T, () => {
    const file = path.join(dir, 'minions', 'junk', 'data.p');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.from([0xc1]));
    assert.equal(cache().get('junk'), undefined);
  });

  test('clear drops grains, pillar or both, as Salt’s clear_cached_minion_data does', T, async () => {
    const c = cache();
    await c.store('a', { grains: { x: 1 }, pillar: { p: 1 } });
    await c.store('b', { grains: { x: 2 }, pillar: { p: 2 } });
    await c.store('c', { grains: { x: 3 } });
    await c.clear('a', 'grains');
    assert.deepEqual(c.get('a'), { pillar: { p: 1 } });
    await c.clear(undefined, 'pillar');
    assert.equal(c.get('a'), undefined);
    assert.equal(fs.existsSync(dataFile(dir, 'a')), false);
    assert.deepEqual(c.get('b'), { grains: { x: 2 } });
    await c.clear('b', 'all');
    assert.deepEqual(c.ids(), ['c']);
    assert.deepEqual(cache().ids(), ['c']);
  });

  test('minion_data_cache false stores nothing', T, async () => {
    const c = cache(false);
    await c.storeGrains('a', { x: 1 });
    assert.equal(c.get('a'), undefined);
    assert.equal(fs.existsSync(path.join(dir, 'minions')), false);
  });

  test('a bad id is refused without throwing', T, async () => {
    const c = cache();
    await c.storeGrains('../evil', { x: 1 });
    await c.storeGrains('', { x: 1 });
    assert.deepEqual(c.ids(), []);
    assert.throws(() => dropMinionData(dir, '..'), /Invalid minion id/);
  });

  test('writes of one minion land in order', T, async () => {
    const c = cache();
    const all = [];
    for (let i = 0; i < 20; i++) all.push(c.storeGrains('m', { n: i }));
    await Promise.all(all);
    assert.deepEqual(decode(fs.readFileSync(dataFile(dir, 'm'))), { grains: { n: 19 } });
  });

  test('watch() sees other processes clear and drop entries', T, async () => {
    const master = cache();
    master.watch();
    await master.store('a', { grains: { x: 1 }, pillar: { p: 1 } });
    await master.store('b', { grains: { x: 2 } });
    // Another process (tsalt-run cache.clear_pillar, tsalt-key -d) works on the disk only.
    const other = cache();
    await other.clear('a', 'pillar');
    dropMinionData(dir, 'b');
    await until(() => master.get('b') === undefined && master.get('a')?.pillar === undefined);
    assert.deepEqual(master.get('a'), { grains: { x: 1 } });
    await other.clear('a', 'all');
    await until(() => master.get('a') === undefined);
    await other.storeGrains('c', { y: 1 });
    await until(() => master.get('c') !== undefined);
    assert.deepEqual(master.get('c'), { grains: { y: 1 } });
  });

  test(
    'the mine: mine.p beside data.p, merged, cleared with clear_mine/clear_all, followed by the watcher',
    T,
    async () => {
      const master = cache();
      master.watch();
      await master.storeGrains('a', { x: 1 });
      await master.storeMine('a', { 'network.ip_addrs': ['10.0.0.1'] });
      await master.storeMine('a', { 'test.ping': true });
      assert.deepEqual(decode(fs.readFileSync(dataFile(dir, 'a', 'mine'))), {
        'network.ip_addrs': ['10.0.0.1'],
        'test.ping': true,
      });
      assert.deepEqual(master.mineIds(), ['a']);
      await master.deleteMine('a', 'test.ping');
      assert.deepEqual(master.getMine('a'), { 'network.ip_addrs': ['10.0.0.1'] });
      // Another process (tsalt-run cache.clear_mine) clears the mine; the grains stay.
      const other = cache();
      await other.clear('a', 'mine');
      await until(() => master.getMine('a') === undefined);
      assert.deepEqual(master.get('a'), { grains: { x: 1 } });
      await other.storeMine('b', { f: 1 });
      await until(() => master.getMine('b') !== undefined);
      await other.clear(undefined, 'all');
      await until(() => master.getMine('b') === undefined && master.get('a') === undefined);
    },
  );

  test('enforce_mine_cache keeps the mine with minion_data_cache off', T, async () => {
    const c = new MinionDataCache({ cachedir: dir, enabled: false, mine: true });
    open.push(c);
    await c.storeGrains('a', { x: 1 });
    await c.storeMine('a', { f: 1 });
    assert.equal(c.get('a'), undefined);
    assert.deepEqual(c.getMine('a'), { f: 1 });
    assert.equal(fs.existsSync(dataFile(dir, 'a')), false);
    assert.equal(await c.flushMine('a'), true);
    assert.equal(fs.existsSync(dataFile(dir, 'a', 'mine')), false);
  });
});
