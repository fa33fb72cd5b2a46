import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeRetcode } from './retcode.js';
import { parseCliArgs, splitPublishArgs } from './args.js';
import { yamlifyArg } from './yamlify.js';

describe('yamlifyArg', () => {
  const cases: [string, unknown][] = [
    ['3', 3],
    ['-7', -7],
    ['3.5', 3.5],
    ['True', true],
    ['false', false],
    ['yes', true],
    ['off', false],
    ['None', null],
    ['null', null],
    ['~', null],
    ['uname -a', 'uname -a'],
    ['foo: bar', 'foo: bar'],
    ['- a', '- a'],
    ['{"version": 3}', { version: 3 }],
    ['{a: [1, "2", x]}', { a: [1, '2', 'x'] }],
    ['[1,2]', [1, 2]],
    ['010', 10],
    ['0x1F', 31],
    ['1_000', '1_000'],
    ['1e3', '1e3'],
    ['1:30', 90],
    ['2024-01-02', '2024-01-02'],
    ['echo #1', 'echo #1'],
    ['#', '#'],
    ['[1, 2] # list', [1, 2]],
    ['', ''],
    ['   ', '   '],
    ['|', '|'],
    ['!', '!'],
    ["'quoted'", 'quoted'],
    ['{a: 1, a: 2}', '{a: 1, a: 2}'],
    ['{unclosed', '{unclosed'],
    ['12345678901234567890', '12345678901234567890'],
    ['09', '09'],
  ];
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} -> ${JSON.stringify(want)}`, () => assert.deepEqual(yamlifyArg(input), want));
  }
  it('leaves non-strings alone', () => assert.deepEqual(yamlifyArg([1]), [1]));
  it('keeps a __proto__ key as a plain key', () => {
    const v = yamlifyArg('{__proto__: 1}') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(v, '__proto__')?.value, 1);
  });
});

describe('parseCliArgs', () => {
  it('turns name=value into one trailing __kwarg__ dict', () => {
    assert.deepEqual(parseCliArgs(['a=b', 'n=3']), [{ __kwarg__: true, a: 'b', n: 3 }]);
  });
  it('keeps "echo a=b" positional and yamlifies positionals', () => {
    assert.deepEqual(parseCliArgs(['echo a=b', '3', 'uname -a']), ['echo a=b', 3, 'uname -a']);
  });
  it('does not split a==b or a value with a newline', () => {
    // Not kwargs; the second is still yamlified, and YAML folds the line break (as PyYAML does).
    assert.deepEqual(parseCliArgs(['a==b', 'a=b\nc']), ['a==b', 'a=b c']);
  });
  it('mixes positionals and kwargs in Salt order', () => {
    assert.deepEqual(parseCliArgs(['ls', 'cwd=/tmp', 'env={"A": "1"}']), [
      'ls',
      { __kwarg__: true, cwd: '/tmp', env: { A: '1' } },
    ]);
  });
  it('no_parse keeps the raw value', () => {
    assert.deepEqual(parseCliArgs(['x=3'], ['x']), [{ __kwarg__: true, x: '3' }]);
  });
});

describe('splitPublishArgs', () => {
  it('splits the wire form and strips the marker', () => {
    const r = splitPublishArgs(['ls -l', 3, { __kwarg__: true, cwd: '/tmp' }, { plain: 1 }]);
    assert.deepEqual(r, { args: ['ls -l', 3, { plain: 1 }], kwargs: { cwd: '/tmp' } });
  });
  it('treats a bare name=value string as a kwarg, and keeps other strings as sent', () => {
    assert.deepEqual(splitPublishArgs(['a=3', '"3"', 'echo a=b']), { args: ['"3"', 'echo a=b'], kwargs: { a: 3 } });
  });
  it('adds __pub_ fields', () => {
    assert.deepEqual(splitPublishArgs([], { jid: '1', fun: 'test.arg' }).kwargs, {
      __pub_jid: '1',
      __pub_fun: 'test.arg',
    });
  });
  it('does not mutate the input', () => {
    const kw = { __kwarg__: true, a: 1 };
    splitPublishArgs([kw]);
    assert.equal(kw.__kwarg__, true);
  });
});

describe('computeRetcode', () => {
  it('prefers a non-zero context retcode', () => assert.equal(computeRetcode(true, 42), 42));
  it('is 1 for result false or success false', () => {
    assert.equal(computeRetcode({ result: false }, 0), 1);
    assert.equal(computeRetcode({ success: false }, 0), 1);
    assert.equal(computeRetcode({ result: null }, 0), 1);
  });
  it('is 0 otherwise', () => {
    assert.equal(computeRetcode({ result: true }, 0), 0);
    assert.equal(computeRetcode({ other: false }, 0), 0);
    assert.equal(computeRetcode(false, 0), 0);
    assert.equal(computeRetcode([{ result: false }], 0), 0);
  });
});
