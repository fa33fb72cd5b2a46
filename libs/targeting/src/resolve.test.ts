import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMinions, matchMinion, resolveNodegroups, TargetError } from './index.js';

const nodegroups = {
  webs: 'G@role:web',
  names: ['db-1', 'web-1'],
  both: 'N@webs or L@db-1',
  wide: 'web* or db*',
};

test('a nodegroup target becomes the compound it stands for', () => {
  assert.deepEqual(resolveNodegroups('webs', 'nodegroup', nodegroups), { tgt: 'G@role:web', tgtType: 'compound' });
  assert.deepEqual(resolveNodegroups('names', 'nodegroup', nodegroups), {
    tgt: 'L@db-1,web-1',
    tgtType: 'compound',
  });
  const both = resolveNodegroups('both', 'nodegroup', nodegroups);
  assert.equal(both.tgt, '( ( G@role:web ) or L@db-1 )');
});

test('N@ inside a compound is expanded and binds as one term', () => {
  const r = resolveNodegroups('N@wide and G@os:Debian', 'compound', nodegroups);
  assert.equal(r.tgt, '( web* or db* ) and G@os:Debian');
  const web = { id: 'web-1', grains: { os: 'CentOS' } };
  const db = { id: 'db-1', grains: { os: 'Debian' } };
  // A minion without the master's nodegroups matches the expanded form.
  assert.equal(matchMinion(r.tgt as string, r.tgtType, web), false);
  assert.equal(matchMinion(r.tgt as string, r.tgtType, db), true);
  assert.deepEqual(resolveNodegroups('web* and G@a:b', 'compound', nodegroups), {
    tgt: 'web* and G@a:b',
    tgtType: 'compound',
  });
  assert.deepEqual(resolveNodegroups('web*', 'glob', nodegroups), { tgt: 'web*', tgtType: 'glob' });
});

test('an unknown group gets Salt’s wording', () => {
  assert.throws(
    () => resolveNodegroups('nope', 'nodegroup', nodegroups, '/etc/salt/master'),
    (e: unknown) => e instanceof TargetError && e.message === 'Node group nope unavailable in /etc/salt/master',
  );
  assert.throws(() => resolveNodegroups('N@nope or web*', 'compound', nodegroups), /Node group nope unavailable/);
});

test('checkMinions with the cache: greedy for minions with no data, exact for the rest', () => {
  const data: Record<string, { id: string; grains?: Record<string, unknown> }> = {
    a: { id: 'a', grains: { role: 'web' } },
    b: { id: 'b', grains: { role: 'db' } },
  };
  const lookup = (id: string): { id: string; grains?: Record<string, unknown> } | undefined => data[id];
  const r = checkMinions('role:web', 'grain', ['a', 'b', 'c'], { data: lookup });
  assert.deepEqual(r.minions.sort(), ['a', 'c']);
  const strict = checkMinions('role:web', 'grain', ['a', 'b', 'c'], { data: lookup, greedy: false });
  assert.deepEqual(strict.minions, ['a']);
  const delim = checkMinions('role|web', 'grain', ['a', 'b'], { data: lookup, delimiter: '|' });
  assert.deepEqual(delim.minions, ['a']);
});
