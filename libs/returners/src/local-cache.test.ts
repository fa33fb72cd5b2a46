import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger, type Logger } from '@tsalt/core';
import { compileConfig, keepJobsSeconds, masterConfig } from '@tsalt/config';
import { Registry, definePlugin } from '@tsalt/loader';
import { isJid, jidFromDate } from '@tsalt/job';
import { jobCacheFrom, returnerPlugins, type JobCache } from './index.js';
import { jobCacheContract } from './testing/index.js';
import { LocalCacheStore } from './local-cache/store.js';

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-jobcache-'));
}

/** A logger that keeps warning messages, to check what an operator would see. */
function recordingLogger(warnings: string[]): Logger {
  const log = silentLogger();
  log.warn = (a: unknown, b?: unknown) => {
    warnings.push(typeof a === 'string' ? a : String(b));
  };
  return log;
}

function makeCache(
  opts: Record<string, unknown> = {},
  log: Logger = silentLogger(),
  services: Record<string, unknown> = {},
) {
  const dir = tmpdir();
  const o = masterConfig({ cachedir: dir, keep_jobs: 24, keep_jobs_seconds: 86400, ...opts });
  const reg = new Registry({ kind: 'returner', opts: o, log, services }, returnerPlugins());
  return {
    dir,
    opts: o,
    reg,
    cache: jobCacheFrom(reg, 'local_cache'),
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

jobCacheContract('local_cache', async () => {
  const h = makeCache();
  return {
    cache: h.cache,
    cleanup: h.cleanup,
    setKeepSeconds: (s: number) => {
      // Start-up compiles the retention once; a test that changes it recompiles.
      Object.assign(h.opts, compileConfig('master', { ...h.opts, keep_jobs_seconds: s }));
    },
  };
});

async function job(cache: JobCache, minions: string[]): Promise<string> {
  const jid = await cache.prepJid();
  await cache.saveLoad(jid, { fun: 'test.ping', arg: [], tgt: '*', tgt_type: 'glob', jid, user: 'root' }, minions);
  return jid;
}

function ret(jid: string, id: string, value: unknown = true) {
  return { id, jid, fun: 'test.ping', fun_args: [], return: value, retcode: 0, success: true };
}

test('layout: an hour bucket holds two files per job, however many minions return', async () => {
  const h = makeCache();
  try {
    const ids = Array.from({ length: 300 }, (_, i) => `minion-${i}`);
    const jid = await job(h.cache, ids);
    for (const id of ids) await h.cache.returner(ret(jid, id, { id }));
    const bucket = path.join(h.dir, 'jobs', jid.slice(0, 10));
    assert.deepEqual(fs.readdirSync(bucket).sort(), [`${jid}.load.p`, `${jid}.ret.p`]);
    assert.equal(fs.statSync(path.join(bucket, `${jid}.ret.p`)).mode & 0o777, 0o600);
    assert.equal(Object.keys(await h.cache.getJid(jid)).length, 300);
  } finally {
    await h.cleanup();
  }
});

test('a truncated last record is ignored, then repaired before the next append', async () => {
  const warnings: string[] = [];
  const h = makeCache({}, recordingLogger(warnings));
  try {
    const jid = await job(h.cache, ['m1', 'm2']);
    await h.cache.returner(ret(jid, 'm1', 'x'.repeat(100)));
    const file = path.join(h.dir, 'jobs', jid.slice(0, 10), `${jid}.ret.p`);
    const whole = fs.readFileSync(file);
    // A crash mid-append: half of a second record.
    fs.appendFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
    assert.deepEqual(Object.keys(await h.cache.getJid(jid)), ['m1']);
    // A new process (fresh store) appends after repairing the tail.
    const store = new LocalCacheStore(path.join(h.dir, 'jobs'));
    assert.equal(store.addReturn(jid, { id: 'm2', return: 'ok' }, recordingLogger(warnings)), true);
    assert.deepEqual(Object.keys(store.getJid(jid)), ['m1', 'm2']);
    assert.ok(warnings.some((w) => w.includes('truncated')));
  } finally {
    await h.cleanup();
  }
});

test('duplicate returns: warned about, and detected from the file by a fresh process', async () => {
  const warnings: string[] = [];
  const h = makeCache({}, recordingLogger(warnings));
  try {
    const jid = await job(h.cache, ['m1']);
    await h.cache.returner(ret(jid, 'm1', 'first'));
    await h.cache.returner(ret(jid, 'm1', 'second'));
    assert.deepEqual(warnings, [
      'An extra return was detected from minion m1, please verify the minion, this could be a replay attack',
    ]);
    const store = new LocalCacheStore(path.join(h.dir, 'jobs'));
    assert.equal(store.addReturn(jid, { id: 'm1', return: 'third' }, silentLogger()), false);
    assert.equal((await h.cache.getJid(jid))['m1']?.return, 'first');
  } finally {
    await h.cleanup();
  }
});

test('nocache jobs keep no returns; jid "req" gets a fresh jid', async () => {
  const h = makeCache();
  try {
    const jid = await h.cache.prepJid(true);
    await h.cache.returner(ret(jid, 'm1'));
    assert.deepEqual(await h.cache.getJid(jid), {});
    const answer = await h.reg.call('local_cache.returner', [{ ...ret('req', 'lonely'), fun: 'state.apply' }]);
    assert.equal(answer.return, undefined);
    assert.deepEqual(await h.cache.getMinions(), ['lonely']);
    const got = await h.cache.getFun('state.apply');
    assert.ok(isJid(got['lonely'] && (got['lonely'] as Record<string, unknown>)['jid']));
  } finally {
    await h.cleanup();
  }
});

test('endtime, syndic minion lists and the checkMinions service', async () => {
  const h = makeCache({}, silentLogger(), {
    checkMinions: async (tgt: unknown) => (tgt === 'web*' ? ['web1', 'web2'] : []),
  });
  try {
    const jid = await h.cache.prepJid();
    await h.cache.saveLoad(jid, { fun: 'test.ping', tgt: 'web*', tgt_type: 'glob', jid });
    await h.reg.call('local_cache.save_minions', [jid, ['edge1'], 'syndic-a']);
    assert.deepEqual((await h.cache.getLoad(jid))['Minions'], ['edge1', 'web1', 'web2']);
    assert.equal((await h.reg.call('local_cache.get_endtime', [jid])).return, false);
    await h.reg.call('local_cache.update_endtime', [jid, '2024, Mar 16 19:00:01.000001']);
    assert.equal((await h.reg.call('local_cache.get_endtime', [jid])).return, '2024, Mar 16 19:00:01.000001');
    await h.cache.returner(ret(jid, 'web1'));
    assert.deepEqual(Object.keys(await h.cache.getJid(jid)), ['web1']);
  } finally {
    await h.cleanup();
  }
});

test('clean_old_jobs removes whole old buckets, empty past buckets, and leaves foreign files', async () => {
  const h = makeCache({ keep_jobs: 1 }); // edited keep_jobs (hours) wins over keep_jobs_seconds
  try {
    const old = jidFromDate(new Date(Date.now() - 5 * 3600_000));
    await h.cache.prepJid(false, old);
    await h.cache.saveLoad(old, { fun: 'test.ping', jid: old });
    const emptyBucket = path.join(h.dir, 'jobs', jidFromDate(new Date(Date.now() - 2 * 3600_000)).slice(0, 10));
    fs.mkdirSync(emptyBucket, { recursive: true });
    fs.writeFileSync(path.join(h.dir, 'jobs', 'README'), 'not ours');
    const fresh = await job(h.cache, ['m1']);
    await h.cache.cleanOldJobs();
    assert.deepEqual(fs.readdirSync(path.join(h.dir, 'jobs')).sort(), [fresh.slice(0, 10), 'README'].sort());
  } finally {
    await h.cleanup();
  }
});

test('keepJobsSeconds honours an edited keep_jobs, else keep_jobs_seconds', () => {
  assert.equal(keepJobsSeconds({}), 86400);
  assert.equal(keepJobsSeconds({ keep_jobs: 24, keep_jobs_seconds: 60 }), 60);
  assert.equal(keepJobsSeconds({ keep_jobs: 2, keep_jobs_seconds: 60 }), 7200);
  assert.equal(keepJobsSeconds({ keep_jobs: 0, keep_jobs_seconds: 60 }), 0);
});

test('jobCacheFrom refuses a returner that is missing or cannot serve as the job cache', () => {
  const log = silentLogger();
  const onlyReturner = definePlugin({
    name: 'syslog',
    functions: { returner: { doc: 'x', params: ['ret'], fn: () => undefined } },
  });
  const off = definePlugin({ name: 'mysql', virtual: () => 'mysql2 is not configured', functions: {} });
  const reg = new Registry({ kind: 'returner', opts: {}, log }, [onlyReturner, off]);
  assert.throws(() => jobCacheFrom(reg, 'nope'), {
    code: 'RETURNER_MISSING',
    message: "Returner 'nope' is not available",
  });
  assert.throws(() => jobCacheFrom(reg, 'mysql'), {
    code: 'RETURNER_MISSING',
    message: "Returner 'mysql' is not available: mysql2 is not configured",
  });
  assert.throws(() => jobCacheFrom(reg, 'syslog'), {
    code: 'RETURNER_MISSING',
    message: "Returner 'syslog' does not support function prep_jid",
  });
});
