import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig, type MinionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { statePlugins } from './index.js';
import type { HighstateResult, LowChunk, SaltCall, StateServices } from '../types.js';

/* pkg.installed over a scripted pkg module: the once-per-run refresh, what is passed to pkg.install. */

const cachedir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-pkgstate-'));
after(() => fs.rmSync(cachedir, { recursive: true, force: true }));
const rtag = path.join(cachedir, 'pkg_refresh');

function fakePkg(): { installs: Record<string, unknown>[]; salt: SaltCall; have: Record<string, string[]> } {
  const have: Record<string, string[]> = { present: ['1.0'] };
  const installs: Record<string, unknown>[] = [];
  const salt: SaltCall = (fun, args = [], kw = {}) => {
    switch (fun) {
      case 'pkg.list_pkgs':
        return Promise.resolve(kw['purge_desired'] || kw['removed'] ? {} : structuredClone(have));
      case 'pkg.version_cmp': {
        const [a, b] = args.map(Number) as [number, number];
        return Promise.resolve(Math.sign(a - b));
      }
      case 'pkg.install': {
        installs.push(kw);
        const ret: Record<string, unknown> = {};
        for (const item of kw['pkgs'] as Record<string, string | null>[]) {
          const [n, v] = Object.entries(item)[0] as [string, string | null];
          ret[n] = { old: have[n]?.[0] ?? '', new: v ?? '9.0' };
          have[n] = [v ?? '9.0'];
        }
        return Promise.resolve(ret);
      }
      default:
        return Promise.reject(new Error(`unexpected ${fun}`));
    }
  };
  return { installs, salt, have };
}

async function installed(
  salt: SaltCall,
  kwargs: Record<string, unknown>,
  running: HighstateResult = {},
  test = false,
): Promise<Record<string, unknown>> {
  const reg = new Registry<MinionConfig, StateServices>(
    { kind: 'state', opts: minionConfig({ cachedir }), log: silentLogger(), services: { salt } },
    statePlugins(),
  );
  const chunk: LowChunk = {
    state: 'pkg',
    __id__: 'p',
    name: 'p',
    fun: 'installed',
    __sls__: 't',
    __env__: 'base',
    order: 1,
  };
  const run = { test, saltenv: 'base', chunk, running };
  return (await reg.call('pkg.installed', [], kwargs, { services: { run } })).return as Record<string, unknown>;
}

const EARLIER: HighstateResult = {
  'pkg_|-a_|-a_|-installed': {
    name: 'a',
    __id__: 'a',
    __sls__: 't',
    __run_num__: 0,
    start_time: '',
    duration: 0,
    result: true,
    comment: '',
    changes: {},
  },
};

describe('pkg.installed over a scripted pkg module', () => {
  it('the first pkg state of a run refreshes, once; refresh: False does not', async () => {
    const { installs, salt } = fakePkg();
    const r = await installed(salt, { name: 'newpkg' });
    assert.deepEqual(r, {
      name: 'newpkg',
      changes: { newpkg: { old: '', new: '9.0' } },
      result: true,
      comment: 'The following packages were installed/updated: newpkg',
    });
    assert.equal(installs[0]?.['refresh'], true);
    assert.equal(fs.existsSync(rtag), false, 'the refresh took the flag away');
    await installed(salt, { name: 'other' }, EARLIER);
    assert.equal(installs[1]?.['refresh'], false);
    await installed(salt, { name: 'third', refresh: false });
    assert.equal(installs[2]?.['refresh'], false);
    // Nothing to install: the flag stays for the next state that installs.
    await installed(salt, { name: 'present' });
    assert.equal(fs.existsSync(rtag), true);
    await installed(salt, { name: 'fourth' }, EARLIER);
    assert.equal(installs[3]?.['refresh'], true);
    assert.equal(fs.existsSync(rtag), false);
  });
  it('versions: a wanted version is passed on, a met condition installs nothing', async () => {
    const { installs, salt } = fakePkg();
    assert.equal(
      (await installed(salt, { name: 'present', version: '>=0.5', refresh: false }))['comment'],
      'All specified packages are already installed and are at the desired version',
    );
    const r = await installed(salt, { name: 'present', version: '2.0', refresh: false });
    assert.equal(r['comment'], 'The following packages were installed/updated: present=2.0');
    assert.deepEqual(installs[0]?.['pkgs'], [{ present: '2.0' }]);
    const t = await installed(salt, { name: 'x', pkgs: ['present', { newer: '3' }], refresh: false }, {}, true);
    assert.deepEqual(t, {
      name: 'x',
      changes: { newer: { new: 'installed', old: '' } },
      result: null,
      comment: 'The following packages would be installed/updated: newer',
    });
    assert.equal(installs.length, 1, 'test mode installs nothing');
    assert.equal(
      (await installed(salt, { name: 'x', pkgs: [{ a: 1, b: 2 }] }))['comment'],
      "Invalidly formatted 'pkgs' parameter. See minion log.",
    );
    assert.equal(
      (await installed(salt, { name: 'x', pkgs: ['a'], sources: [{ a: '/a.deb' }] }))['comment'],
      'Only one of "pkgs" and "sources" is permitted.',
    );
  });
});
