import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig, type MinionConfig } from '@tsalt/config';
import { CommandExecutionError, Registry } from '@tsalt/loader';
import { statePlugins } from './index.js';
import type { LowChunk, SaltCall, StateServices } from '../types.js';
import { comparisonSpec, desiredLabel, repackPkgs, versionConditions } from '../sys/pkg-versions.js';

/*
 * The service state's decisions over a scripted service module (any host,
 * any uid): which calls it makes, in test mode none that change anything.
 */

interface FakeService {
  available: boolean;
  running: boolean;
  enabled: boolean;
  startWorks: boolean;
  enableThrows?: string;
  calls: string[];
}

function fake(init: Partial<FakeService> = {}): { svc: FakeService; salt: SaltCall } {
  const svc: FakeService = { available: true, running: false, enabled: false, startWorks: true, calls: [], ...init };
  const salt: SaltCall = (fun) => {
    svc.calls.push(fun);
    const r = ((): unknown => {
      switch (fun) {
        case 'service.available':
          return svc.available;
        case 'service.status':
          return svc.running;
        case 'service.enabled':
          return svc.enabled;
        case 'service.disabled':
          return !svc.enabled;
        case 'service.start':
        case 'service.restart':
          if (svc.startWorks) svc.running = true;
          return svc.startWorks;
        case 'service.stop':
          svc.running = false;
          return true;
        case 'service.reload':
        case 'service.force_reload':
          return svc.running;
        case 'service.enable':
          if (svc.enableThrows) throw new CommandExecutionError(svc.enableThrows);
          svc.enabled = true;
          return true;
        case 'service.disable':
          svc.enabled = false;
          return true;
        default:
          throw new Error(`unexpected ${fun}`);
      }
    })();
    return Promise.resolve(r);
  };
  return { svc, salt };
}

const CHUNK: LowChunk = {
  state: 'service',
  __id__: 's',
  name: 's',
  fun: 'running',
  __sls__: 't',
  __env__: 'base',
  order: 1,
};

async function call(
  salt: SaltCall,
  fun: string,
  kwargs: Record<string, unknown>,
  test = false,
): Promise<Record<string, unknown>> {
  const reg = new Registry<MinionConfig, StateServices>(
    { kind: 'state', opts: minionConfig(), log: silentLogger(), services: { salt } },
    statePlugins(),
  );
  const run = { test, saltenv: 'base', chunk: CHUNK, running: {} };
  return (await reg.call(fun, [], { name: 's', ...kwargs }, { services: { run } })).return as Record<string, unknown>;
}

const CHANGING = ['service.start', 'service.stop', 'service.restart', 'service.enable', 'service.disable'];

describe('service state over a scripted service module', () => {
  it('running with enable: starts, then enables, in one ret', async () => {
    const { svc, salt } = fake();
    assert.deepEqual(await call(salt, 'service.running', { enable: true }), {
      name: 's',
      changes: { s: true },
      result: true,
      comment: 'Service s has been enabled, and is running',
    });
    assert.equal(svc.running && svc.enabled, true);
  });
  it('test mode calls nothing that changes the host', async () => {
    for (const [fun, init, kw] of [
      ['service.running', {}, { enable: true }],
      ['service.dead', { running: true }, {}],
      ['service.enabled', {}, {}],
      ['service.disabled', { enabled: true }, {}],
      ['service.mod_watch', { running: true }, { sfun: 'running' }],
    ] as const) {
      const { svc, salt } = fake(init);
      const r = await call(salt, fun, kw, true);
      assert.equal(r['result'], null, fun);
      assert.deepEqual(
        svc.calls.filter((c) => CHANGING.includes(c)),
        [],
        fun,
      );
    }
    const { salt } = fake({ running: true });
    assert.equal(
      (await call(salt, 'service.running', { enable: true }, true))['comment'],
      'Service s set to be enabled',
    );
  });
  it('a start that fails, with enable: the enable result is False too', async () => {
    const { salt } = fake({ startWorks: false });
    const r = await call(salt, 'service.running', { enable: true });
    assert.equal(r['result'], false);
    assert.equal(r['comment'], 'Service s has been enabled, and is dead');
  });
  it("an enable that raises: Salt's text with the module's error", async () => {
    const { salt } = fake({ running: true, enableThrows: 'no rc links' });
    const r = await call(salt, 'service.enabled', {});
    assert.equal(r['result'], false);
    assert.equal(
      r['comment'],
      'Failed when setting service s to start at boot, but the service was already running. Additional information follows:\n\nno rc links',
    );
  });
  it('mod_watch: a stopped service is stopped and then started', async () => {
    const { svc, salt } = fake();
    assert.deepEqual(await call(salt, 'service.mod_watch', { sfun: 'running' }), {
      name: 's',
      changes: { s: true },
      result: true,
      comment: 'Service started',
    });
    assert.deepEqual(
      svc.calls.filter((c) => CHANGING.includes(c)),
      ['service.stop', 'service.start'],
    );
    const failing = fake({ running: true });
    failing.svc.startWorks = false;
    assert.equal(
      (await call(failing.salt, 'service.mod_watch', { sfun: 'running' }))['comment'],
      'Failed to restart the service',
    );
    const dead = fake({ running: true });
    assert.equal((await call(dead.salt, 'service.mod_watch', { sfun: 'dead' }))['comment'], 'Service stopped');
  });
  it('a missing service in test mode would have been started, enabled or stopped', async () => {
    const { salt } = fake({ available: false });
    assert.equal(
      (await call(salt, 'service.running', {}, true))['comment'],
      'Service s not present; if created in this state run, it would have been started',
    );
    assert.equal(
      (await call(salt, 'service.enabled', {}, true))['comment'],
      'Service s not present; if created in this state run, it would have been enabled',
    );
    assert.deepEqual(await call(salt, 'service.dead', {}), {
      name: 's',
      changes: {},
      result: true,
      comment: 'The named service s is not available',
    });
  });
});

describe('pkg version helpers', () => {
  it('reads conditions and pkgs lists as Salt does', () => {
    assert.deepEqual(comparisonSpec('1.0'), ['==', '1.0']);
    assert.deepEqual(comparisonSpec('=1.0'), ['==', '1.0']);
    assert.deepEqual(comparisonSpec('>= 1.0'), ['>=', '1.0']);
    assert.deepEqual(versionConditions('>=1.0,<2.0, !=1.5'), [
      ['>=', '1.0'],
      ['<', '2.0'],
      ['!=', '1.5'],
    ]);
    assert.deepEqual(repackPkgs(['a', { b: '1.0' }, { c: 2 }]), { a: null, b: '1.0', c: '2' });
    assert.equal(repackPkgs('a'), null);
    assert.equal(repackPkgs([{ a: 1, b: 2 }]), null);
    assert.equal(desiredLabel('a', { a: '1.0' }), 'a=1.0');
    assert.equal(desiredLabel('a', { a: '>=1.0' }), 'a>=1.0');
    assert.equal(desiredLabel('a', { a: null }), 'a');
  });
});
