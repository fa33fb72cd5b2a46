import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { executionModulePlugins, MINION_EVENTS_SERVICE, type MinionEventService } from './index.js';

const T = { timeout: 5000 };

function setup(opts: Record<string, unknown> = {}): { reg: Registry; sent: unknown[][] } {
  const sent: unknown[][] = [];
  const svc: MinionEventService = { fireMaster: async (tag, data, preload) => void sent.push([tag, data, preload]) };
  const reg = new Registry(
    {
      kind: 'module',
      opts,
      grains: { os: 'Linux', id: 'm1' },
      pillar: { role: 'web' },
      log: silentLogger(),
      services: { [MINION_EVENTS_SERVICE]: svc },
    },
    executionModulePlugins(),
  );
  return { reg, sent };
}

describe('event module', () => {
  it('send: data, kwargs (without __pub_*), grains subset; data wins', T, async () => {
    const { reg, sent } = setup();
    const r = await reg.call('event.send', ['myco/app/deployed', { version: 3, who: 'data' }], {
      who: 'kw',
      extra: 1,
      with_grains: ['os'],
      __pub_jid: 'j',
    });
    assert.equal(r.return, true);
    assert.deepEqual(sent, [
      ['myco/app/deployed', { grains: { os: 'Linux' }, who: 'data', extra: 1, version: 3 }, undefined],
    ]);
  });

  it('send with_pillar, with_env_opts, preload', T, async () => {
    const { reg, sent } = setup({ saltenv: 'dev' });
    await reg.call('event.send', ['t'], { with_pillar: true, with_env_opts: true, preload: { foo: 'bar' } });
    assert.deepEqual(sent[0], ['t', { pillar: { role: 'web' }, saltenv: 'dev', pillarenv: null }, { foo: 'bar' }]);
  });

  it('fire_master sends any data; local mode refuses', T, async () => {
    const { reg, sent } = setup();
    assert.equal((await reg.call('event.fire_master', ['just text', 'my/tag'])).return, true);
    assert.deepEqual(sent[0], ['my/tag', 'just text', undefined]);
    const local = setup({ file_client: 'local' });
    assert.equal((await local.reg.call('event.fire_master', [{ a: 1 }, 'my/tag'])).return, false);
    assert.equal(local.sent.length, 0);
  });

  it('fire: no local bus; the fire_master tag is relayed', T, async () => {
    const { reg, sent } = setup();
    assert.equal((await reg.call('event.fire', [{ a: 1 }, 'local/tag'])).return, true);
    assert.equal(sent.length, 0);
    await reg.call('event.fire', [{ data: { x: 1 }, tag: 'relayed/tag', events: null, pretag: null }, 'fire_master']);
    assert.deepEqual(sent[0], ['relayed/tag', { x: 1 }, undefined]);
  });

  it('without a master connection, send reports False', T, async () => {
    const reg = new Registry({ kind: 'module', opts: minionConfig(), log: silentLogger() }, executionModulePlugins());
    assert.equal((await reg.call('event.send', ['t', { a: 1 }])).return, false);
  });
});
