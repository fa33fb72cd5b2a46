import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMinions, matchMinion, TargetError, validateTarget, type MinionData } from './index.js';

const web1: MinionData = {
  id: 'web-1',
  grains: { os: 'Debian', roles: ['web'], ipv4: ['10.0.0.5', '127.0.0.1'], ipv6: ['::1', 'fe80::1'] },
  pillar: { env: 'prod', app: { tier: 'front' } },
};
const db1: MinionData = {
  id: 'db-1',
  grains: { os: 'CentOS', roles: ['db'], ipv4: ['10.0.1.7'] },
  pillar: { env: 'dev' },
};

const m = (tgt: string | string[], type: string, minion: MinionData = web1, opts = {}) =>
  matchMinion(tgt, type, minion, opts);

function assertBad(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof TargetError && err.code === 'BAD_TARGET' && re.test(err.message));
}

test('glob, pcre (start-anchored), list', () => {
  assert.equal(m('web-*', 'glob'), true);
  assert.equal(m('db-*', 'glob'), false);
  assert.equal(m('web', 'pcre'), true); // re.match: anchored at the start only
  assert.equal(m('eb-1', 'pcre'), false);
  assert.equal(m('web-\\d$', 'pcre'), true);
  assert.equal(m('a|web', 'pcre'), true);
  assert.equal(m('(?P<kind>web)-1', 'pcre'), true);
  assert.equal(m('(?i)WEB', 'pcre'), true);
  assert.equal(m('db-1, web-1', 'list'), true);
  assert.equal(m(['db-1', 'web-1'], 'list'), true);
  assert.equal(m('web-10,web', 'list'), false);
});

test('grain, grain_pcre, pillar, pillar_pcre, pillar_exact', () => {
  assert.equal(m('os:Debian', 'grain'), true);
  assert.equal(m('os:deb*', 'grain'), true);
  assert.equal(m('roles:web', 'grain'), true);
  assert.equal(m('os:Cent', 'grain'), false);
  assert.equal(m('os:deb', 'grain_pcre'), true);
  assert.equal(m('os:(centos|debian)', 'grain_pcre'), true);
  assert.equal(m('env:prod', 'pillar'), true);
  assert.equal(m('app:tier:fr*', 'pillar'), true);
  assert.equal(m('env:pr.d', 'pillar_pcre'), true);
  assert.equal(m('env:prod', 'pillar_exact'), true);
  assert.equal(m('env:pro*', 'pillar_exact'), false);
  assert.equal(m('app|tier|front', 'pillar', web1, { delimiter: '|' }), true);
  assert.equal(m('os:Debian', 'grain', { id: 'x' }), false); // no grains at all
});

test('ipcidr against ipv4/ipv6 grains', () => {
  assert.equal(m('10.0.0.5', 'ipcidr'), true);
  assert.equal(m('10.0.0.0/24', 'ipcidr'), true);
  assert.equal(m('10.0.1.0/24', 'ipcidr'), false);
  assert.equal(m('10.0.0.0/8', 'ipcidr', db1), true);
  assert.equal(m('fe80::/10', 'ipcidr'), true);
  assert.equal(m('fe80::/10', 'ipcidr', db1), false);
});

test('compound: engines, operators, precedence, parentheses', () => {
  assert.equal(m('web-* and G@os:Debian', 'compound'), true);
  assert.equal(m('web-* and not G@os:Debian', 'compound'), false);
  assert.equal(m('web-* not G@os:Debian', 'compound'), false); // implicit 'and' before 'not'
  assert.equal(m('not db-*', 'compound'), true);
  assert.equal(m('db-* or G@os:Debian and I@env:prod', 'compound'), true); // and binds tighter
  assert.equal(m('( db-* or G@os:Debian ) and I@env:dev', 'compound'), false);
  assert.equal(m('E@web-\\d and L@a,web-1 and S@10.0.0.0/24', 'compound'), true);
  assert.equal(m('P@os:deb and J@env:^prod$', 'compound'), true);
  assert.equal(m('G|@app|x or I|@app|tier|front', 'compound'), true); // per-term delimiter
  assert.equal(m(['web-*', 'and', 'not', '(', 'L@db-1', ')'], 'compound'), true);
  assert.equal(m('not not web-1', 'compound'), true);
  assert.equal(m('webserv* and G@os:Debian or E@web-dc1-srv.* and not L@a,b', 'compound'), false);
});

test('nodegroups expand into compounds', () => {
  const nodegroups = {
    webs: 'web-* or G@roles:web',
    prod: 'I@env:prod',
    both: 'N@webs and N@prod',
    names: ['db-1', 'web-1'],
    self: 'N@self',
  };
  const opts = { nodegroups };
  assert.equal(m('webs', 'nodegroup', web1, opts), true);
  assert.equal(m('both', 'nodegroup', web1, opts), true);
  assert.equal(m('both', 'nodegroup', db1, opts), false);
  assert.equal(m('names', 'nodegroup', db1, opts), true);
  // N@ inside a compound binds as one parenthesised term
  assert.equal(m('N@webs and I@env:dev', 'compound', web1, opts), false);
  assertBad(() => m('nope', 'nodegroup', web1, opts), /Unknown nodegroup 'nope'/);
  assertBad(() => m('self', 'nodegroup', web1, opts), /includes itself/);
});

