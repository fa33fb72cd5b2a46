import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@tsalt/core';
import { masterConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import {
  eventJson,
  exprMatch,
  runnerPlugins,
  subscribePrefix,
  type RunnerEvent,
  type RunnerEventService,
} from './index.js';

function fakeBus(events: RunnerEvent[]): { svc: RunnerEventService; prefixes: string[][]; closed: () => boolean } {
  const prefixes: string[][] = [];
  let closed = false;
  const svc: RunnerEventService = {
    listen: async (p) => {
      prefixes.push(p);
      const queue = [...events];
      return {
        next: async () => queue.shift(),
        close: () => void (closed = true),
      };
    },
  };
  return { svc, prefixes, closed: () => closed };
}

const EVENTS: RunnerEvent[] = [
  { tag: 'salt/auth', data: { id: 'm1', act: 'accept' } },
  { tag: 'salt/job/1/new', data: { jid: '1', fun: 'test.ping', minions: ['m1'], _stamp: 'S' } },
  { tag: 'salt/job/1/ret/m1', data: { return: true, id: 'm1', _stamp: 'S' } },
];

describe('state.event runner', () => {
  test('prints tag TAB json for matching events until count, one-line json as Python', async () => {
    const bus = fakeBus(EVENTS);
    const lines: string[] = [];
    const reg = new Registry(
      {
        kind: 'runner',
        opts: masterConfig(),
        log: silentLogger(),
        services: { events: bus.svc, print: (l: string) => void lines.push(l) },
      },
      runnerPlugins(),
    );
    const r = await reg.call('state.event', [], { tagmatch: 'salt/job/*', count: 2 });
    assert.equal(r.return, null);
    assert.deepEqual(bus.prefixes, [['salt/job/']]);
    assert.deepEqual(lines, [
      'salt/job/1/new\t{"jid": "1", "fun": "test.ping", "minions": ["m1"], "_stamp": "S"}',
      'salt/job/1/ret/m1\t{"return": true, "id": "m1", "_stamp": "S"}',
    ]);
    assert.equal(bus.closed(), true);
  });

  test('pretty=True: indent 4, keys sorted; quiet prints nothing', async () => {
    const lines: string[] = [];
    const reg = new Registry(
      {
        kind: 'runner',
        opts: masterConfig(),
        log: silentLogger(),
        services: { events: fakeBus(EVENTS).svc, print: (l: string) => void lines.push(l) },
      },
      runnerPlugins(),
    );
    await reg.call('state.event', [], { pretty: true, count: 1 });
    assert.equal(lines[0], 'salt/auth\t{\n    "act": "accept",\n    "id": "m1"\n}');
    lines.length = 0;
    await reg.call('state.event', [], { quiet: true, count: 3 });
    assert.deepEqual(lines, []);
  });

  test('expr_match and the subscription prefix', () => {
    assert.equal(exprMatch('salt/job/1/ret/m1', 'salt/job/*/ret/*'), true);
    assert.equal(exprMatch('salt/run/1/new', 'salt/(job|run)/.*'), true);
    assert.equal(exprMatch('salt/auth', 'salt/key'), false);
    assert.equal(subscribePrefix('salt/(job|run)/.*'), 'salt/');
    assert.equal(subscribePrefix('*'), '');
    assert.equal(eventJson({ b: [1, 2.5], a: 'é' }, false), '{"b": [1, 2.5], "a": "\\u00e9"}');
  });
});
