import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '@tsalt/loader';
import { pyRepr, pyStr, silentLogger } from '@tsalt/core';
import { OUTPUTTERS, OutputError, outputterPlugins, renderOutput, stripColor } from './index.js';

// Expected strings produced by CPython's json.dumps on the same data.
const JDATA = {
  'web-1': { z: [1, 2.5, 'é', null, true, 1e-7, -0.5], b: {}, c: [], d: 'x"y\\z\n\t\u0001\u007f', emoji: '😀' },
};

test('json: indent 4 by default, like json.dumps(indent=4)', () => {
  assert.equal(
    renderOutput('json', JDATA),
    '{\n    "web-1": {\n        "z": [\n            1,\n            2.5,\n            "\\u00e9",\n            null,\n            true,\n            1e-07,\n            -0.5\n        ],\n        "b": {},\n        "c": [],\n        "d": "x\\"y\\\\z\\n\\t\\u0001\\u007f",\n        "emoji": "\\ud83d\\ude00"\n    }\n}',
  );
  assert.equal(
    renderOutput('json', JDATA, { indent: 2 }),
    '{\n  "web-1": {\n    "z": [\n      1,\n      2.5,\n      "\\u00e9",\n      null,\n      true,\n      1e-07,\n      -0.5\n    ],\n    "b": {},\n    "c": [],\n    "d": "x\\"y\\\\z\\n\\t\\u0001\\u007f",\n    "emoji": "\\ud83d\\ude00"\n  }\n}',
  );
});

test('json: null or negative indent prints one line with Python separators', () => {
  const want =
    '{"web-1": {"z": [1, 2.5, "\\u00e9", null, true, 1e-07, -0.5], "b": {}, "c": [], "d": "x\\"y\\\\z\\n\\t\\u0001\\u007f", "emoji": "\\ud83d\\ude00"}}';
  assert.equal(renderOutput('json', JDATA, { indent: null }), want);
  assert.equal(renderOutput('json', JDATA, { indent: -1 }), want);
  assert.equal(renderOutput('json', { b: 1, a: 2 }, { indent: null }), '{"b": 1, "a": 2}'); // order kept
  assert.equal(renderOutput('json', { a: [] }, { indent: 0 }), '{\n"a": []\n}');
  assert.equal(renderOutput('json', { a: true }, { color: true }), '{\n    "a": true\n}'); // no colour
});

test('yaml: PyYAML block style', () => {
  const data = {
    'web-1': {
      os: 'Debian',
      roles: ['web', 'db'],
      disks: [{ name: 'sda', size: 100 }],
      on: 'yes',
      ver: '1.0',
      empty: {},
      none: null,
      text: 'a\nb',
      tab: 'a\tb',
    },
    'db-1': true,
  };
  assert.equal(
    renderOutput('yaml', data),
    [
      'db-1: true',
      'web-1:',
      '  disks:',
      '  - name: sda',
      '    size: 100',
      '  empty: {}',
      '  none: null',
      "  'on': 'yes'",
      '  os: Debian',
      '  roles:',
      '  - web',
      '  - db',
      '  tab: "a\\tb"',
      "  text: 'a",
      '',
      "    b'",
      "  ver: '1.0'",
    ].join('\n'),
  );
  assert.equal(renderOutput('yaml', { a: [] }), 'a: []');
  assert.equal(renderOutput('yaml', true), 'true\n...');
  assert.equal(renderOutput('yaml', { web: true }, { color: true }), 'web: true');
});

test('raw: Python str() of the data', () => {
  assert.equal(renderOutput('raw', { 'web-1': true }), "{'web-1': True}");
  assert.equal(renderOutput('raw', { a: [1, 'x', null], b: {} }), "{'a': [1, 'x', None], 'b': {}}");
  assert.equal(renderOutput('raw', 'plain text'), 'plain text');
});

test('txt: key: line for each line', () => {
  assert.equal(
    renderOutput('txt', { 'web-1': 'line1\nline2', 'db-1': true, 'x-1': { a: 1 } }),
    "web-1: line1\nweb-1: line2\ndb-1: True\nx-1: {'a': 1}",
  );
  assert.equal(renderOutput('txt', { 'web-1': '' }), '');
  assert.equal(renderOutput('txt', 'just text'), 'just text');
  assert.equal(renderOutput('txt', [1, 'a']), "[1, 'a']");
});

test('pyRepr / pyStr follow Python', () => {
  assert.equal(
    pyRepr({
      a: [1, 2.5, null, true, false, "it's", 'say "hi"', 'both \'"', 'tab\t', 'é\u200b\u0000'],
      b: {},
      c: 1e-7,
      d: 0.1,
    }),
    `{'a': [1, 2.5, None, True, False, "it's", 'say "hi"', 'both \\'"', 'tab\\t', 'é\\u200b\\x00'], 'b': {}, 'c': 1e-07, 'd': 0.1}`,
  );
  assert.equal(pyRepr(1e-5), '1e-05');
  assert.equal(pyRepr(123.456), '123.456');
  assert.equal(pyRepr(1.5e300), '1.5e+300');
  assert.equal(pyRepr(Number.NaN), 'nan');
  assert.equal(pyRepr(new Uint8Array([104, 105, 0, 39])), `b"hi\\x00'"`);
  assert.equal(pyStr('x'), 'x');
  assert.equal(pyStr(['x']), "['x']");
});

test('stripColor removes ANSI sequences', () => {
  assert.equal(stripColor('\x1b[0;36mweb\x1b[0;0m: \x1b[1;33mTrue\x1b[0;0m'), 'web: True');
});

test('unknown outputter throws OutputError UNKNOWN_OUTPUTTER naming it', () => {
  assert.throws(
    () => renderOutput('nope', {}),
    (err: unknown) => err instanceof OutputError && err.code === 'UNKNOWN_OUTPUTTER' && err.message.includes("'nope'"),
  );
});

test('outputters load as plugins in a Registry', async () => {
  assert.deepEqual([...OUTPUTTERS], ['nested', 'highstate', 'json', 'yaml', 'raw', 'txt']);
  const reg = new Registry({ kind: 'outputter', opts: {}, log: silentLogger() }, outputterPlugins());
  assert.deepEqual(reg.modules().sort(), ['highstate', 'json', 'nested', 'raw', 'txt', 'yaml']);
  const res = await reg.call('nested.output', [{ m: true }], { color: false });
  assert.equal(res.return, 'm:\n    True');
});
