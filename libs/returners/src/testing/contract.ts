import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isJid, jidFromDate, jidToTime } from '@tsalt/job';
import type { JobCache, ReturnLoad } from '../types.js';

/** What a job cache implementation hands the contract: a fresh, empty cache per test. */
export interface JobCacheHarness {
  cache: JobCache;
  cleanup: () => Promise<void>;
  /** Changes the retention (keep_jobs_seconds) the cache sees; the retention case is skipped without it. */
  setKeepSeconds?: (s: number) => void;
  /**
   * False for a cache that, like Salt's mysql returner, does not keep the
   * expected-minion lists (save_minions is a no-op, get_load has no Minions).
   * @default true
   */
  storesMinions?: boolean;
}

// Every test and hook is bounded: a hung backend fails the run instead of stalling it.
const TIMEOUT_MS = 10_000;

function publishLoad(jid: string, fun = 'test.ping', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { cmd: 'publish', fun, arg: [], tgt: '*', tgt_type: 'glob', jid, user: 'root', ret: '', ...extra };
}

function ret(jid: string, id: string, value: unknown, extra: Partial<ReturnLoad> = {}): ReturnLoad {
  return { id, jid, fun: 'test.ping', fun_args: [], return: value, retcode: 0, success: true, ...extra };
}

function badJid(e: unknown): boolean {
  return (e as { code?: unknown }).code === 'BAD_JID';
}

/**
 * The one contract every job cache passes (local_cache now, mysql later).
 * Call it from a test file; each case gets a fresh cache from `make`.
 */
