// Section `mysql` (issue 4): returns/s persisted into a real MariaDB by the
// mysql returner for BENCH_MYSQL_RETURNS returns (default 1,000), row by row
// (mysql.batch_max: 1) versus batched (the default, 500 rows per multi-row
// INSERT). Skipped with a message when MariaDB or the test harness is missing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './local.mjs';
import { num, row } from './rows.mjs';

/** How many times to read the job back while waiting for the spool to write every row. */
const READBACK_TRIES = 200;

export async function mysqlSection() {
  const N = Number(process.env.BENCH_MYSQL_RETURNS ?? 1000);
  let harness;
  try {
    harness = await import(path.join(root, 'test/dist/db-harness.js'));
  } catch {
    return skipped('test/dist/db-harness.js is not built: run `npm run build`');
  }
  if (harness.noMariaDb) return skipped(harness.noMariaDb);
  const { Registry } = await import('@tsalt/loader');
  const { returnerPlugins, jobCacheFrom } = await import('@tsalt/returners');
  const { silentLogger } = await import('@tsalt/core');
  const { genJid } = await import('@tsalt/job');
  const db = await harness.startMariaDb();
  const results = {};
  try {
    for (const [label, batchMax] of [
      ['row by row', 1],
      ['batched', 500],
    ]) {
      const cachedir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-bench-mysql-'));
      const opts = {
        id: 'bench-master',
        cachedir,
        'mysql.host': db.host,
        'mysql.port': db.port,
        'mysql.user': db.user,
        'mysql.pass': db.password,
        'mysql.db': db.database,
        'mysql.batch_max': batchMax,
      };
      const reg = new Registry({ kind: 'returner', opts, log: silentLogger() }, returnerPlugins());
      const cache = jobCacheFrom(reg, 'mysql');
      await cache.getMinions(); // connect first: the figure is about writes, not the first handshake
      const jid = genJid();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < N; i++) {
        await cache.returner({
          id: `minion${i}`,
          jid,
          fun: 'test.ping',
          fun_args: [],
          return: true,
          retcode: 0,
          success: true,
        });
      }
      const pushedMs = Number(process.hrtime.bigint() - t0) / 1e6;
      let stored = 0;
      for (let tries = 0; tries < READBACK_TRIES && stored < N; tries++)
        stored = Object.keys(await cache.getJid(jid)).length;
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      results[label] = { perS: stored / s, pushedMs, stored };
      await reg.shutdown();
      fs.rmSync(cachedir, { recursive: true, force: true });
    }
  } finally {
    await db.cleanup();
  }
  const rows = [];
  for (const [label, r] of Object.entries(results)) {
    console.log(
      `mysql: ${label}: ${r.perS.toFixed(0)} returns/s (${r.stored} of ${N} stored; the ${N} returner calls took ${r.pushedMs.toFixed(0)} ms)`,
    );
    rows.push(
      row(
        'mysql',
        `MySQL job cache, ${num(N)} returns, ${label} (returns/s)`,
        `${num(r.perS)} (${num(r.stored)} stored)`,
      ),
    );
  }
  return rows;
}

function skipped(why) {
  console.log(`mysql: skipped (${why})`);
  return { skipped: why };
}
