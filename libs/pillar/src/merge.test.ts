import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePillar, mergePillarInto } from './merge.js';

describe("mergePillar: Salt's pillar_source_merging_strategy", () => {
  const a = { users: { alice: { uid: 1000, groups: ['wheel'] } }, pkgs: ['vim'], motd: 'a' };
  const b = {
    users: { alice: { shell: 'zsh', groups: ['adm'] }, bob: { uid: 1001 } },
    pkgs: ['git', 'vim'],
    motd: 'b',
  };

  test('smart (the default) merges maps recursively; the later value wins; lists are replaced', () => {
    assert.deepEqual(mergePillar(a, b), {
      users: { alice: { uid: 1000, shell: 'zsh', groups: ['adm'] }, bob: { uid: 1001 } },
      pkgs: ['git', 'vim'],
      motd: 'b',
    });
  });

  test('pillar_merge_lists: the later list adds its new items after the earlier ones', () => {
    const out = mergePillar(a, b, { mergeLists: true });
    assert.deepEqual(out['pkgs'], ['vim', 'git']);
    assert.deepEqual((out['users'] as { alice: { groups: string[] } }).alice.groups, ['wheel', 'adm']);
    const deep = mergePillar({ l: [{ x: 1 }] }, { l: [{ x: 1 }, { x: 2 }] }, { mergeLists: true });
    assert.deepEqual(deep, { l: [{ x: 1 }, { x: 2 }] }, 'items compare by value, as Python does');
  });

  test('a map over a scalar (and the reverse) replaces it', () => {
    assert.deepEqual(mergePillar({ k: 'x' }, { k: { y: 1 } }), { k: { y: 1 } });
    assert.deepEqual(mergePillar({ k: { y: 1 } }, { k: null }), { k: null });
  });

  test('neither input changes, and the result shares nothing with them', () => {
    const before = JSON.stringify([a, b]);
    const out = mergePillar(a, b) as { users: { bob: { uid: number } } };
    out.users.bob.uid = 0;
    assert.equal(JSON.stringify([a, b]), before);
  });

  test('overwrite: top-level keys of the later one replace the earlier ones wholesale', () => {
    assert.deepEqual(mergePillar(a, b, { strategy: 'overwrite' }), { ...b });
    assert.deepEqual(mergePillar({ x: 1, y: { a: 1 } }, { y: { b: 2 } }, { strategy: 'overwrite' }), {
      x: 1,
      y: { b: 2 },
    });
  });

  test("list: Salt's shape, keys in both become [a, b], keys only in the later one are dropped", () => {
    assert.deepEqual(mergePillar({ x: 1, y: 2 }, { y: 3, z: 4 }, { strategy: 'list' }), { x: 1, y: [2, 3] });
  });

  test('aggregate without yamlex marks: the top level is a union, deeper maps take the later keys', () => {
    const out = mergePillar(
      { x: 1, m: { a: 1, n: { p: 1 } } },
      { y: 2, m: { b: 2, n: { q: 2 } } },
      { strategy: 'aggregate' },
    );
    assert.deepEqual(out, { x: 1, y: 2, m: { b: 2, n: { q: 2 } } });
  });

  test('none and recurse merge like smart (none ignores pillar_merge_lists)', () => {
    assert.deepEqual(mergePillar(a, b, { strategy: 'recurse' }), mergePillar(a, b));
    assert.deepEqual(mergePillar({ l: [1] }, { l: [2] }, { strategy: 'none', mergeLists: true }), { l: [2] });
  });

  test('mergePillarInto updates the accumulator in place, copying what it takes', () => {
    const acc = { users: { alice: { uid: 1000 } } };
    const later = { users: { alice: { shell: 'zsh' } }, pkgs: ['git'] };
    assert.equal(mergePillarInto(acc, later), acc);
    assert.deepEqual(acc, { users: { alice: { uid: 1000, shell: 'zsh' } }, pkgs: ['git'] });
    (acc as { pkgs: string[] }).pkgs.push('vim');
    assert.deepEqual(later.pkgs, ['git']);
    assert.deepEqual(mergePillarInto({ x: 1, y: 2 }, { y: 3 }, { strategy: 'list' }), { x: 1, y: [2, 3] });
  });

  test('a __proto__ key is data: it neither changes a prototype nor is lost', () => {
    const evil = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const out = mergePillar({ b: 2 }, evil);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal((out as { polluted?: unknown }).polluted, undefined);
    assert.deepEqual(Object.keys(out).sort(), ['__proto__', 'a', 'b']);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  });
});
