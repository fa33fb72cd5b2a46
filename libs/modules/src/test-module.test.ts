import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { FunctionNotAvailableError, Registry } from '@tsalt/loader';
import { executionModulePlugins, ModuleError, TestException } from './index.js';

function registry(services: Record<string, unknown> = {}): Registry {
  return new Registry(
    { kind: 'module', opts: minionConfig(), log: silentLogger(), services },
    executionModulePlugins(),
  );
}

const T = { timeout: 5000 };

describe('test module', () => {
  const reg = registry();
  it('ping, echo, true, false, outputter', T, async () => {
    assert.equal((await reg.call('test.ping')).return, true);
    assert.equal((await reg.call('test.echo', ['hi there'])).return, 'hi there');
    assert.equal((await reg.call('test.true')).return, true);
    assert.equal((await reg.call('test.false')).return, false);
    assert.deepEqual((await reg.call('test.outputter', [{ a: 1 }])).return, { a: 1 });
  });
  it('version is the root package version', T, async () => {
    const root = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    assert.equal((await reg.call('test.version')).return, root.version);
    assert.match(String((await reg.call('test.versions_report')).return), /tsalt: /);
  });
  it('sleep accepts fractions of a second', T, async () => {
    const t0 = Date.now();
    assert.equal((await reg.call('test.sleep', [0.05])).return, true);
    assert.ok(Date.now() - t0 >= 40);
  });
  it('arg returns args and kwargs, __pub_ included', T, async () => {
    const r = await reg.call('test.arg', [1, 'two'], { txt: 'hello', __pub_jid: '20240101000000000000' });
    assert.deepEqual(r.return, { args: [1, 'two'], kwargs: { txt: 'hello', __pub_jid: '20240101000000000000' } });
    const c = await reg.call('test.arg_clean', [1], { txt: 'x', __pub_jid: 'j' });
    assert.deepEqual(c.return, { args: [1], kwargs: { txt: 'x' } });
  });
  it('retcode sets the call retcode', T, async () => {
    assert.deepEqual(await reg.call('test.retcode'), { return: true, retcode: 42 });
    assert.equal((await reg.call('test.retcode', [7])).retcode, 7);
    assert.equal((await reg.call('test.ping')).retcode, 0);
  });
  it('fib returns the num-th Fibonacci number and a time', T, async () => {
    const [n, secs] = (await reg.call('test.fib', [10])).return as [number, number];
    assert.equal(n, 55);
    assert.equal(typeof secs, 'number');
  });
  it("exception throws a non-module error (Salt's bare Exception)", T, async () => {
    await assert.rejects(
      reg.call('test.exception', ['boom']),
      (e: unknown) => e instanceof TestException && !(e instanceof ModuleError) && e.message === 'boom',
    );
    await assert.rejects(reg.call('test.exception'), { message: 'Test Exception' });
  });
  it('cross_test calls another function', T, async () => {
    assert.equal((await reg.call('test.cross_test', ['test.echo', ['x']])).return, 'x');
  });
  it('unknown function: Salt message', T, async () => {
    await assert.rejects(
      reg.call('test.nope'),
      (e: unknown) => e instanceof FunctionNotAvailableError && e.message === "'test.nope' is not available.",
    );
  });
});

describe('sys module', () => {
  const reg = registry({ returnerNames: () => ['local_cache', 'mysql'] });
  it('list_functions by module name and glob', T, async () => {
    const byMod = (await reg.call('sys.list_functions', ['test'])).return as string[];
    assert.ok(byMod.includes('test.ping'));
    assert.ok(!byMod.some((f) => !f.startsWith('test.')));
    assert.deepEqual((await reg.call('sys.list_functions', ['cmd.run*'])).return, [
      'cmd.run',
      'cmd.run_all',
      'cmd.run_bg',
      'cmd.run_stderr',
      'cmd.run_stdout',
    ]);
    const all = (await reg.call('sys.list_functions')).return as string[];
    assert.ok(all.includes('sys.doc') && all.includes('cmd.run'));
  });
  it('list_modules', T, async () => {
    // Host-dependent modules (pkg, service, ...) come and go with virtual(): check the sorted
    // list holds the ones every host has.
    const mods = (await reg.call('sys.list_modules')).return as string[];
    assert.deepEqual(mods, [...mods].sort());
    for (const m of ['cmd', 'event', 'file', 'grains', 'pillar', 'saltutil', 'sys', 'test'])
      assert.ok(mods.includes(m), m);
    assert.deepEqual((await reg.call('sys.list_modules', ['te*'])).return, ['test']);
  });
  it('doc gives signature and docstring', T, async () => {
    const d = (await reg.call('sys.doc', ['test.echo'])).return as Record<string, string>;
    assert.deepEqual(Object.keys(d), ['test.echo']);
    assert.match(d['test.echo'] ?? '', /^test\.echo\(text\)\n\nReturn a string/);
    const mod = (await reg.call('sys.doc', ['sys.'])).return as Record<string, string>;
    assert.ok('sys.list_modules' in mod && !('test.ping' in mod));
  });
  it('list_returners from the injected service', T, async () => {
    assert.deepEqual((await reg.call('sys.list_returners')).return, ['local_cache', 'mysql']);
    assert.deepEqual((await registry().call('sys.list_returners')).return, []);
  });
  it('argspec', T, async () => {
    const a = (await reg.call('sys.argspec', ['test.sleep'])).return as Record<string, unknown>;
    assert.deepEqual(a['test.sleep'], { args: ['length', 'fixed'], defaults: [false], varargs: null, kwargs: null });
  });
});
