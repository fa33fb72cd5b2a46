import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { render, renderSync } from './pipeline.js';
import { saltFunctions } from './salt.js';
import { resolveTemplateName, type TemplateLoader } from './jinja/imports.js';
import { RenderError } from './errors.js';

/*
 * `{% include %}`, `{% import %}` and `{% from %}` through a caller's
 * template loader (for an SLS: salt:// names of its saltenv).
 */

const files: Record<string, string> = {
  'web/map.jinja':
    "{% set conf = {'port': 80, 'os': grains.os} %}{% macro hi(n) %}hi {{ n }} {{ salt['test.echo']('x') }}{% endmacro %}",
  'web/part.jinja': "part {{ sls }} {{ local_var }}{% include './deeper.txt' %}",
  'web/deeper.txt': '!deep',
  'common/ctx.jinja': '{% set seen = local_var %}',
  'common/broken.jinja': "{% set a = 1 %}\n{% set b = salt['nope.fun']() %}",
};

function loader(async: boolean, loads: string[] = []): TemplateLoader {
  return {
    name: 'web/init.sls',
    load: (n) => {
      loads.push(n);
      const src = n in files ? { source: files[n]!, file: `salt://${n}` } : null;
      return async ? Promise.resolve(src) : src;
    },
  };
}

const salt = saltFunctions({ 'test.echo': async ([s]) => `${String(s)}!` });
const context = { grains: { os: 'Debian' }, sls: 'web' };

describe('jinja include/import/from', () => {
  test('from (relative, aliased), import as, include with the current context, ignore missing', async () => {
    const loads: string[] = [];
    const out = await render(
      [
        "{% from './map.jinja' import conf, hi as hello %}{% import 'web/map.jinja' as m %}{% set local_var = 'LV' %}",
        'a: {{ conf.port }} {{ conf.os }} {{ m.conf.port }}',
        'b: "{{ hello(\'bob\') }}"',
        'c: "{%- include \'web/part.jinja\' %}"',
        'd: "{% include \'nope\' ignore missing %}"',
      ].join('\n'),
      { file: '/srv/salt/web/init.sls', context, salt, loader: loader(true, loads) },
    );
    assert.deepEqual(out, { a: '80 Debian 80', b: 'hi bob x!', c: 'part web LV!deep', d: '' });
    // Each template is loaded once per render, whatever the passes.
    assert.deepEqual([...new Set(loads)].length, loads.length);
  });

  test('import sees the context only `with context`', async () => {
    const src =
      "{% set local_var = 1 %}{% from 'common/ctx.jinja' import seen %}{% from 'common/ctx.jinja' import seen as s2 with context %}[{{ seen is defined }}, {{ s2 }}]";
    assert.deepEqual(await render(src, { file: 'x.sls', loader: loader(false) }), [false, 1]);
  });

  test('a synchronous loader works with renderSync', () => {
    assert.equal(
      renderSync("{% include 'web/deeper.txt' %}", { file: 'x', renderer: 'jinja', loader: loader(false) }),
      '!deep',
    );
  });

  test('errors: a missing template, a missing name, no loader, a line', async () => {
    const fail = async (src: string, l?: TemplateLoader): Promise<RenderError> => {
      try {
        await render(src, { file: 'x.sls', ...(l ? { loader: l } : {}) });
      } catch (err) {
        assert.ok(err instanceof RenderError);
        return err;
      }
      throw new Error('rendered');
    };
    assert.equal(
      (await fail("{% import 'zz' as q %}", loader(true))).message,
      'x.sls: line 1: Jinja error: TemplateNotFound: zz',
    );
    const e = await fail("\n{% from './map.jinja' import nope %}", loader(true));
    assert.equal(e.line, 2);
    assert.match(e.message, /does not export the requested name 'nope'/);
    assert.match((await fail("{% include 'a' %}")).message, /this render has no template loader/);
    // A failure inside an imported template names that file and its line.
    assert.match(
      (await fail("\n\n{% import 'common/broken.jinja' as b %}", loader(true))).message,
      /^x\.sls: line 3: Jinja error: salt:\/\/common\/broken\.jinja: line 2: salt\['nope\.fun'\] is undefined/,
    );
  });

  test('relative names', () => {
    assert.equal(resolveTemplateName('./map.jinja', 'web/init.sls'), 'web/map.jinja');
    assert.equal(resolveTemplateName('../lib/x.jinja', 'web/nginx/init.sls'), 'web/lib/x.jinja');
    assert.equal(resolveTemplateName('map.jinja', 'web/init.sls'), 'map.jinja');
    assert.equal(resolveTemplateName('../x', 'top.sls'), undefined);
  });
});
