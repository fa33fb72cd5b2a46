import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { render, renderSync, type RenderContext } from './pipeline.js';
import { saltFunctions, type SaltFunctions } from './salt.js';
import { Constant } from './jinja/template.js';
import { RenderError } from './errors.js';

/*
 * What a state or pillar SLS sees: grains, pillar, opts, saltenv, sls, and
 * the minion's functions as `salt`.
 */

const context: RenderContext = {
  grains: { os: 'Debian', id: 'web1', ipv4: ['10.0.0.5'] },
  pillar: { users: { alice: 1000, bob: 1001 } },
  opts: new Constant({ id: 'web1', renderer: 'jinja|yaml' }),
  saltenv: 'base',
  sls: 'users.init',
};

/** Functions that answer with promises (as execution modules do), counting their calls. */
function asyncFunctions(): { fns: SaltFunctions; calls: string[] } {
  const calls: string[] = [];
  const table: Record<string, (args: unknown[], kwargs: Record<string, unknown>) => unknown> = {
    'test.echo': async ([s]) => (calls.push(`echo ${String(s)}`), s),
    'grains.get': async ([key], { default: dflt }) => (
      calls.push(`get ${String(key)}`),
      key === 'os' ? 'Debian' : dflt
    ),
    'cmd.run': async ([cmd]) => (calls.push(`run ${String(cmd)}`), `ran ${String(cmd)}`),
    'test.fail': async () => Promise.reject(new Error('module failed')),
    'test.list': async () => [1, 2],
  };
  return { fns: saltFunctions(table), calls };
}

function failure(fn: () => unknown): RenderError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof RenderError, String(err));
    return err;
  }
  assert.fail('rendered without error');
}

describe('the SLS context', () => {
  test('grains, pillar, opts, saltenv and sls', () => {
    const src = [
      "os: {{ grains['os'] }}",
      'ip: {{ grains.ipv4[0] }}',
      'users: {{ pillar.users | list | sort }}',
      "uid: {{ pillar['users']['alice'] }}",
      "missing: {{ pillar.get('nope', 'dflt') }}",
      "id: {{ opts['id'] }}",
      'env: {{ saltenv }}',
      'sls: {{ sls }}',
      "{% for name, uid in pillar['users'].items() %}",
      '{{ name }}_uid: {{ uid }}',
      '{% endfor %}',
    ].join('\n');
    assert.deepEqual(renderSync(src, { file: 'users/init.sls', context }), {
      os: 'Debian',
      ip: '10.0.0.5',
      users: ['alice', 'bob'],
      uid: 1000,
      missing: 'dflt',
      id: 'web1',
      env: 'base',
      sls: 'users.init',
      alice_uid: 1000,
      bob_uid: 1001,
    });
  });

  test("salt['mod.fun'](...) and salt.mod.fun(...), with keyword arguments, on functions answering at once", () => {
    const calls: unknown[] = [];
    const salt = saltFunctions({
      'test.echo': ([s]) => s,
      'grains.get': (args, kwargs) => (calls.push([args, kwargs]), 'Debian'),
    });
    const src = [
      "a: {{ salt['test.echo']('hi') }}",
      "b: {{ salt.test.echo('there') }}",
      "c: {{ salt['grains.get']('os', default='x') }}",
      "d: {{ 'test.echo' in salt }} {{ 'test.nope' in salt }}",
      "e: {{ salt['test.nope'] is defined }}",
    ].join('\n');
    assert.deepEqual(renderSync(src, { file: 's.sls', salt }), {
      a: 'hi',
      b: 'there',
      c: 'Debian',
      d: 'true false',
      e: false,
    });
    assert.deepEqual(calls, [[['os'], { default: 'x' }]]);
  });

  test('an unknown function is an error naming it and its line', () => {
    const salt = saltFunctions({});
    const e = failure(() => renderSync("a: 1\nb: {{ salt['nope.fun']() }}\n", { file: 's.sls', salt }));
    assert.equal(e.code, 'RENDER_JINJA');
    assert.equal(e.line, 2);
    assert.match(e.message, /^s\.sls: line 2: Jinja error: salt\['nope\.fun'\] is undefined, not a function/);
    const m = failure(() => renderSync('{{ salt.nope.fun() }}', { file: 's.sls', salt }));
    assert.match(m.message, /salt\.nope\.fun is undefined, not a function/);
  });

  test('functions answering with promises: each distinct call runs once, nested calls too', async () => {
    const { fns, calls } = asyncFunctions();
    const src = [
      "os: {{ salt['grains.get']('os') }}",
      "role: {{ salt['grains.get']('role', default='none') }}",
      "out: {{ salt['cmd.run'](salt['test.echo']('ls')) }}",
      "again: {{ salt['test.echo']('ls') }}",
      "{% for i in salt['test.list']() %}",
      'n{{ i }}: {{ i }}',
      '{% endfor %}',
    ].join('\n');
    const out = await render(src, { file: 's.sls', salt: fns, context });
    assert.deepEqual(out, { os: 'Debian', role: 'none', out: 'ran ls', again: 'ls', n1: 1, n2: 2 });
    assert.deepEqual(calls, ['get os', 'get role', 'echo ls', 'run ls']);
  });

  test('a result changed by the template is not changed for the next pass', async () => {
    const { fns } = asyncFunctions();
    const src =
      "{% set l = salt['test.list']() %}{% set _ = l.append(3) %}a: {{ l }}\nb: {{ salt['test.echo']('x') }}\n";
    assert.deepEqual(await render(src, { file: 's.sls', salt: fns }), { a: [1, 2, 3], b: 'x' });
  });

  test("a function's failure is a Jinja error naming the file and line", async () => {
    const { fns } = asyncFunctions();
    await assert.rejects(render("a: 1\nb: {{ salt['test.fail']() }}\n", { file: 's.sls', salt: fns }), {
      code: 'RENDER_JINJA',
      line: 2,
      message: /^s\.sls: line 2: Jinja error: module failed/,
    });
  });

  test('renderSync refuses a function answering with a promise', () => {
    const { fns } = asyncFunctions();
    const e = failure(() => renderSync("a: {{ salt['test.echo']('x') }}", { file: 's.sls', salt: fns }));
    assert.equal(e.code, 'RENDER_SALT_CALL');
    assert.match(e.message, /^s\.sls: salt\['test\.echo'\] answered with a promise/);
  });

  test('a Constant is shared by renders, each changing only its own copy', () => {
    const src = "{% set _ = opts.update({'id': 'changed'}) %}id: {{ opts['id'] }}";
    assert.deepEqual(renderSync(src, { file: 'a.sls', context }), { id: 'changed' });
    assert.deepEqual(renderSync('id: {{ opts.id }}', { file: 'b.sls', context }), { id: 'web1' });
  });
});
