import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { executionModulePlugins, killJobProcesses } from './index.js';
import type { RunAllResult } from './index.js';

const T = { timeout: 10_000 };
const reg = new Registry({ kind: 'module', opts: minionConfig(), log: silentLogger() }, executionModulePlugins());
const run = (fun: string, args: unknown[], kwargs: Record<string, unknown> = {}, jid?: string) =>
  reg.call(fun, args, kwargs, jid === undefined ? {} : { jid });

/** Alive and not a zombie (a container's pid 1 may never reap orphans). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

let tmp = '';
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-cmd-'));
});
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('cmd.run', () => {
  it('merges stderr into stdout in write order, and rstrips', T, async () => {
    const r = await run('cmd.run', [`sh -c 'echo out; echo err >&2; echo out2; echo'`]);
    assert.deepEqual(r, { return: 'out\nerr\nout2', retcode: 0 });
  });
  it('a non-zero exit sets the retcode, unless ignore_retcode', T, async () => {
    const r = await run('cmd.run', [`sh -c 'echo no; exit 3'`]);
    assert.deepEqual(r, { return: 'no', retcode: 3 });
    assert.equal((await run('cmd.run', ['false'], { ignore_retcode: true })).retcode, 0);
    assert.equal((await run('cmd.run', [`sh -c 'exit 3'`], { success_retcodes: [3] })).retcode, 0);
  });
  it('exit by signal is 128+n', T, async () => {
    assert.equal((await run('cmd.run', [`sh -c 'kill -TERM $$'`])).retcode, 143);
  });
  it('cwd: given, and the home directory by default', T, async () => {
    assert.equal((await run('cmd.run', ['pwd'], { cwd: tmp })).return, tmp);
    assert.equal((await run('cmd.run', ['pwd'])).return, fs.realpathSync(os.homedir()));
    await assert.rejects(run('cmd.run', ['pwd'], { cwd: 'relative/dir' }), { code: 'CWD_INVALID' });
  });
  it('env is merged over the minion env; clean_env keeps only env', T, async () => {
    process.env['TSALT_TEST_INHERITED'] = 'inherited';
    try {
      const r = await run('cmd.run', [`sh -c 'echo $FOO-$TSALT_TEST_INHERITED-$LC_ALL-$LC_CTYPE'`], {
        env: { FOO: 'bar', LC_ALL: 'x' },
      });
      assert.equal(r.return, 'bar-inherited-x-C');
      const clean = await run('cmd.run', [`/bin/sh -c 'echo $FOO-$TSALT_TEST_INHERITED'`], {
        env: { FOO: 1 },
        clean_env: true,
      });
      assert.equal(clean.return, '1-');
    } finally {
      delete process.env['TSALT_TEST_INHERITED'];
    }
  });
  it('stdin is written to the child; a typed \\n becomes a newline', T, async () => {
    assert.equal((await run('cmd.run', ['cat'], { stdin: 'hello\\nworld' })).return, 'hello\nworld');
    assert.equal((await run('cmd.run', ['cat'], { stdin: 'a\\nb', stdin_raw_newlines: true })).return, 'a\\nb');
  });
  it('python_shell false splits the command and runs it without a shell', T, async () => {
    assert.equal((await run('cmd.run', [`printf "%s|" "a b" c`])).return, 'a b|c|');
    assert.equal((await run('cmd.run', ['echo a | tr a b'])).return, 'a | tr a b');
    assert.equal((await run('cmd.run', ['echo a | tr a b'], { python_shell: true })).return, 'b');
  });
  it('python_shell defaults to true for a call from the CLI (it carries __pub_jid)', T, async () => {
    assert.equal((await run('cmd.run', ['echo a | tr a b'], { __pub_jid: '20240101000000000001' })).return, 'b');
    // A job's jid alone (a cross-call inside the job, a state) does not give a shell.
    assert.equal((await run('cmd.run', ['echo a | tr a b'], {}, '20240101000000000001')).return, 'a | tr a b');
    assert.equal((await run('cmd.shell', ['echo $((1+2))'])).return, '3');
  });
  it('a missing program is an error, not a shell message', T, async () => {
    await assert.rejects(run('cmd.run', ['no-such-program-xyz']), { code: 'CMD_SPAWN_FAILED' });
  });
  it('timeout kills the command and its children', T, async () => {
    const pidFile = path.join(tmp, 'child.pid');
    const t0 = Date.now();
    const r = await run('cmd.run', [`sleep 30 & echo $! > ${pidFile}; wait`], { python_shell: true, timeout: 0.5 });
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(r.retcode, 1);
    assert.match(String(r.return), / : Timed out after 0\.5 seconds$/);
    const child = Number(fs.readFileSync(pidFile, 'utf8').trim());
    assert.ok(child > 0);
    for (let i = 0; i < 50 && alive(child); i++) await delay(20);
    assert.equal(alive(child), false, `child ${child} survived the timeout`);
    const argv = await run('cmd.run', ['sleep 30'], { timeout: 0.2 });
    assert.equal(argv.return, "['sleep', '30'] : Timed out after 0.2 seconds");
  });
  it('killJobProcesses kills the process group of a job', T, async () => {
    const pending = run('cmd.run', ['sleep 30'], { python_shell: false }, 'job-kill-1');
    await delay(200);
    assert.equal(killJobProcesses('job-kill-1').length, 1);
    const r = await pending;
    assert.equal(r.retcode, 137);
  });
  it('umask', T, async () => {
    assert.equal((await run('cmd.run', [`sh -c umask`], { umask: '077' })).return, '0077');
  });
});

describe('cmd.run_all and friends', () => {
  it('run_all keeps the streams apart', T, async () => {
    const r = await run('cmd.run_all', [`sh -c 'echo o; echo e >&2; exit 2'`]);
    const ret = r.return as RunAllResult;
    assert.equal(typeof ret.pid, 'number');
    assert.deepEqual({ ...ret, pid: 0 }, { pid: 0, retcode: 2, stdout: 'o', stderr: 'e' });
    assert.equal(r.retcode, 2);
    const merged = (await run('cmd.run_all', [`sh -c 'echo e >&2'`], { redirect_stderr: true })).return as RunAllResult;
    assert.equal(merged.stdout, 'e');
  });
  it('run_stdout, run_stderr, retcode', T, async () => {
    const cmd = `sh -c 'echo o; echo e >&2; exit 4'`;
    assert.equal((await run('cmd.run_stdout', [cmd])).return, 'o');
    assert.equal((await run('cmd.run_stderr', [cmd])).return, 'e');
    assert.deepEqual(await run('cmd.retcode', [cmd]), { return: 4, retcode: 4 });
  });
  it('which and has_exec', T, async () => {
    assert.match(String((await run('cmd.which', ['sh'])).return), /\/sh$/);
    assert.equal((await run('cmd.which', ['no-such-program-xyz'])).return, null);
    assert.equal((await run('cmd.has_exec', ['sh'])).return, true);
  });
  it('run_bg returns a pid at once', T, async () => {
    const r = (await run('cmd.run_bg', ['sleep 0.1'])).return as { pid: number };
    assert.ok(r.pid > 0);
  });
});

describe('cmd runas', () => {
  const root = process.getuid?.() === 0;
  it('runs as another user when root', { ...T, skip: !root && 'needs root' }, async () => {
    const r = await run('cmd.run', ['id -u'], { runas: 'nobody' });
    assert.equal(r.return, '65534');
    // nobody's home does not exist, so Salt's rule falls back to /.
    assert.equal((await run('cmd.run', ['pwd'], { runas: 'nobody' })).return, '/');
  });
  it('an unknown user is an error naming it', T, async () => {
    await assert.rejects(run('cmd.run', ['id'], { runas: 'no-such-user-xyz' }), {
      code: 'RUNAS_FAILED',
      message: "User 'no-such-user-xyz' is not available",
    });
  });
});
