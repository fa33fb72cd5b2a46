import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { fnmatch } from './fnmatch.js';

// Expected values checked against CPython's fnmatch.fnmatchcase.
const CASES: [string, string, boolean][] = [
  ['web1', 'web?', true],
  ['web10', 'web?', false],
  ['web1', '*', true],
  ['', '*', true],
  ['', '', true],
  ['web1', 'web*', true],
  ['Web1', 'web*', false], // case-sensitive
  ['a', '[!a]', false],
  ['b', '[!a]', true],
  ['b', '[a-c]', true],
  ['d', '[a-c]', false],
  ['z', '[z-a]', false], // empty range matches nothing
  ['x', '[!z-a]', true],
  ['-', '[a-]', true],
  ['c', '[a-c-e]', true],
  ['-', '[a-c-e]', true],
  ['d', '[a-c-e]', false],
  ['a]', '[]a]', false],
  [']', '[]a]', true],
  ['!', '[!]', false],
  ['[!]', '[!]', true], // no closing bracket: literal
  ['!', '[!]]', true],
  ['[', '[', true],
  ['[a', '[a', true],
  [']', ']', true],
  ['*', '[*]', true],
  ['x', '[*]', false],
  // regex specials are literal
  ['web.1', 'web.*', true],
  ['webx1', 'web.*', false],
  ['a+b', 'a+b', true],
  ['ab', 'a+b', false],
  ['a|b', 'a|b', true],
  ['a', 'a|b', false],
  ['(x)', '(x)', true],
  ['x', '(x)', false],
  ['a^b', 'a^b', true],
  ['$1', '$1', true],
  ['a\\b', 'a\\b', true], // backslash is not an escape
  ['^', '[\\^]', true],
  ['foo\nbar', 'foo*', true], // * crosses newlines
  ['héllo', 'h?llo', true],
  ['a😀b', 'a?b', true], // one code point
];

test('fnmatch follows fnmatchcase', () => {
  for (const [name, pattern, want] of CASES) {
    assert.equal(fnmatch(name, pattern), want, `fnmatch(${JSON.stringify(name)}, ${JSON.stringify(pattern)})`);
  }
});

describe('fnmatch', () => {
  it('matches Python globs', () => {
    assert.ok(fnmatch('test.ping', 'test.*'));
    assert.ok(fnmatch('rm -rf /', 'rm *'));
    assert.ok(fnmatch('a1', 'a[0-9]'));
    assert.ok(!fnmatch('ab', 'a[!b]'));
    assert.ok(!fnmatch('testXping', 'test.ping'));
  });
});