test('bad targets throw TargetError with a one-line reason', () => {
  assertBad(() => validateTarget('web-(', 'pcre'), /^Invalid pcre target 'web-\(': Unterminated group$/);
  assertBad(() => validateTarget('x', 'foo'), /^Unknown target type 'foo'$/);
  assertBad(() => validateTarget('and web', 'compound'), /may not begin with binary operator 'and'/);
  assertBad(() => validateTarget('( and web )', 'compound'), /may not begin with binary operator 'and'/);
  assertBad(() => validateTarget('( web', 'compound'), /unbalanced parentheses/);
  assertBad(() => validateTarget('web )', 'compound'), /unbalanced parentheses/);
  assertBad(() => validateTarget('web and', 'compound'), /unexpected end after 'and'/);
  assertBad(() => validateTarget('web db', 'compound'), /missing operator before 'db'/);
  assertBad(() => validateTarget('X@foo', 'compound'), /unknown target engine 'X'/);
  assertBad(() => validateTarget('R@%foo', 'compound'), /unsupported target engine 'R'/);
  assertBad(() => validateTarget('', 'compound'), /empty expression/);
  assertBad(() => validateTarget('E@a( or web', 'compound'), /Invalid pcre target 'a\('/);
  assertBad(() => validateTarget('os', 'grain'), /expected <key>:<value>/);
  assertBad(() => validateTarget('os:(', 'grain_pcre'), /Invalid grain_pcre target/);
  assertBad(() => validateTarget('10.0.0.300', 'ipcidr'), /Invalid ipcidr target/);
  assertBad(() => validateTarget('10.0.0.0/33', 'ipcidr'), /invalid prefix length/);
  assertBad(() => validateTarget(['a'], 'glob'), /expected a string/);
  assertBad(() => matchMinion('web-(', 'pcre', web1), /Unterminated group/);
  // fine targets, and nodegroups unchecked without a config
  validateTarget('web* and not ( G@os:Debian or L@a,b )', 'compound');
  validateTarget('N@anything and web*', 'compound');
  validateTarget('anything', 'nodegroup');
  assertBad(() => validateTarget('anything', 'nodegroup', { nodegroups: {} }), /Unknown nodegroup/);
});

test('checkMinions: greedy master-side expected minions', () => {
  const accepted = ['db-1', 'web-1', 'web-2'];
  const cache: Record<string, MinionData> = { 'web-1': web1, 'db-1': db1 }; // web-2 has no cached data
  const data = (id: string) => cache[id];
  assert.deepEqual(checkMinions('web-*', 'glob', accepted), { minions: ['web-1', 'web-2'], missing: [] });
  assert.deepEqual(checkMinions('web-[12]', 'pcre', accepted), { minions: ['web-1', 'web-2'], missing: [] });
  assert.deepEqual(checkMinions('web-2,ghost,db-1', 'list', accepted), {
    minions: ['web-2', 'db-1'],
    missing: ['ghost'],
  });
  // greedy keeps web-2 (no cache); non-greedy drops it
  assert.deepEqual(checkMinions('os:Debian', 'grain', accepted, { data }).minions, ['web-1', 'web-2']);
  assert.deepEqual(checkMinions('os:Debian', 'grain', accepted, { data, greedy: false }).minions, ['web-1']);
  assert.deepEqual(checkMinions('os:Debian', 'grain', accepted).minions, accepted); // no cache at all
  assert.deepEqual(checkMinions('10.0.1.0/24', 'ipcidr', accepted, { data }).minions, ['db-1', 'web-2']);
  assert.deepEqual(checkMinions('env:dev', 'pillar_exact', accepted, { data, greedy: false }).minions, ['db-1']);
  assert.deepEqual(checkMinions('G@os:Debian and not web-2', 'compound', accepted, { data }).minions, ['web-1']);
  assert.deepEqual(checkMinions('L@web-1,ghost or db-*', 'compound', accepted), {
    minions: ['db-1', 'web-1'],
    missing: ['ghost'],
  });
  // a negated list does not report its unknown ids
  assert.deepEqual(checkMinions('* and not L@ghost', 'compound', accepted).missing, []);
  assert.deepEqual(checkMinions('webs', 'nodegroup', accepted, { nodegroups: { webs: 'web-*' } }).minions, [
    'web-1',
    'web-2',
  ]);
  assert.throws(() => checkMinions('web-(', 'pcre', accepted), TargetError);
});

test('compound_pillar_exact: I@ matches exactly (the mine), other engines as in compound', () => {
  const m: MinionData = { id: 'web1', grains: { os: 'Debian' }, pillar: { role: 'web*' } };
  const n: MinionData = { id: 'web2', grains: { os: 'Debian' }, pillar: { role: 'webserver' } };
  assert.equal(matchMinion('I@role:web*', 'compound', n), true);
  assert.equal(matchMinion('I@role:web*', 'compound_pillar_exact', n), false);
  assert.equal(matchMinion('I@role:web* and G@os:Debian', 'compound_pillar_exact', m), true);
  assert.deepEqual(
    checkMinions('I@role:webserver or web1', 'compound_pillar_exact', ['web1', 'web2'], {
      data: (id) => (id === 'web1' ? m : n),
    }).minions,
    ['web1', 'web2'],
  );
});
