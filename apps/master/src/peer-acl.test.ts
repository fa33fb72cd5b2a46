import { test } from 'node:test';
import assert from 'node:assert/strict';
import { permsFor, publishAllowed, pyMatch, runnerAllowed } from './peer-acl.js';

const ALL = ['zwidc_kvm_192.168.1.104', 'shidc01', 'shidc02', 'web1'];
const check = {
  minions: (tgt: string | string[], type: string): string[] => {
    if (Array.isArray(tgt)) return ALL.filter((m) => tgt.includes(m));
    if (tgt === '*') return ALL;
    if (type === 'compound' && tgt === 'shidc*') return ALL.filter((m) => m.startsWith('shidc'));
    if (type === 'pillar' && tgt === 'role:web*') return ['web1'];
    if (type === 'pillar_exact') return [];
    return ALL.filter((m) => m === tgt);
  },
};

/** The seed block. */
const PEER = {
  'zwidc_kvm_192.168.1.104': ['test.ping', 'cmd.run'],
  'shidc.*': ['network.*'],
};

test("pyMatch is Python's re.match: anchored at the start only", () => {
  assert.equal(pyMatch('test.', 'test.ping'), true);
  assert.equal(pyMatch('test.ping', 'test.ping_more'), true);
  assert.equal(pyMatch('ping', 'test.ping'), false);
  assert.equal(pyMatch('test\\.ping$', 'test.ping_more'), false);
  assert.equal(pyMatch('(?P<mod>cmd)\\.(?P=mod)', 'cmd.cmd'), true);
  // Python accepts escapes of any punctuation (`\_`, `\-`), which JavaScript's unicode mode refuses.
  assert.equal(pyMatch('zwidc\\_kvm\\-1', 'zwidc_kvm-1'), true);
  let bad = '';
  assert.equal(
    pyMatch('cmd.(', 'cmd.run', (p) => (bad = p)),
    false,
  );
  assert.equal(bad, 'cmd.(');
});

test('permsFor gathers the lists of every key matching the minion id', () => {
  assert.deepEqual(permsFor(PEER, 'zwidc_kvm_192.168.1.104'), ['test.ping', 'cmd.run']);
  assert.deepEqual(permsFor(PEER, 'shidc01'), ['network.*']);
  assert.deepEqual(permsFor(PEER, 'web1'), []);
  // The key is a regex: its dots match any character, and a longer id still matches its start.
  assert.deepEqual(permsFor(PEER, 'zwidc_kvm_192x168x1x104'), ['test.ping', 'cmd.run']);
  assert.deepEqual(permsFor({ '.*': ['a'], web: ['b'], x: 'not a list' }, 'web1'), ['a', 'b']);
});

test('publishAllowed: a function matching a regex entry is allowed, any other refused', () => {
  const perms = permsFor(PEER, 'zwidc_kvm_192.168.1.104');
  assert.equal(publishAllowed(perms, 'cmd.run', ['hostname'], '*', 'glob', check), true);
  assert.equal(publishAllowed(perms, 'test.ping', [], '*', 'glob', check), true);
  assert.equal(publishAllowed(perms, 'test.echo', ['x'], '*', 'glob', check), false);
  assert.equal(publishAllowed(perms, 'network.interfaces', [], '*', 'glob', check), false);
  const shidc = permsFor(PEER, 'shidc02');
  assert.equal(publishAllowed(shidc, 'network.ip_addrs', [], '*', 'glob', check), true);
  assert.equal(publishAllowed(shidc, 'cmd.run', ['id'], '*', 'glob', check), false);
  assert.equal(publishAllowed([], 'test.ping', [], '*', 'glob', check), false);
});

test('publishAllowed: a compound call needs each of its functions allowed', () => {
  const perms = ['test.ping', 'cmd.run'];
  assert.equal(publishAllowed(perms, ['test.ping', 'cmd.run'], [[], ['id']], '*', 'glob', check), true);
  assert.equal(publishAllowed(perms, ['test.ping', 'file.remove'], [[], ['/etc']], '*', 'glob', check), false);
});

test('publishAllowed: {target: [functions]} entries hold only when every targeted minion is in the target', () => {
  const perms = [{ 'shidc*': ['test.*'] }];
  assert.equal(publishAllowed(perms, 'test.ping', [], 'shidc01', 'glob', check), true);
  assert.equal(publishAllowed(perms, 'test.ping', [], '*', 'glob', check), false);
  assert.equal(publishAllowed(perms, 'cmd.run', [], 'shidc01', 'glob', check), false);
});

test('publishAllowed: argument conditions, positional and keyword (null allows any)', () => {
  const perms = [
    { '*': [{ 'cmd.run': { args: ['^ls( |$)'] } }, { 'test.arg': { args: [null, 'b'], kwargs: { k: 'v.*' } } }] },
  ];
  const any = ALL;
  assert.equal(publishAllowed(perms, 'cmd.run', ['ls -la'], any, 'list', check), true);
  assert.equal(publishAllowed(perms, 'cmd.run', ['rm -rf /'], any, 'list', check), false);
  assert.equal(publishAllowed(perms, 'cmd.run', [], any, 'list', check), false);
  const kw = { __kwarg__: true, k: 'value' };
  assert.equal(publishAllowed(perms, 'test.arg', ['anything', 'b', kw], any, 'list', check), true);
  assert.equal(publishAllowed(perms, 'test.arg', ['anything', 'b'], any, 'list', check), false);
  assert.equal(
    publishAllowed(perms, 'test.arg', ['anything', 'b', { __kwarg__: true, k: 'x' }], any, 'list', check),
    false,
  );
});

test('publishAllowed: a pillar glob reaching more minions than exact values is refused', () => {
  assert.equal(publishAllowed(['.*'], 'test.ping', [], 'role:web*', 'pillar', check), false);
  assert.equal(publishAllowed(['.*'], 'test.ping', [], 'web1', 'glob', check), true);
});

test('runnerAllowed: peer_run regexes, plain strings only', () => {
  const perms = permsFor({ m1: ['jobs.list_jobs', 'manage\\..*'], '.*': [{ x: ['y'] }] }, 'm1');
  assert.equal(runnerAllowed(perms, 'jobs.list_jobs'), true);
  assert.equal(runnerAllowed(perms, 'manage.up'), true);
  assert.equal(runnerAllowed(perms, 'jobs.lookup_jid'), false);
  assert.equal(runnerAllowed(permsFor({ m1: ['.*'] }, 'm2'), 'jobs.list_jobs'), false);
});
