import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFlags, pyCompile, pyMatch, pySubn } from './pyre.js';

// Expected values are what CPython 3.11's re.subn returns for the same input.
describe('Python re on JS RegExp', () => {
  const sub = (p: string, r: string, t: string, count = 0, flags = 0): [string, number] =>
    pySubn(pyCompile(p, flags), r, t, count);
  it('count limits the replacements; 0 means all', () => {
    assert.deepEqual(sub('o', '0', 'foo boo', 2), ['f00 boo', 2]);
    assert.deepEqual(sub('o', '0', 'foo boo'), ['f00 b00', 4]);
  });
  it('group references: \\1, \\g<0>, \\g<name>, (?P<name>), unmatched groups are empty', () => {
    assert.deepEqual(sub('(\\w+)=(\\d+)', '\\2=\\1', 'a=1 b=2\n', 0, 8), ['1=a 2=b\n', 2]);
    assert.deepEqual(sub('\\d+', '<\\g<0>>', 'x12y3'), ['x<12>y<3>', 2]);
    assert.deepEqual(sub('(?P<k>\\w+): (?P<v>\\w+)', '\\g<v>: \\g<k>', 'key: val\n'), ['val: key\n', 1]);
    assert.deepEqual(sub('(a)|b', '[\\1]', 'ab'), ['[a][]', 2]);
  });
  it('a reference to a missing group fails before matching, as Python does', () => {
    assert.throws(() => sub('zzz', 'x=\\1', 'abc'), /invalid group reference 1 at position 3/);
  });
  it('$ without MULTILINE also matches before a final newline; with it, before every \\n only', () => {
    assert.deepEqual(sub('$', '!', 'a\nb\n'), ['a\nb!\n!', 2]);
    assert.deepEqual(sub('$', '!', 'a\nb\n', 0, 8), ['a!\nb!\n!', 3]);
    assert.deepEqual(sub('^', '>', 'a\nb\n', 0, 8), ['>a\n>b\n>', 3]);
    assert.deepEqual(sub('a\\Z', 'B', 'aaa\n'), ['aaa\n', 0]);
    assert.deepEqual(sub('a$', 'B', 'aaa\n'), ['aaB\n', 1]);
  });
  it('. stops only at \\n (not \\r) unless DOTALL', () => {
    assert.deepEqual(sub('.', '#', 'a\r\nb'), ['##\n#', 3]);
    assert.deepEqual(sub('a.c', 'X', 'a\nc abc', 0, 16), ['X X', 2]);
  });
  it('empty matches next to a previous match count, as in Python 3.7+', () => {
    assert.deepEqual(sub('x*', '-', 'abxd'), ['-a-b--d-', 5]);
  });
  it('inline (?i) and VERBOSE', () => {
    assert.deepEqual(sub('(?i)HELLO', 'bye', 'hello Hello'), ['bye bye', 2]);
    assert.deepEqual(sub('  # comment\n a b', 'X', 'ab a b', 0, 64), ['X a b', 1]);
  });
  it('repl escapes: \\t and \\\\ are processed', () => {
    assert.deepEqual(sub('foo', 'a\\tb\\\\c', 'foo'), ['a\tb\\c', 1]);
  });
  it('flags as names, a single name, or an int; a bad name is refused', () => {
    assert.equal(parseFlags(['IGNORECASE', 'MULTILINE']), 10);
    assert.equal(parseFlags('MULTILINE'), 8);
    assert.equal(parseFlags(8), 8);
    assert.throws(() => parseFlags(['NOPE']), /Invalid re flag given: NOPE/);
    assert.throws(() => parseFlags({ a: 1 }), /Invalid re flags/);
  });
  it('match is anchored at the start', () => {
    assert.equal(pyMatch(pyCompile('b'), 'abc'), false);
    assert.equal(pyMatch(pyCompile('a'), 'abc'), true);
  });
});
