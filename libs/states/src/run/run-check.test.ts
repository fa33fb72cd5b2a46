import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SaltCall } from '../types.js';
import { chunk, FakeStates, resultOf, run } from './fake-states.js';

const T = { timeout: 10_000 };

let tmp = '';
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-runcheck-'));
  fs.writeFileSync(path.join(tmp, 'here'), '');
});
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs one chunk with `extra` and returns its result and whether its function was called. */
async function one(extra: Record<string, unknown>, opts: { test?: boolean; hasRunCheck?: boolean } = {}) {
  const s = new FakeStates();
  if (opts.hasRunCheck === true) {
    const has = s.hasState;
    Object.assign(s, { hasState: (f: string) => f === 'test.mod_run_check' || has(f) });
  }
  const c = chunk('a', extra);
  const res = await run([c], s, { test: opts.test ?? false });
  return { r: resultOf(res, c), called: s.calls.length > 0, calls: s.calls };
}

describe('unless', () => {
  it('skips the state when the command succeeds', T, async () => {
    const { r, called } = await one({ unless: 'true' });
    assert.equal(called, false);
    assert.equal(r.result, true);
    assert.equal(r.comment, 'unless condition is true');
    assert.deepEqual(r.changes, {});
    assert.equal(r.skip_watch, true);
    assert.equal(r.__run_num__, 0);
    assert.equal(r.__id__, 'a');
    assert.match(r.start_time, /^\d\d:\d\d:\d\d/);
  });

  it('runs the state when the command fails', T, async () => {
    const { r, called } = await one({ unless: 'exit 3' });
    assert.equal(called, true);
    assert.equal(r.comment, 'nop ran');
  });

  it('a list: skips only when every command succeeds', T, async () => {
    assert.equal((await one({ unless: ['true', 'test -e /'] })).called, false);
    assert.equal((await one({ unless: ['true', 'false'] })).called, true);
  });

  it('runs in test mode too', T, async () => {
    const { r, called } = await one({ unless: 'true' }, { test: true });
    assert.equal(called, false);
    assert.equal(r.result, true);
  });

  it('the command gets the chunk cwd', T, async () => {
    assert.equal((await one({ unless: 'test -e here', cwd: tmp })).called, false);
    assert.equal((await one({ unless: 'test -e here', cwd: tmp, cmd_opts_exclude: 'cwd' })).called, true);
  });
});

describe('onlyif', () => {
  it('skips the state when the command fails', T, async () => {
    const { r, called } = await one({ onlyif: 'false' });
    assert.equal(called, false);
    assert.equal(r.result, true);
    assert.equal(r.comment, 'onlyif condition is false');
  });

  it('runs when every command succeeds, not when one fails', T, async () => {
    assert.equal((await one({ onlyif: 'true' })).called, true);
    assert.equal((await one({ onlyif: ['true', 'true'] })).called, true);
    assert.equal((await one({ onlyif: ['true', 'exit 1'] })).called, false);
  });

  it('with unless: either one saying skip skips', T, async () => {
    const both = await one({ onlyif: 'false', unless: 'false' });
    assert.equal(both.called, false);
    assert.equal(both.r.comment, 'onlyif condition is false\nunless condition is false');
    assert.equal((await one({ onlyif: 'true', unless: 'false' })).called, true);
  });

  it('a function entry: its truthiness decides', T, async () => {
    const calls: unknown[] = [];
    const salt: SaltCall = (fun, args, kwargs) => {
      calls.push([fun, args, kwargs]);
      return Promise.resolve(fun === 'file.file_exists' ? { a: [] } : null);
    };
    const s = new FakeStates();
    const c1 = chunk('c1', { onlyif: [{ fun: 'file.file_exists', args: ['/x'], get_return: 'a' }] });
    const c2 = chunk('c2', { onlyif: [{ fun: 'file.file_exists', path: '/y' }] });
    const res = await run([c1, c2], s, { salt });
    assert.equal(resultOf(res, c1).comment, 'onlyif condition is false');
    assert.equal(resultOf(res, c2).comment, 'nop ran');
    assert.deepEqual(calls, [
      ['file.file_exists', ['/x'], {}],
      ['file.file_exists', [], { path: '/y' }],
    ]);
  });

  it('passes python_shell and ignore_retcode to cmd.retcode', T, async () => {
    const calls: unknown[] = [];
    const salt: SaltCall = (fun, args, kwargs) => {
      calls.push([fun, args, kwargs]);
      return Promise.resolve(0);
    };
    await run([chunk('a', { onlyif: 'echo hi', runas: 'nobody' })], new FakeStates(), { salt, shell: '/bin/bash' });
    assert.deepEqual(calls, [
      ['cmd.retcode', ['echo hi'], { runas: 'nobody', shell: '/bin/bash', python_shell: true, ignore_retcode: true }],
    ]);
  });
});

describe('creates', () => {
  it('a path that exists skips the state', T, async () => {
    const p = path.join(tmp, 'here');
    const { r, called } = await one({ creates: p });
    assert.equal(called, false);
    assert.equal(r.comment, `${p} exists`);
    assert.equal(r.result, true);
  });

  it('a list skips only when every path exists', T, async () => {
    const { r, called } = await one({ creates: [path.join(tmp, 'here'), tmp] });
    assert.equal(called, false);
    assert.equal(r.comment, 'All files in creates exist');
    assert.equal((await one({ creates: [path.join(tmp, 'here'), path.join(tmp, 'nope')] })).called, true);
    assert.equal((await one({ creates: path.join(tmp, 'nope') })).called, true);
  });
});

describe('mod_run_check and check_cmd', () => {
  it('a state module with mod_run_check gets unless itself', T, async () => {
    const { called, calls } = await one({ unless: 'true' }, { hasRunCheck: true });
    assert.equal(called, true);
    assert.equal(calls[0]?.chunk.unless, 'true');
  });

  it('check_cmd decides the result after the state ran', T, async () => {
    const ok = await one({ check_cmd: ['true'] });
    assert.equal(ok.called, true);
    assert.equal(ok.r.result, true);
    assert.equal(ok.r.comment, 'check_cmd determined the state succeeded');
    const bad = await one({ check_cmd: ['true', 'false'] });
    assert.equal(bad.r.result, false);
    assert.equal(bad.r.comment, 'check_cmd determined the state failed');
  });
});
