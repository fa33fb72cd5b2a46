import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { executionModulePlugins } from './index.js';
import type { FileClientService } from './context.js';

const T = { timeout: 10_000 };
const log = silentLogger();
const reg = new Registry({ kind: 'module', opts: minionConfig(), log }, executionModulePlugins());
const cli = { __pub_jid: '20240101000000000001' };

describe('cmd.script, exec_code, which_bin', () => {
  let dir: string;
  let script: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-cmd-script-'));
    script = path.join(dir, 'run.sh');
    fs.writeFileSync(script, '#!/bin/sh\necho "args: $*"; echo err >&2; exit 3\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("runs a local script with args and returns run_all's dict", T, async () => {
    const r = await reg.call('cmd.script', [script, '"a b" c'], { ...cli, cwd: dir });
    const ret = r.return as Record<string, unknown>;
    assert.equal(ret['stdout'], 'args: a b c');
    assert.equal(ret['stderr'], 'err');
    assert.equal(ret['retcode'], 3);
    assert.equal(r.retcode, 3);
    // The private copy is gone: only the original is left in cwd.
    assert.deepEqual(fs.readdirSync(dir), ['run.sh']);
  });
  it('script_retcode returns the exit code', T, async () => {
    assert.equal((await reg.call('cmd.script_retcode', [script], cli)).return, 3);
  });
  it('a missing source gives cache_error and retcode 1; a relative path is an error', T, async () => {
    const r = await reg.call('cmd.script', [path.join(dir, 'nope.sh')], cli);
    assert.deepEqual(r.return, { pid: 0, retcode: 1, stdout: '', stderr: '', cache_error: true });
    assert.equal(r.retcode, 1);
    await assert.rejects(reg.call('cmd.script', ['run.sh'], cli), /Path 'run.sh' is not absolute/);
  });
  it('salt:// goes through the injected file client', T, async () => {
    const asked: string[] = [];
    const cacheFile: FileClientService['cacheFile'] = (source, saltenv) => {
      asked.push(`${saltenv}:${source}`);
      return Promise.resolve(source === 'salt://run.sh' ? script : null);
    };
    // Only cacheFile is used by cmd.script.
    const fileClient = { cacheFile } as Partial<FileClientService> as FileClientService;
    const withClient = new Registry(
      { kind: 'module', opts: minionConfig(), log, services: { fileClient } },
      executionModulePlugins(),
    );
    const r = await withClient.call('cmd.script', ['salt://run.sh', 'x'], cli);
    assert.equal((r.return as Record<string, unknown>)['stdout'], 'args: x');
    const missing = await withClient.call('cmd.script', ['salt://other.sh'], { ...cli, saltenv: 'dev' });
    assert.equal((missing.return as Record<string, unknown>)['cache_error'], true);
    assert.deepEqual(asked, ['base:salt://run.sh', 'dev:salt://other.sh']);
    // Without a file client, salt:// cannot be fetched.
    const none = await reg.call('cmd.script', ['salt://run.sh'], cli);
    assert.equal((none.return as Record<string, unknown>)['cache_error'], true);
  });
  it('exec_code runs code through an interpreter, with args', T, async () => {
    const out = await reg.call('cmd.exec_code', ['sh', 'echo "got $1 $2"'], { args: ['x', 'y'] });
    assert.equal(out.return, 'got x y');
    const all = (await reg.call('cmd.exec_code_all', ['sh', 'echo o; echo e >&2; exit 2'])).return;
    assert.deepEqual({ ...(all as Record<string, unknown>), pid: 0 }, { pid: 0, retcode: 2, stdout: 'o', stderr: 'e' });
  });
  it('which_bin returns the first found, or None', T, async () => {
    assert.match(String((await reg.call('cmd.which_bin', [['no-such-xyz', 'sh']])).return), /\/sh$/);
    assert.equal((await reg.call('cmd.which_bin', [['no-such-xyz']])).return, null);
    assert.match(String((await reg.call('cmd.which_bin', ['sh'])).return), /\/sh$/);
  });
});
