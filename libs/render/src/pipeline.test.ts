import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { render, renderSync, compileSource, splitShebang, DEFAULT_RENDERER } from './pipeline.js';
import { renderFile, renderFileSync } from './files.js';
import { RenderError, UnknownRendererError } from './errors.js';

const sync = (source: string, renderer?: string): unknown =>
  renderSync(source, { file: 't.sls', context: { x: 7 }, ...(renderer ? { renderer } : {}) });

function failure(fn: () => unknown): RenderError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof RenderError, String(err));
    return err;
  }
  assert.fail('rendered without error');
}

describe('the render pipeline', () => {
  test('jinja then yaml by default, as the renderer option says', () => {
    assert.equal(DEFAULT_RENDERER, 'jinja|yaml');
    assert.deepEqual(sync('a: {{ x + 1 }}\nb: [1, 2]\n'), { a: 8, b: [1, 2] });
    assert.equal(sync('{% if false %}a: 1{% endif %}\n'), null);
  });

  test('#!jinja|yaml is the default written out; spaces are allowed', () => {
    assert.deepEqual(sync('#!jinja|yaml\na: {{ x }}\n'), { a: 7 });
    assert.deepEqual(sync('#! jinja | yaml\na: {{ x }}\n'), { a: 7 });
  });

  test('#!yaml: no Jinja at all', () => {
    assert.deepEqual(sync("#!yaml\na: '{{ x }}'\n"), { a: '{{ x }}' });
  });

  test('the #! line wins over the renderer option; without one the option applies', () => {
    assert.deepEqual(sync("a: '{{ x }}'\n", 'yaml'), { a: '{{ x }}' });
    assert.deepEqual(sync('#!jinja|yaml\na: {{ x }}\n', 'yaml'), { a: 7 });
  });

  test('order is respected: #!yaml|jinja parses first, then renders the text it gave', () => {
    assert.equal(sync("#!yaml|jinja\n'{{ x * 2 }}'\n"), '14');
    const e = failure(() => sync('#!yaml|jinja\na: 1\n'));
    assert.equal(e.code, 'RENDER_PIPELINE');
    assert.match(e.message, /^t\.sls: renderer 'jinja' reads text, but 'yaml' before it gave data/);
  });

  test('#!jinja alone gives text (a managed file template); #!json and #!jinja|json give data', () => {
    assert.equal(sync('#!jinja\nhello {{ x }}\n'), '\nhello 7');
    assert.equal(renderSync('hello {{ x }}', { file: 'motd', renderer: 'jinja', context: { x: 1 } }), 'hello 1');
    assert.deepEqual(sync('#!json\n{"a": [1, 2]}\n'), { a: [1, 2] });
    assert.deepEqual(sync('#!jinja|json\n{"a": {{ x }}}\n'), { a: 7 });
    assert.equal(failure(() => sync('#!json\n{"a": }\n')).code, 'RENDER_JSON');
  });

  test('an unknown renderer is an error naming it, from the #! line or from the option', () => {
    const e = failure(() => sync('#!mako|yaml\na: 1\n'));
    assert.ok(e instanceof UnknownRendererError);
    assert.equal(e.code, 'RENDER_UNKNOWN_RENDERER');
    assert.equal(e.renderer, 'mako');
    assert.match(e.message, /^t\.sls: line 1: unknown renderer 'mako' in 'mako\|yaml' \(known: jinja, yaml, json\)/);
    const o = failure(() => sync('a: 1\n', 'jinja|yml'));
    assert.equal(o.code, 'RENDER_UNKNOWN_RENDERER');
    assert.match(o.message, /the renderer option: unknown renderer 'yml'/);
  });

  test('#!/... is an interpreter line, not a renderer spec', () => {
    assert.deepEqual(splitShebang('#!/usr/bin/env x\na: 1'), { spec: undefined, body: '#!/usr/bin/env x\na: 1' });
    assert.deepEqual(sync('#!/usr/bin/env x\na: 1\n'), { a: 1 });
  });

  test('errors keep the file lines: the #! line still counts', () => {
    const j = failure(() => sync("#!jinja|yaml\na: 1\nb: {{ data['x'].nope() }}\n"));
    assert.equal(j.code, 'RENDER_JINJA');
    assert.equal(j.line, 3);
    assert.match(j.message, /^t\.sls: line 3: Jinja error: /);
    const y = failure(() => sync('#!yaml\na: 1\nb: [1,\n'));
    assert.equal(y.code, 'RENDER_YAML');
    assert.match(y.message, /^t\.sls: line \d+ \(rendered\): YAML error/);
  });

  test('a compiled source renders many times; render() is the same pipeline, async', async () => {
    const c = compileSource('#!jinja|yaml\nn: {{ x }}\n', 'c.sls');
    assert.deepEqual(c.renderers, ['jinja', 'yaml']);
    assert.deepEqual(await render('n: {{ x }}\n', { file: 'a.sls', context: { x: 2 } }), { n: 2 });
    await assert.rejects(render('#!nope\n', { file: 'a.sls' }), { code: 'RENDER_UNKNOWN_RENDERER' });
  });
});

describe('rendering files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-render-'));

  test('a file renders through its #! line; a missing one names itself and its label', async () => {
    const file = path.join(dir, 'a.sls');
    fs.writeFileSync(file, "#!yaml\na: '{{ x }}'\n");
    assert.deepEqual(renderFileSync(file), { a: '{{ x }}' });
    assert.deepEqual(await renderFile(file), { a: '{{ x }}' });
    const missing = path.join(dir, 'missing.sls');
    const e = failure(() => renderFileSync(missing, { label: 'reactor SLS' }));
    assert.equal(e.code, 'RENDER_READ');
    assert.ok(e.message.startsWith(`${missing}: cannot read the reactor SLS: `));
    await assert.rejects(renderFile(missing), { code: 'RENDER_READ', message: /cannot read the SLS/ });
  });
});
