import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderOutput, type OutputOptions } from '../index.js';
import { pyFixed } from './highstate-py.js';
import { textwrapFill } from './py-textwrap.js';

// Salt 3006.8's own output for each case, from scripts/highstate-fixtures/gen.py (tests run from dist/).
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/outputters/fixtures');

interface Case {
  name: string;
  color: boolean;
  opts: OutputOptions;
  data: unknown;
}

const cases = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'highstate-cases.json'), 'utf8')) as Case[];

for (const c of cases) {
  test(`highstate golden: ${c.name}`, () => {
    const want = fs.readFileSync(path.join(FIXTURES, 'highstate', `${c.name}.txt`), 'utf8');
    assert.equal(renderOutput('highstate', c.data, { ...c.opts, color: c.color }), want);
  });
}

test('highstate: durations from 1000 ms on print in seconds', () => {
  const data = {
    m: {
      'test_|-a_|-a_|-nop': {
        name: 'a',
        result: true,
        changes: {},
        comment: '',
        __run_num__: 0,
        __id__: 'a',
        __sls__: 'b',
        start_time: '00:00:00.000000',
        duration: 999.5,
      },
      'test_|-b_|-b_|-nop': {
        name: 'b',
        result: true,
        changes: {},
        comment: '',
        __run_num__: 1,
        __id__: 'b',
        __sls__: 'b',
        start_time: '00:00:00.000000',
        duration: 1.0,
      },
    },
  };
  assert.match(renderOutput('highstate', data, { state_output: 'terse' }), /\nTotal run time: +1\.000 s$/);
});

test("pyFixed rounds exact ties to even, as Python's format does", () => {
  assert.equal(pyFixed(0.0625, 3), '0.062');
  assert.equal(pyFixed(0.1875, 3), '0.188');
  assert.equal(pyFixed(1.0005, 3), '1.000'); // 1.0005 is stored just below the tie
  assert.equal(pyFixed(53.503, 3), '53.503');
  assert.equal(pyFixed(2.5, 0), '2');
});

test('textwrapFill wraps like textwrap.fill, hyphens and long words included', () => {
  assert.equal(textwrapFill('aaa bbb-ccc ddd', 10, '', ''), 'aaa bbb-\nccc ddd');
  assert.equal(textwrapFill('x'.repeat(12), 5, '', ''), 'xxxxx\nxxxxx\nxx');
});
