import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { executionModulePlugins, type MasterRequestService } from './index.js';
import { mergedMineFunctions, parseFunctionDefinition } from './mine-functions.js';

const T = { timeout: 5000 };

function setup(
  opts: Record<string, unknown> = {},
  pillar: Record<string, unknown> = {},
  reply: (load: Record<string, unknown>) => unknown = () => true,
): { reg: Registry; sent: Record<string, unknown>[] } {
  const sent: Record<string, unknown>[] = [];
  const masterRequest: MasterRequestService = {
    send: (load) => {
      sent.push(load);
      return Promise.resolve({ ok: true, value: reply(load) });
    },
  };
  const reg = new Registry(
    {
      kind: 'module',
      opts: minionConfig({ id: 'm1', ...opts }),
      grains: { id: 'm1' },
      pillar,
      log: silentLogger(),
      services: { masterRequest },
    },
    executionModulePlugins(),
  );
  return { reg, sent };
}

describe('mine_functions parsing', () => {
  it('the dict form: kwargs, with mine_function and the ACL taken out', () => {
    assert.deepEqual(parseFunctionDefinition({ interface: 'eth0' }), {
      fun: undefined,
      args: [],
      kwargs: { interface: 'eth0' },
      acl: {},
    });
    assert.deepEqual(
      parseFunctionDefinition({ mine_function: 'network.ip_addrs', cidr: '10.0.0.0/8', allow_tgt: 'web*' }),
      { fun: 'network.ip_addrs', args: [], kwargs: { cidr: '10.0.0.0/8' }, acl: { allow_tgt: 'web*' } },
    );
  });

  it('the list form: positional args and kwarg mappings, the alias as `- mine_function:`', () => {
    assert.deepEqual(
      parseFunctionDefinition([
        { mine_function: 'network.ip_addrs' },
        'eth0',
        { cidr: '10.0.0.0/8' },
        { allow_tgt: 'G@role:web', allow_tgt_type: 'compound' },
      ]),
      {
        fun: 'network.ip_addrs',
        args: ['eth0'],
        kwargs: { cidr: '10.0.0.0/8' },
        acl: { allow_tgt: 'G@role:web', allow_tgt_type: 'compound' },
      },
    );
    assert.deepEqual(parseFunctionDefinition([]), { fun: undefined, args: [], kwargs: {}, acl: {} });
    assert.deepEqual(parseFunctionDefinition(null), { fun: undefined, args: [], kwargs: {}, acl: {} });
    // An empty allow_tgt is no ACL (Salt's filter_falsey).
    assert.deepEqual(parseFunctionDefinition({ allow_tgt: '', allow_tgt_type: 'glob' }).acl, {
      allow_tgt_type: 'glob',
    });
  });

  it('config.merge: the minion config wins over the pillar’s master: copy, which wins over the pillar', () => {
    const merged = mergedMineFunctions(
      { mine_functions: { 'network.ip_addrs': { interface: 'eth0' } } },
      {
        master: { mine_functions: { 'disk.usage': [], 'network.ip_addrs': { interface: 'master' } } },
        mine_functions: { 'test.ping': [], 'disk.usage': ['x'], 'network.ip_addrs': ['pillar'] },
      },
    );
    assert.deepEqual(merged, {
      'test.ping': [],
      'disk.usage': [],
      'network.ip_addrs': { interface: 'eth0' },
    });
    assert.deepEqual(mergedMineFunctions({ mine_functions: {} }, { mine_functions: ['test.ping'] }), {
      'test.ping': {},
    });
  });
});

