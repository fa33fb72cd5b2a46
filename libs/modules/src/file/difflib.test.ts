import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitKeepEnds, unifiedDiff } from './difflib.js';

// Expected texts are ''.join(difflib.unified_diff(a, b, ...)) from CPython 3.11.
describe('unified diff as difflib writes it', () => {
  it('headers, hunk ranges and three lines of context', () => {
    const a = ['1\n', '2\n', '3\n', '4\n', '5\n', '6\n', '7\n', '8\n', '9\n', '10\n'];
    const b = ['1\n', '2\n', 'three\n', '4\n', '5\n', '6\n', '7\n', '8\n', '9\n', '10\n', '11\n'];
    assert.equal(
      unifiedDiff(a, b, 'old', 'new'),
      '--- old\n+++ new\n@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n@@ -8,3 +8,4 @@\n 8\n 9\n 10\n+11\n',
    );
  });
  it('empty names give "--- " and "+++ " (Salt passes none); an empty side has range 0,0', () => {
    assert.equal(unifiedDiff([], ['a\n']), '--- \n+++ \n@@ -0,0 +1 @@\n+a\n');
    assert.equal(unifiedDiff(['a\n'], ['a\n']), '');
  });
  it('a last line without newline runs into the next, as in Salt output', () => {
    assert.equal(unifiedDiff(['a\n', 'b'], ['a\n', 'c\n']), '--- \n+++ \n@@ -1,2 +1,2 @@\n a\n-b+c\n');
  });
  it('splitKeepEnds is str.splitlines(True) for \\n, \\r\\n and \\r', () => {
    assert.deepEqual(splitKeepEnds('a\nb\r\nc\rd'), ['a\n', 'b\r\n', 'c\r', 'd']);
    assert.deepEqual(splitKeepEnds(''), []);
  });
});
