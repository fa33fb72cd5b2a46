import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { genJid, JOB_CONTROL_SERVICE, writeCachedJob, writeProcFile, type JobControl } from '@tsalt/job';
import { executionModulePlugins } from './index.js';

const T = { timeout: 10_000 };
let dir = '';
const children: ChildProcess[] = [];

function registry(extra: Record<string, unknown> = {}, services: Record<string, unknown> = {}): Registry {
  return new Registry(
    { kind: 'module', opts: minionConfig({ cachedir: dir, ...extra }), log: silentLogger(), services },
    executionModulePlugins(),
  );
}

async function call(
  fun: string,
  args: unknown[] = [],
  reg = registry(),
  jid?: string,
): Promise<{ return: unknown; retcode: number }> {
  return reg.call(fun, args, {}, jid === undefined ? {} : { jid });
}

/** A real `sleep` with a proc file naming it, as the minion writes one. */
function startJob(fun = 'cmd.run'): { jid: string; child: ChildProcess; pid: number } {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  const jid = genJid();
  const pid = child.pid!;
  writeProcFile(dir, { fun, arg: ['sleep 30'], jid, tgt: 'm1', tgt_type: 'glob', user: 'root', ret: '' }, pid);
  return { jid, child, pid };
}

async function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.signalCode;
  const [, signal] = (await once(child, 'exit', { signal: AbortSignal.timeout(5000) })) as [number, NodeJS.Signals];
  return signal;
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-saltutil-'));
});
after(() => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('saltutil', () => {
  it('running, find_job and is_running read the proc files', T, async () => {
    const { jid, child, pid } = startJob('test.sleep');
    const list = (await call('saltutil.running')).return as Record<string, unknown>[];
    const mine = list.find((d) => d['jid'] === jid);
    assert.equal(mine?.['pid'], pid);
    assert.equal(mine?.['fun'], 'test.sleep');
    assert.deepEqual((await call('saltutil.find_job', [jid])).return, mine);
    assert.deepEqual((await call('saltutil.is_running', ['test.*'])).return, [mine]);
    assert.deepEqual((await call('saltutil.is_running', ['cmd.*'])).return, []);
    // A job never sees itself (Salt skips its own process).
    assert.deepEqual((await call('saltutil.find_job', [jid], registry(), jid)).return, {});
    assert.equal(
      ((await call('saltutil.running', [], registry(), jid)).return as unknown[]).some(
        (d) => (d as { jid: string }).jid === jid,
      ),
      false,
    );
    child.kill('SIGKILL');
    await exited(child);
    assert.deepEqual((await call('saltutil.find_job', [jid])).return, {});
    assert.equal(fs.existsSync(path.join(dir, 'proc', jid)), false, 'a stale proc file is removed');
  });

  it("signal_job, term_job and kill_job signal the job process: Salt's wording", T, async () => {
    const a = startJob();
    assert.deepEqual(await call('saltutil.signal_job', [a.jid, 'SIGTERM']), {
      return: `Signal 15 sent to job ${a.jid} at pid ${a.pid}`,
      retcode: 0,
    });
    assert.equal(await exited(a.child), 'SIGTERM');
    const b = startJob();
    assert.equal((await call('saltutil.kill_job', [b.jid])).return, `Signal 9 sent to job ${b.jid} at pid ${b.pid}`);
    assert.equal(await exited(b.child), 'SIGKILL');
    const c = startJob();
    assert.equal((await call('saltutil.term_job', [c.jid])).return, `Signal 15 sent to job ${c.jid} at pid ${c.pid}`);
    assert.equal(await exited(c.child), 'SIGTERM');
    const d = startJob();
    assert.equal(
      (await call('saltutil.signal_job', [d.jid, 9])).return,
      `Signal 9 sent to job ${d.jid} at pid ${d.pid}`,
    );
    await exited(d.child);
    // Gone now: one line naming the jid.
    assert.deepEqual(await call('saltutil.kill_job', [d.jid]), {
      return: `Job ${d.jid} is not running on this minion`,
      retcode: 0,
    });
  });

  it('kill_all_jobs and term_all_jobs reach every job', T, async () => {
    const jobs = [startJob(), startJob()];
    const r = (await call('saltutil.kill_all_jobs')).return as string[];
    assert.deepEqual([...r].sort(), jobs.map((j) => `Signal 9 sent to job ${j.jid} at pid ${j.pid}`).sort());
    for (const j of jobs) assert.equal(await exited(j.child), 'SIGKILL');
    assert.deepEqual((await call('saltutil.term_all_jobs')).return, []);
  });

  it('bad input: a bad jid or signal is one line with retcode 1', T, async () => {
    for (const fun of ['saltutil.find_job', 'saltutil.kill_job', 'saltutil.term_job', 'saltutil.find_cached_job']) {
      const r = await call(fun, ['notajid']);
      assert.deepEqual(r, { return: 'Invalid jid: "notajid"', retcode: 1 }, fun);
    }
    assert.deepEqual(await call('saltutil.signal_job', ['../../etc', 9]), {
      return: 'Invalid jid: "../../etc"',
      retcode: 1,
    });
    const a = startJob();
    assert.deepEqual(await call('saltutil.signal_job', [a.jid, 'SIGNOPE']), {
      return: 'Invalid signal: "SIGNOPE"',
      retcode: 1,
    });
    a.child.kill('SIGKILL');
    await exited(a.child);
  });

  it("the daemon's JobControl: its pid is refused, and it can veto a signal", T, async () => {
    const a = startJob();
    const refuse: JobControl = { daemonPid: a.pid };
    const r = await call('saltutil.kill_job', [a.jid], registry({}, { [JOB_CONTROL_SERVICE]: refuse }));
    assert.equal(r.retcode, 1);
    assert.match(String(r.return), /refusing to signal/);
    const notes: unknown[] = [];
    const veto: JobControl = { daemonPid: 1, willSignal: async (...n) => (notes.push(n), false) };
    assert.equal(
      (await call('saltutil.kill_job', [a.jid], registry({}, { [JOB_CONTROL_SERVICE]: veto }))).return,
      `Job ${a.jid} is not running on this minion`,
    );
    assert.deepEqual(notes, [[a.jid, a.pid, 9]]);
    assert.equal(a.child.exitCode, null, 'still running');
    const allow: JobControl = { daemonPid: 1, willSignal: async () => true };
    assert.match(
      String((await call('saltutil.kill_job', [a.jid], registry({}, { [JOB_CONTROL_SERVICE]: allow }))).return),
      /^Signal 9 sent/,
    );
    assert.equal(await exited(a.child), 'SIGKILL');
  });

  it('a job in the minion process itself is never signalled', T, async () => {
    const jid = genJid();
    writeProcFile(dir, { fun: 'test.sleep', jid }, process.pid);
    const r = await call('saltutil.kill_job', [jid]);
    assert.match(String(r.return), /runs inside the minion process/);
    fs.rmSync(path.join(dir, 'proc', jid));
  });

  it("find_cached_job: Salt's messages, then the cached return", T, async () => {
    const jid = genJid();
    assert.equal(
      (await call('saltutil.find_cached_job', [jid])).return,
      'Local jobs cache directory not found; you may need to enable cache_jobs on this minion',
    );
    assert.equal(
      (await call('saltutil.find_cached_job', [jid], registry({ cache_jobs: true }))).return,
      `Local jobs cache directory ${path.join(dir, 'minion_jobs', jid)} not found`,
    );
    writeCachedJob(dir, jid, { jid, fun: 'test.ping', return: true, retcode: 0, success: true });
    assert.deepEqual((await call('saltutil.find_cached_job', [jid])).return, {
      jid,
      fun: 'test.ping',
      return: true,
      retcode: 0,
      success: true,
    });
  });
});
