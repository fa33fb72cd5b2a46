import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderOutput, stripColor } from './index.js';

const Y = '\x1b[0;1;33m';
const G = '\x1b[0;32m';
const C = '\x1b[0;36m';
const R = '\x1b[0;31m';
const E = '\x1b[0;0m';

test('nested: the classic test.ping', () => {
  assert.equal(renderOutput('nested', { 'web-1': true }), 'web-1:\n    True');
  assert.equal(renderOutput('nested', { 'web-1': true }, { color: true }), `${C}web-1${E}:\n    ${Y}True${E}`);
});

test('nested: dicts, lists of dicts, multi-line strings, empties', () => {
  const data = {
    'web-1': {
      b: [1, 'two', { k: 'v' }, [3, 4]],
      a: 'line1\nline2',
      c: {},
      d: [],
      e: '',
      f: null,
      g: 1.5,
      h: ['x\ny'],
    },
  };
  const want = [
    'web-1:',
    '    ----------',
    '    a:',
    '        line1',
    '        line2',
    '    b:',
    '        - 1',
    '        - two',
    '        |_',
    '          ----------',
    '          k:',
    '              v',
    '        |_',
    '          - 3',
    '          - 4',
    '    c:',
    '        ----------',
    '    d:',
    '    e:',
    '    f:',
    '        None',
    '    g:',
    '        1.5',
    '    h:',
    '        - x',
    '          y',
  ].join('\n');
  assert.equal(renderOutput('nested', data), want);
  // colour only adds escape codes
  assert.equal(stripColor(renderOutput('nested', data, { color: true })), want);
});

test('nested: colours per element kind, red containers on a non-zero retcode', () => {
  const data = { m: { l: ['s', { k: false }] } };
  assert.equal(
    renderOutput('nested', data, { color: true }),
    [
      `${C}m${E}:`,
      `    ${C}----------${E}`,
      `    ${C}l${E}:`,
      `        ${G}- s${E}`,
      `        ${G}|_${E}`,
      `          ${C}----------${E}`,
      `          ${C}k${E}:`,
      `              ${Y}False${E}`,
    ].join('\n'),
  );
  assert.equal(
    renderOutput('nested', data, { color: true, retcode: 1 }),
    [
      `${R}m${E}:`,
      `    ${R}----------${E}`,
      `    ${R}l${E}:`,
      `        ${G}- s${E}`,
      `        ${R}|_${E}`,
      `          ${R}----------${E}`,
      `          ${R}k${E}:`,
      `              ${Y}False${E}`,
    ].join('\n'),
  );
});

test('nested: top-level scalars, empty containers, escapes in text', () => {
  assert.equal(renderOutput('nested', 'hello'), 'hello');
  assert.equal(renderOutput('nested', 42), '42');
  assert.equal(renderOutput('nested', null), 'None');
  assert.equal(renderOutput('nested', {}), '');
  assert.equal(renderOutput('nested', []), '');
  assert.equal(renderOutput('nested', ['a', 'b']), '- a\n- b');
  assert.equal(renderOutput('nested', { k: 'red \x1b[31mtext' }), 'k:\n    red ?[31mtext');
  assert.equal(renderOutput('nested', { k: 'a\r\nb\n' }), 'k:\n    a\n    b');
});
