import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shlexSplit } from './shlex.js';

describe('shlexSplit', () => {
  it('splits like Python shlex.split', () => {
    assert.deepEqual(shlexSplit(`printf "%s|" "a b" c`), ['printf', '%s|', 'a b', 'c']);
    assert.deepEqual(shlexSplit(`a'b c'd "e\\"f" g\\ h ''`), ['ab cd', 'e"f', 'g h', '']);
    assert.deepEqual(shlexSplit(`"a\\nb" 'x\\y'`), ['a\\nb', 'x\\y']);
    assert.deepEqual(shlexSplit('  '), []);
  });
  it('rejects an unclosed quote', () => {
    assert.throws(() => shlexSplit('echo "a'), { code: 'CMD_BAD_QUOTING', message: 'No closing quotation' });
  });
});