describe('mine module', () => {
  it('update: runs each function (config and pillar), wraps ACL entries, skips failures, sends _mine', T, async () => {
    const { reg, sent } = setup(
      { mine_functions: { 'test.echo': ['hello'], greet: [{ mine_function: 'test.arg' }, 'a', { k: 1 }] } },
      {
        mine_functions: {
          'test.ping': { allow_tgt: 'web*' },
          bad: { mine_function: 'test.exception', message: 'boom' },
          'nosuch.fun': [],
        },
      },
    );
    const r = await reg.call('mine.update', [], {});
    assert.equal(r.return, true);
    assert.equal(r.retcode, 0);
    assert.equal(sent.length, 1);
    const load = sent[0] ?? {};
    assert.equal(load['cmd'], '_mine');
    assert.equal(load['clear'], false);
    assert.equal(load['id'], 'm1');
    const data = load['data'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(data).sort(), ['greet', 'test.echo', 'test.ping']);
    assert.equal(data['test.echo'], 'hello');
    assert.deepEqual(data['test.ping'], { __data__: true, __saltmine_acl__: 1, allow_tgt: 'web*' });
    assert.deepEqual((data['greet'] as Record<string, unknown>)['args'], ['a']);
  });

  it('update: nothing configured answers None and sends nothing; mine_functions= and clear=', T, async () => {
    const { reg, sent } = setup();
    assert.equal((await reg.call('mine.update', [], {})).return, null);
    assert.equal(sent.length, 0);
    await reg.call('mine.update', [], { clear: true, mine_functions: ['test.ping'] });
    assert.deepEqual(sent[0], { cmd: '_mine', data: { 'test.ping': true }, clear: true, id: 'm1' });
  });

  it('send: args and kwargs to the function, mine_function= alias, allow_tgt; __pub_ kwargs dropped', T, async () => {
    const { reg, sent } = setup();
    const r = await reg.call('mine.send', ['echoed', 'x'], { mine_function: 'test.echo', __pub_jid: 'j' });
    assert.equal(r.return, true);
    assert.deepEqual(sent[0], { cmd: '_mine', data: { echoed: 'x' }, clear: false, id: 'm1' });
    await reg.call('mine.send', ['test.ping'], { allow_tgt: 'G@role:web', allow_tgt_type: 'compound' });
    assert.deepEqual((sent[1]?.['data'] as Record<string, unknown>)['test.ping'], {
      __data__: true,
      __saltmine_acl__: 1,
      allow_tgt: 'G@role:web',
      allow_tgt_type: 'compound',
    });
  });

  it('send: a function that fails records nothing and answers False', T, async () => {
    const { reg, sent } = setup();
    assert.equal((await reg.call('mine.send', ['test.exception'], { message: 'boom' })).return, false);
    assert.equal((await reg.call('mine.send', ['nosuch.fun'], {})).return, false);
    assert.equal(sent.length, 0);
  });

  it('get: _mine_get with tgt_type; a refusal shows {}; exclude_minion', T, async () => {
    const { reg, sent } = setup({}, {}, (load) =>
      load['fun'] === 'nosuch.fun' ? false : { m1: ['10.0.0.1'], m2: ['10.0.0.2'] },
    );
    const r = await reg.call('mine.get', ['role:web', 'network.ip_addrs', 'grain'], {});
    assert.deepEqual(sent[0], {
      cmd: '_mine_get',
      tgt: 'role:web',
      fun: 'network.ip_addrs',
      tgt_type: 'grain',
      id: 'm1',
    });
    assert.deepEqual(r.return, { m1: ['10.0.0.1'], m2: ['10.0.0.2'] });
    assert.deepEqual((await reg.call('mine.get', ['*', 'x'], { exclude_minion: true })).return, {
      m2: ['10.0.0.2'],
    });
    assert.deepEqual((await reg.call('mine.get', ['*', 'nosuch.fun'], {})).return, {});
  });

  it('delete, flush; without a master everything answers False or {}', T, async () => {
    const { reg, sent } = setup();
    assert.equal((await reg.call('mine.delete', ['network.ip_addrs'], {})).return, true);
    assert.equal((await reg.call('mine.flush', [], {})).return, true);
    assert.deepEqual(sent, [
      { cmd: '_mine_delete', fun: 'network.ip_addrs', id: 'm1' },
      { cmd: '_mine_flush', id: 'm1' },
    ]);
    const alone = new Registry(
      { kind: 'module', opts: minionConfig({ id: 'm1' }), log: silentLogger() },
      executionModulePlugins(),
    );
    assert.equal((await alone.call('mine.send', ['test.ping'], {})).return, false);
    assert.deepEqual((await alone.call('mine.get', ['*', 'test.ping'], {})).return, {});
  });

  it('valid: the entries whose function exists, an alias as {function: [args, {kwarg: value}]}', T, async () => {
    const { reg } = setup({
      mine_functions: {
        'network.ip_addrs': { interface: 'eth0', allow_tgt: 'x' },
        eth_ips: [{ mine_function: 'network.ip_addrs' }, 'eth0', { cidr: '10.0.0.0/8' }],
        'nosuch.fun': [],
      },
    });
    assert.deepEqual((await reg.call('mine.valid', [], {})).return, {
      'network.ip_addrs': { interface: 'eth0' },
      eth_ips: { 'network.ip_addrs': ['eth0', { cidr: '10.0.0.0/8' }] },
    });
  });

  it(
    'masterless (file_client: local): the mine is the datastore’s mine_cache, get matches this minion',
    T,
    async () => {
      const cachedir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-mine-local-'));
      try {
        const { reg, sent } = setup({ file_client: 'local', cachedir, mine_functions: { 'test.echo': ['hi'] } });
        assert.equal((await reg.call('mine.update', [], {})).return, true);
        assert.equal((await reg.call('mine.send', ['test.ping'], { allow_tgt: 'm1' })).return, true);
        assert.deepEqual((await reg.call('mine.get', ['m1', 'test.echo'], {})).return, { m1: 'hi' });
        assert.deepEqual((await reg.call('mine.get', ['m*', 'test.echo,test.ping'], {})).return, {
          'test.echo': { m1: 'hi' },
          'test.ping': { m1: true },
        });
        assert.deepEqual((await reg.call('mine.get', ['other', 'test.echo'], {})).return, {});
        assert.equal((await reg.call('mine.delete', ['test.echo'], {})).return, true);
        assert.deepEqual((await reg.call('mine.get', ['m1', 'test.echo'], {})).return, {});
        assert.ok(fs.existsSync(path.join(cachedir, 'datastore')));
        assert.equal((await reg.call('mine.flush', [], {})).return, true);
        assert.deepEqual((await reg.call('mine.get', ['m1', 'test.ping'], {})).return, {});
        assert.equal(sent.length, 0, 'nothing went to a master');
      } finally {
        fs.rmSync(cachedir, { recursive: true, force: true });
      }
    },
  );
});