export function jobCacheContract(label: string, make: () => Promise<JobCacheHarness>): void {
  describe(`JobCache contract: ${label}`, () => {
    let h: JobCacheHarness | undefined;
    beforeEach(
      async () => {
        h = await make();
      },
      { timeout: TIMEOUT_MS },
    );
    afterEach(
      async () => {
        await h?.cleanup();
        h = undefined;
      },
      { timeout: TIMEOUT_MS },
    );
    const it = (name: string, fn: (c: JobCache, harness: JobCacheHarness) => Promise<void>): void => {
      test(name, { timeout: TIMEOUT_MS }, async () => {
        assert.ok(h, 'harness was not created');
        await fn(h.cache, h);
      });
    };

    it('prep_jid hands out distinct jids, or the passed one', async (c) => {
      const jids = await Promise.all(Array.from({ length: 50 }, () => c.prepJid()));
      assert.equal(new Set(jids).size, 50);
      for (const j of jids) assert.ok(isJid(j), j);
      const passed = jidFromDate(new Date(Date.now() - 5000));
      assert.equal(await c.prepJid(false, passed), passed);
    });

    it('save_load / get_load round trip, with Minions', async (c, harness) => {
      const minions = harness.storesMinions !== false;
      const jid = await c.prepJid();
      const load = publishLoad(jid, 'test.arg', { arg: ['a', 1, { k: 'v' }], kwargs: { delimiter: ':' } });
      await c.saveLoad(jid, load, ['m2', 'm1']);
      assert.deepEqual(await c.getLoad(jid), minions ? { ...load, Minions: ['m1', 'm2'] } : load);
      const jid2 = await c.prepJid();
      await c.saveLoad(jid2, publishLoad(jid2));
      await c.saveMinions(jid2, ['web1', 'db1']);
      assert.deepEqual((await c.getLoad(jid2))['Minions'], minions ? ['db1', 'web1'] : undefined);
    });

    it('returner + get_jid', async (c) => {
      const jid = await c.prepJid();
      await c.saveLoad(jid, publishLoad(jid, 'state.apply'), ['m1', 'm2', 'm3']);
      await c.returner(
        ret(jid, 'm1', { 'file_|-x_|-/tmp/x_|-managed': { result: true } }, { fun: 'state.apply', out: 'highstate' }),
      );
      await c.returner(ret(jid, 'm2', 'boom', { fun: 'state.apply', retcode: 1, success: false }));
      assert.deepEqual(await c.getJid(jid), {
        m1: {
          return: { 'file_|-x_|-/tmp/x_|-managed': { result: true } },
          retcode: 0,
          success: true,
          out: 'highstate',
        },
        m2: { return: 'boom', retcode: 1, success: false },
      });
    });

    it('a second return from the same minion is ignored', async (c) => {
      const jid = await c.prepJid();
      await c.saveLoad(jid, publishLoad(jid), ['m1']);
      await c.returner(ret(jid, 'm1', true));
      await c.returner(ret(jid, 'm1', 'replayed', { retcode: 3, success: false }));
      assert.deepEqual(await c.getJid(jid), { m1: { return: true, retcode: 0, success: true } });
    });

    it('get_jids formats every job as Salt does', async (c) => {
      const jid = await c.prepJid();
      await c.saveLoad(
        jid,
        publishLoad(jid, 'cmd.run', {
          arg: ['uptime'],
          tgt: 'web*',
          user: 'alice',
          kwargs: { metadata: { ticket: 'T-1' } },
        }),
      );
      const jid2 = await c.prepJid();
      await c.saveLoad(jid2, { jid: jid2 });
      const all = await c.getJids();
      assert.deepEqual(all[jid], {
        Function: 'cmd.run',
        Arguments: ['uptime'],
        Target: 'web*',
        'Target-type': 'glob',
        User: 'alice',
        StartTime: jidToTime(jid),
        Metadata: { ticket: 'T-1' },
      });
      assert.deepEqual(all[jid2], {
        Function: 'unknown-function',
        Arguments: [],
        Target: 'unknown-target',
        'Target-type': 'list',
        User: 'root',
        StartTime: jidToTime(jid2),
      });
      assert.match(all[jid].StartTime, /^\d{4}, [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    });

    it('get_jids_filter keeps the newest jobs and drops saltutil.find_job', async (c) => {
      const jids: string[] = [];
      for (const fun of ['test.ping', 'cmd.run', 'saltutil.find_job', 'test.version']) {
        const jid = await c.prepJid();
        await c.saveLoad(jid, publishLoad(jid, fun));
        jids.push(jid);
      }
      const two = await c.getJidsFilter(2);
      assert.deepEqual(Object.keys(two).sort(), [jids[1], jids[3]]);
      assert.equal(two[jids[3]!]!.Function, 'test.version');
      assert.deepEqual(Object.keys(await c.getJidsFilter(2, false)).sort(), [jids[2], jids[3]]);
    });

    it('get_fun answers the newest return of that function per minion', async (c) => {
      const older = await c.prepJid();
      await c.saveLoad(older, publishLoad(older, 'test.version'));
      await c.returner(ret(older, 'm1', '1.0', { fun: 'test.version' }));
      await c.returner(ret(older, 'm2', '1.0', { fun: 'test.version' }));
      const other = await c.prepJid();
      await c.saveLoad(other, publishLoad(other));
      await c.returner(ret(other, 'm1', true));
      const newer = await c.prepJid();
      await c.saveLoad(newer, publishLoad(newer, 'test.version'));
      await c.returner(ret(newer, 'm1', '2.0', { fun: 'test.version' }));
      const got = await c.getFun('test.version');
      assert.deepEqual(Object.keys(got).sort(), ['m1', 'm2']);
      assert.equal((got['m1'] as Record<string, unknown>)['return'], '2.0');
      assert.equal((got['m1'] as Record<string, unknown>)['jid'], newer);
      assert.equal((got['m2'] as Record<string, unknown>)['return'], '1.0');
      assert.deepEqual(await c.getFun('nothing.here'), {});
    });

    it('get_minions lists every minion that returned', async (c) => {
      for (const ids of [
        ['b', 'a'],
        ['c', 'a'],
      ]) {
        const jid = await c.prepJid();
        await c.saveLoad(jid, publishLoad(jid));
        for (const id of ids) await c.returner(ret(jid, id, true));
      }
      assert.deepEqual([...(await c.getMinions())].sort(), ['a', 'b', 'c']);
    });

    it('clean_old_jobs drops jobs past the retention and keeps new ones', async (c, harness) => {
      if (!harness.setKeepSeconds) return;
      const now = Date.now();
      const stale = [jidFromDate(new Date(now - 3 * 3600_000)), jidFromDate(new Date(now - 30_000))];
      for (const jid of stale) {
        await c.prepJid(false, jid);
        await c.saveLoad(jid, publishLoad(jid), ['m1']);
        await c.returner(ret(jid, 'm1', 'old'));
      }
      const fresh = await c.prepJid();
      await c.saveLoad(fresh, publishLoad(fresh), ['m1']);
      await c.returner(ret(fresh, 'm1', 'new'));

      harness.setKeepSeconds(0); // 0 keeps forever
      await c.cleanOldJobs();
      for (const jid of stale) assert.equal((await c.getLoad(jid))['jid'], jid);

      harness.setKeepSeconds(2);
      await c.cleanOldJobs();
      for (const jid of stale) {
        assert.deepEqual(await c.getLoad(jid), {});
        assert.deepEqual(await c.getJid(jid), {});
      }
      assert.deepEqual(Object.keys(await c.getJids()), [fresh]);
      assert.deepEqual(await c.getJid(fresh), { m1: { return: 'new', retcode: 0, success: true } });
    });

    it('an unknown jid answers {}', async (c) => {
      const jid = jidFromDate(new Date(Date.now() - 86_400_000));
      assert.deepEqual(await c.getLoad(jid), {});
      assert.deepEqual(await c.getJid(jid), {});
    });

    it('a bad jid is rejected everywhere with BAD_JID', async (c) => {
      for (const jid of ['../../etc/passwd', '20190724155501240253/../x', 'abc', '']) {
        await assert.rejects(c.getLoad(jid), badJid, jid);
        await assert.rejects(c.getJid(jid), badJid, jid);
        await assert.rejects(c.saveLoad(jid, publishLoad(jid)), badJid, jid);
        await assert.rejects(c.returner(ret(jid, 'm1', true)), badJid, jid);
      }
      await assert.rejects(c.prepJid(false, '../x'), badJid);
    });
  });
}
