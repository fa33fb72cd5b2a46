import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import type { MinionDataService } from './context.js';
import { executionModulePlugins } from './index.js';

const T = { timeout: 10_000 };
let dir = '';

function setup(grains: Record<string, unknown>, pillar: Record<string, unknown> = {}, data?: MinionDataService) {
  const g = { ...grains };
  const reg = new Registry(
    {
      kind: 'module',
      opts: minionConfig({ config_dir: dir, cachedir: dir }),
      grains: g,
      pillar,
      log: silentLogger(),
      services: data ? { minionData: data } : {},
    },
    executionModulePlugins(),
  );
  return { reg, g };
}

const GRAINS = {
  id: 'm1',
  os: 'Debian',
  os_family: 'Debian',
  osrelease: '12',
  pkg: { apache: 'httpd' },
  roles: ['web'],
};

describe('grains module', () => {
  before(() => void (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-grainsmod-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('items, get (default, delimiter), item, ls, has_value, fetch', T, async () => {
    const { reg } = setup(GRAINS);
    assert.deepEqual((await reg.call('grains.items')).return, GRAINS);
    assert.equal((await reg.call('grains.get', ['os'])).return, 'Debian');
    assert.equal((await reg.call('grains.get', ['pkg:apache'])).return, 'httpd');
    assert.equal((await reg.call('grains.get', ['pkg|apache'], { delimiter: '|' })).return, 'httpd');
    assert.equal((await reg.call('grains.get', ['nope'])).return, '');
    assert.equal((await reg.call('grains.get', ['nope'], { default: 'x' })).return, 'x');
    assert.equal((await reg.call('grains.fetch', ['os'])).return, 'Debian');
    assert.deepEqual((await reg.call('grains.item', ['os_family', 'osrelease'])).return, {
      os_family: 'Debian',
      osrelease: '12',
    });
    assert.deepEqual((await reg.call('grains.ls')).return, ['id', 'os', 'os_family', 'osrelease', 'pkg', 'roles']);
    assert.equal((await reg.call('grains.has_value', ['pkg:apache'])).return, true);
    assert.equal((await reg.call('grains.has_value', ['pkg:nginx'])).return, false);
    const sane = (await reg.call('grains.items', [], { sanitize: true })).return as Record<string, unknown>;
    assert.equal(sane['id'], 'MINION.DOMAINNAME');
  });

  it('setval writes <config_dir>/grains, updates grains and asks the daemon to refresh', T, async () => {
    const refreshed: boolean[] = [];
    const data: MinionDataService = {
      refreshGrains: async (p) => (refreshed.push(p), true),
      refreshPillar: async () => true,
      fetchPillar: async () => undefined,
    };
    const { reg, g } = setup(GRAINS, {}, data);
    assert.deepEqual((await reg.call('grains.setval', ['role', 'web'])).return, { role: 'web' });
    assert.equal(fs.readFileSync(path.join(dir, 'grains'), 'utf8'), 'role: web\n');
    assert.equal(g['role'], 'web');
    assert.deepEqual(refreshed, [true]);
    await reg.call('grains.setvals', [{ a: 1, b: [2] }], { refresh_pillar: false });
    assert.deepEqual(refreshed, [true, false]);
    assert.equal(fs.readFileSync(path.join(dir, 'grains'), 'utf8'), 'role: web\na: 1\nb:\n  - 2\n');
  });

  it('append, delval, delkey, set', T, async () => {
    fs.rmSync(path.join(dir, 'grains'), { force: true });
    const { reg, g } = setup(GRAINS);
    assert.deepEqual((await reg.call('grains.append', ['roles', 'db'])).return, { roles: ['web', 'db'] });
    assert.equal((await reg.call('grains.append', ['roles', 'db'])).return, 'The val db was already in the list roles');
    assert.equal((await reg.call('grains.append', ['os', 'x'])).return, 'The key os is not a valid list');
    await reg.call('grains.setval', ['tmp', 'x']);
    const dv = (await reg.call('grains.delval', ['tmp'])).return as Record<string, unknown>;
    assert.deepEqual(dv, { comment: '', changes: { tmp: null }, result: true });
    assert.equal(g['tmp'], null);
    await reg.call('grains.delkey', ['tmp']);
    assert.equal('tmp' in g, false);
    assert.doesNotMatch(fs.readFileSync(path.join(dir, 'grains'), 'utf8'), /tmp/);
    const set = (await reg.call('grains.set', ['apps:web:port', 8080])).return as Record<string, unknown>;
    assert.deepEqual(set['changes'], { apps: { web: { port: 8080 } } });
  });

  it('filter_by: Salt semantics over the grains', T, async () => {
    const { reg } = setup(GRAINS);
    const lookup = { Debian: { pkg: 'apache2' }, RedHat: { pkg: 'httpd' }, default: { pkg: 'apache' } };
    assert.deepEqual((await reg.call('grains.filter_by', [lookup])).return, { pkg: 'apache2' });
    assert.deepEqual((await reg.call('grains.filter_by', [{ Ubuntu: 1, default: 2 }, 'os'])).return, 2);
    assert.deepEqual((await reg.call('grains.filter_by', [lookup], { merge: { user: 'www' } })).return, {
      pkg: 'apache2',
      user: 'www',
    });
    assert.deepEqual((await reg.call('grains.filter_by', [{ web: 'w', db: 'd' }, 'roles'])).return, 'w');
    const bad = await reg.call('grains.filter_by', ['nope']);
    assert.equal(bad.retcode, 1);
  });
});

describe('pillar module', () => {
  const PILLAR = { web: { port: 80, sites: { a: 1, b: 2 } }, users: ['alice'] };

  it('get (nested, default, merge), item, raw, keys; items and ls from the master', T, async () => {
    let asked = 0;
    const data: MinionDataService = {
      refreshGrains: async () => true,
      refreshPillar: async () => true,
      fetchPillar: async () => (asked++, { fresh: true }),
    };
    const { reg } = setup({}, PILLAR, data);
    assert.equal((await reg.call('pillar.get', ['web:port'])).return, 80);
    assert.equal((await reg.call('pillar.get', ['web:nope'], { default: 'd' })).return, 'd');
    assert.deepEqual((await reg.call('pillar.get', ['web'], { default: { user: 'x', port: 1 }, merge: true })).return, {
      user: 'x',
      port: 80,
      sites: { a: 1, b: 2 },
    });
    assert.deepEqual((await reg.call('pillar.get', ['users'], { default: ['bob'], merge: true })).return, [
      'bob',
      'alice',
    ]);
    assert.deepEqual((await reg.call('pillar.item', ['web:port', 'users'])).return, {
      'web:port': 80,
      users: ['alice'],
    });
    assert.deepEqual((await reg.call('pillar.raw')).return, PILLAR);
    assert.deepEqual((await reg.call('pillar.raw', [], { key: 'users' })).return, ['alice']);
    assert.deepEqual((await reg.call('pillar.keys', ['web:sites'])).return, ['a', 'b']);
    const bad = await reg.call('pillar.keys', ['users']);
    assert.deepEqual(bad, { return: 'Pillar value in key users is not a dict', retcode: 1 });
    assert.deepEqual((await reg.call('pillar.items')).return, { fresh: true });
    assert.deepEqual((await reg.call('pillar.ls')).return, ['fresh']);
    assert.equal(asked, 2);
  });

  it('masterless: items is the pillar in memory; refresh_pillar says false', T, async () => {
    const { reg } = setup({}, PILLAR);
    assert.deepEqual((await reg.call('pillar.items')).return, PILLAR);
    assert.equal((await reg.call('saltutil.refresh_pillar')).return, false);
    assert.equal((await reg.call('saltutil.refresh_grains')).return, true);
  });
});
