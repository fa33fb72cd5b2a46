import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HighData, LowChunk } from '../types.js';
import { compiler } from './test-util.js';
import type { StateCompiler } from './compiler.js';

/*
 * compile(): Salt's verify_high, requisite_in, exclude and
 * compile_high_data on hand-written high data (no files read).
 */

const c: StateCompiler = compiler(process.cwd());

function high(h: Record<string, Record<string, unknown>>, sls = 'web'): HighData {
  const out: HighData = {};
  for (const [id, body] of Object.entries(h)) out[id] = { __sls__: sls, __env__: 'base', ...body };
  return out;
}

const pick = (ch: LowChunk[]): string[] => ch.map((x) => `${x.state}.${x.fun}:${x.name}`);

describe('compile', () => {
  test('name defaults to the id, arguments are flattened, requisites normalised', () => {
    const { chunks, errors } = c.compile(
      high({
        '/etc/motd': {
          file: ['managed', { source: 'salt://motd' }, { mode: '0644' }, { require: ['nginx', { pkg: 'curl' }] }],
        },
      }),
    );
    assert.deepEqual(errors, []);
    assert.equal(chunks.length, 1);
    const ch = chunks[0]!;
    assert.equal(ch.name, '/etc/motd');
    assert.equal(ch.__id__, '/etc/motd');
    assert.equal(ch.fun, 'managed');
    assert.equal(ch['source'], 'salt://motd');
    assert.deepEqual(ch.require, [{ id: 'nginx' }, { pkg: 'curl' }]);
  });

  test('names: strings and one-key dicts with their own arguments, in written order', () => {
    const { chunks } = c.compile(
      high({
        pkgs: { pkg: ['installed', { names: ['vim', { curl: [{ version: '7.0' }] }, 'git'] }, { order: 5 }] },
      }),
    );
    assert.deepEqual(pick(chunks), ['pkg.installed:vim', 'pkg.installed:curl', 'pkg.installed:git']);
    assert.equal(chunks[1]!['version'], '7.0');
    assert.ok(chunks.every((x) => x.__id__ === 'pkgs' && !('names' in x) && !('name_order' in x)));
  });

  test('_in forms land on the target as the plain requisite; use copies unset arguments', () => {
    const { chunks, errors } = c.compile(
      high({
        nginx: { pkg: ['installed', { require_in: [{ service: 'nginx-svc' }] }, { watch_in: ['nginx-svc'] }] },
        conf: {
          file: [
            'managed',
            { name: '/etc/nginx.conf' },
            { user: 'www' },
            { mode: '0600' },
            { onchanges_in: [{ service: 'nginx-svc' }] },
          ],
        },
        other: {
          file: [
            'managed',
            { name: '/etc/other' },
            { use: [{ file: 'conf' }] },
            { mode: '0644' },
            { listen_in: [{ service: 'nginx-svc' }] },
          ],
        },
        'nginx-svc': { service: ['running'] },
      }),
    );
    assert.deepEqual(errors, []);
    const svc = chunks.find((x) => x.state === 'service')!;
    assert.deepEqual(svc.require, [{ pkg: 'nginx' }]);
    assert.deepEqual(svc.watch, [{ pkg: 'nginx' }]);
    assert.deepEqual(svc.onchanges, [{ file: 'conf' }]);
    assert.deepEqual(svc.listen, [{ file: 'other' }]);
    const other = chunks.find((x) => x.__id__ === 'other')!;
    assert.equal(other['user'], 'www');
    assert.equal(other['mode'], '0644');
    assert.equal(other.name, '/etc/other');
  });

  test('prereq marks the target prerequired; use_in pushes arguments', () => {
    const { chunks } = c.compile(
      high({
        a: { cmd: ['run', { prereq: [{ file: 'b' }] }] },
        b: { file: ['managed', { user: 'x' }, { use_in: [{ file: 'c' }] }] },
        c: { file: ['managed'] },
      }),
    );
    assert.deepEqual(chunks.find((x) => x.__id__ === 'b')!['prerequired'], [{ cmd: 'a' }]);
    assert.equal(chunks.find((x) => x.__id__ === 'c')!['user'], 'x');
  });

  test('order: numbers, first, last, and no order after every number (Salt order_chunks)', () => {
    const { chunks } = c.compile(
      high({
        z: { test: ['nop', { order: 'last' }] },
        y: { test: ['nop'] },
        x: { test: ['nop', { order: 'first' }] },
        w: { test: ['nop', { order: 2 }] },
        v: { test: ['nop', { order: 1 }] },
      }),
    );
    assert.deepEqual(
      chunks.map((x) => [x.__id__, x.order]),
      [
        ['x', 0],
        ['v', 1],
        ['w', 2],
        ['y', 102],
        ['z', 1000102],
      ],
    );
  });

  test('exclude: sls (fnmatch), id, plain names, a comma string, and __exclude__ from the SLS', () => {
    const h: HighData = {
      ...high({ a: { test: ['nop'] } }, 'web.a'),
      ...high({ b: { test: ['nop'] } }, 'web.b'),
      ...high({ c: { test: ['nop'] } }, 'db'),
      ...high({ d: { test: ['nop'] } }, 'mail'),
    };
    assert.deepEqual(pick(c.compile(h, [{ sls: 'web.*' }]).chunks), ['test.nop:c', 'test.nop:d']);
    assert.deepEqual(pick(c.compile(h, [{ id: 'c' }, 'mail']).chunks), ['test.nop:a', 'test.nop:b']);
    assert.deepEqual(pick(c.compile(h, 'db,mail').chunks), ['test.nop:a', 'test.nop:b']);
    (h as Record<string, unknown>)['__exclude__'] = [{ id: 'a' }];
    assert.deepEqual(pick(c.compile(h).chunks), ['test.nop:b', 'test.nop:c', 'test.nop:d']);
  });

  test("verify_high's errors, Salt's texts", () => {
    const errs = (h: Record<string, Record<string, unknown>>): string[] => c.compile(high(h)).errors;
    assert.deepEqual(errs({ a: { file: { managed: 1 } } }), ["State 'a' in SLS 'web' is not formed as a list"]);
    assert.deepEqual(errs({ a: { file: ['managed', 'absent'] } }), [
      "Too many functions declared in state 'a' in SLS 'web'. Please choose one of the following: managed, absent",
    ]);
    assert.deepEqual(errs({ a: { file: [{ name: 'x' }] } }), ["No function declared in state 'a' in SLS 'web'"]);
    assert.deepEqual(errs({ a: { file: null } }), [
      "ID 'a' in SLS 'web' contains a short declaration (file) with a trailing colon. When not passing any arguments to a state, the colon must be omitted.",
    ]);
    assert.deepEqual(errs({ a: { file: ['managed', { require: { pkg: 'x' } }] } }), [
      "The require statement in state 'a' in SLS 'web' needs to be formed as a list",
    ]);
    assert.deepEqual(errs({ a: { file: ['managed', { names: 'x' }] } }), [
      "The 'names' argument in state 'a' in SLS 'web' needs to be formed as a list",
    ]);
    assert.deepEqual(errs({ a: { file: ['managed', { require: [{ 'pkg.installed': 'x' }] }] } }), [
      "Invalid requisite type 'pkg.installed' in state 'a', in SLS 'web'. Requisite types must not contain dots, did you mean 'pkg'?",
    ]);
    assert.deepEqual(
      errs({
        a: { file: ['managed', { require: [{ file: 'b' }] }] },
        b: { file: ['managed', { require: [{ file: 'a' }] }] },
      }),
      ['A recursive requisite was found, SLS "web" ID "b" ID "a"'],
    );
    assert.deepEqual(errs({ a: { file: ['managed', { require_in: [{ file: 'nope' }] }] } }), [
      "Cannot extend ID 'nope' in 'base:web'. It is not part of the high state.\nThis is likely due to a missing include statement or an incorrectly typed ID.\nEnsure that a state with an ID of 'nope' is available\nin environment 'base' and to SLS 'web'",
    ]);
  });

  test('a missing requisite is not a compile error (the runner reports it)', () => {
    assert.deepEqual(c.compile(high({ a: { file: ['managed', { require: [{ file: 'nope' }] }] } })).errors, []);
  });

  test('compile does not modify its argument', () => {
    const h = high({ a: { file: ['managed', { require_in: [{ file: 'b' }] }] }, b: { file: ['managed'] } });
    const before = JSON.stringify(h);
    c.compile(h);
    assert.equal(JSON.stringify(h), before);
  });
});
