#!/usr/bin/env node
// npm run bench: prints the figures the issues ask for. Not a test: nothing
// here asserts; it measures on this machine and prints.
//   - CLI start-up: `tsalt --version`
//   - end to end `tsalt '*' test.ping`, median/p90 over RUNS runs, with 1 and with 10 minion processes
//   - RSS of the master and of one minion
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, freePort, root, sleep } from './lib/local.mjs';
import { pack, ReqClient, unpack } from '@tsalt/transport';
import { EventListener, fireMasterEvent } from '@tsalt/events';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const rssMb = (pid) => {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? (Number(kb) / 1024).toFixed(1) : '?';
  } catch {
    return '?';
  }
};
function timeCmd(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, r };
}

async function clusterBench(nMinions, extra) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-bench-'));
  const [pub, ret] = [await freePort(), await freePort()];
  const conf = path.join(tmp, 'etc', 'master');
  fs.mkdirSync(conf, { recursive: true });
  fs.writeFileSync(path.join(conf, 'master'), `root_dir: ${tmp}\ninterface: 127.0.0.1\npublish_port: ${pub}\nret_port: ${ret}\nauto_accept: True\nlog_level: error\n`);
  const procs = [spawn(process.execPath, [bin('master', 'tsalt-master'), '-c', conf], { stdio: 'ignore' })];
  await sleep(500);
  for (let i = 0; i < nMinions; i++) {
    const dir = path.join(tmp, 'etc', `m${i}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'minion'), `id: bench-${i}\nroot_dir: ${path.join(tmp, `m${i}`)}\nmaster: 127.0.0.1\nmaster_port: ${ret}\npublish_port: ${pub}\nlog_level: error\nacceptance_wait_time: 1\n${(process.env.BENCH_MINION_EXTRA ?? "").replace(/;/g, "\n")}\n`);
    procs.push(spawn(process.execPath, [bin('minion', 'tsalt-minion'), '-c', dir], { stdio: 'ignore' }));
  }
  const ping = ['*', 'test.ping', '--out', 'json', '--static', '-t', '5'];
  for (let i = 0; i < 150; i++) {
    const { r } = timeCmd([bin('cli', 'tsalt'), '-c', conf, ...ping]);
    if (r.status === 0 && Object.keys(JSON.parse(r.stdout)).length === nMinions) break;
    await sleep(200);
  }
  const times = [];
  let lost = 0;
  for (let i = 0; i < RUNS; i++) {
    const { ms, r } = timeCmd([bin('cli', 'tsalt'), '-c', conf, ...ping]);
    if (r.status !== 0 || Object.keys(JSON.parse(r.stdout || '{}')).length !== nMinions) lost++;
    times.push(ms);
  }
  const rss = { master: rssMb(procs[0].pid), minion: rssMb(procs[1].pid) };
  const more = extra ? await extra({ conf, tmp, ret, nMinions }) : undefined;
  for (const p of procs) p.kill('SIGTERM');
  await sleep(300);
  fs.rmSync(tmp, { recursive: true, force: true });
  return { times, rss, lost, more };
}

if (!fs.existsSync(bin('cli', 'tsalt'))) {
  console.error('build first: npm run build');
  process.exit(1);
}
const startup = [];
for (let i = 0; i < RUNS; i++) startup.push(timeCmd([bin('cli', 'tsalt'), '--version']).ms);
/** jobs.lookup_jid latency: tsalt-run end to end, as a user runs it. */
async function lookupBench({ conf }) {
  const r = timeCmd([bin('cli', 'tsalt'), '-c', conf, '*', 'test.ping', '--show-jid', '--out', 'json']);
  const jid = /jid: (\d{20})/.exec(r.r.stdout)?.[1];
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push(timeCmd([bin('cli', 'tsalt-run'), '-c', conf, 'jobs.lookup_jid', jid]).ms);
  return times;
}

/**
 * Jobs per second the master accepts and caches: JOBS publishes, INFLIGHT at
 * a time over the request port with the root key, until every minion's return
 * for every job has been fired on the bus (the master caches before firing).
 */
async function throughputBench({ tmp, ret, nMinions }) {
  const JOBS = Number(process.env.BENCH_JOBS ?? 200);
  const INFLIGHT = 20;
  const key = fs.readFileSync(path.join(tmp, 'var/cache/tsalt/master/.root_key'), 'utf8');
  const bus = new EventListener({ sockDir: path.join(tmp, 'var/run/tsalt/master'), prefixes: ['salt/job/'] });
  await bus.ready();
  let returns = 0;
  const want = JOBS * nMinions;
  const t0 = process.hrtime.bigint();
  const counting = (async () => {
    while (returns < want) {
      const ev = await bus.next(10_000);
      if (!ev) break;
      if (ev.tag.includes('/ret/')) returns++;
    }
  })();
  const clients = Array.from({ length: INFLIGHT }, () => new ReqClient({ address: `tcp://127.0.0.1:${ret}` }));
  let next = 0;
  await Promise.all(clients.map(async (c) => {
    while (next < JOBS) {
      next++;
      const load = { cmd: 'publish', tgt: '*', fun: 'test.ping', arg: [], key, tgt_type: 'glob', ret: '', jid: '', kwargs: {}, user: 'bench' };
      unpack(await c.request(pack({ enc: 'clear', load, version: 2 }), 10_000));
    }
  }));
  const acceptedS = Number(process.hrtime.bigint() - t0) / 1e9;
  await counting;
  const allS = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const c of clients) c.close();
  bus.close();
  return { jobs: JOBS, acceptedPerS: JOBS / acceptedS, cachedPerS: JOBS / allS, returns, want };
}

const one = await clusterBench(1, lookupBench);
const ten = await clusterBench(10, throughputBench);
const f = (x) => x.toFixed(1).padStart(8);
console.log(`\ntsalt benchmark (${os.cpus().length} cores, node ${process.version}, ${RUNS} runs each)\n`);
console.log('what                                       median ms      p90 ms');
console.log(`tsalt --version (CLI start-up)             ${f(median(startup))}    ${f(pct(startup, 90))}`);
console.log(`tsalt '*' test.ping, 1 minion              ${f(median(one.times))}    ${f(pct(one.times, 90))}   (target <= 150; Salt 3006 ~580)`);
console.log(`tsalt '*' test.ping, 10 minion processes   ${f(median(ten.times))}    ${f(pct(ten.times, 90))}`);
console.log(`tsalt-run jobs.lookup_jid <jid>            ${f(median(one.more))}    ${f(pct(one.more, 90))}   (Salt 3006 ~1100)`);
const tp = ten.more;
console.log(`\njobs/s with 10 minions: ${tp.acceptedPerS.toFixed(0)} published and accepted, ${tp.cachedPerS.toFixed(0)} with all ${tp.want} returns cached (${tp.returns} of ${tp.want} returns seen, ${tp.jobs} jobs)`);
console.log(`\nRSS: master ${one.rss.master} MB, one minion ${one.rss.minion} MB (1-minion run); master ${ten.rss.master} MB with 10 minions`);
console.log(`incomplete runs: ${one.lost} of ${RUNS} (1 minion), ${ten.lost} of ${RUNS} (10 minions)`);

// ---------------------------------------------------------------------------
// MySQL job cache (issue 4): returns/s persisted into a real MariaDB by the
// mysql returner for 1,000 returns, row by row (mysql.batch_max: 1) versus
// batched (the default, 500 rows per multi-row INSERT). Skipped with a
// message when MariaDB is not installed.
// ---------------------------------------------------------------------------
async function mysqlBench() {
  const N = Number(process.env.BENCH_MYSQL_RETURNS ?? 1000);
  let harness;
  try {
    harness = await import(path.join(root, 'test/dist/db-harness.js'));
  } catch {
    console.log('\nmysql job cache: skipped (run `npm run build` to build test/dist/db-harness.js)');
    return;
  }
  if (harness.noMariaDb) {
    console.log(`\nmysql job cache: skipped (${harness.noMariaDb})`);
    return;
  }
  const { Registry } = await import('@tsalt/loader');
  const { returnerPlugins, jobCacheFrom } = await import('@tsalt/returners');
  const { silentLogger } = await import('@tsalt/core');
  const { genJid } = await import('@tsalt/job');
  const db = await harness.startMariaDb();
  const results = {};
  try {
    for (const [label, batchMax] of [['row by row', 1], ['batched', 500]]) {
      const cachedir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-bench-mysql-'));
      const opts = {
        id: 'bench-master', cachedir, 'mysql.host': db.host, 'mysql.port': db.port, 'mysql.user': db.user,
        'mysql.pass': db.password, 'mysql.db': db.database, 'mysql.batch_max': batchMax,
      };
      const reg = new Registry({ kind: 'returner', opts, log: silentLogger() }, returnerPlugins());
      const cache = jobCacheFrom(reg, 'mysql');
      await cache.getMinions(); // connect first: the figure is about writes, not the first handshake
      const jid = genJid();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < N; i++) {
        await cache.returner({ id: `minion${i}`, jid, fun: 'test.ping', fun_args: [], return: true, retcode: 0, success: true });
      }
      const pushedMs = Number(process.hrtime.bigint() - t0) / 1e6;
      let stored = 0;
      for (let tries = 0; tries < 200 && stored < N; tries++) stored = Object.keys(await cache.getJid(jid)).length;
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      results[label] = { perS: stored / s, pushedMs, stored };
      await reg.shutdown();
      fs.rmSync(cachedir, { recursive: true, force: true });
    }
  } finally {
    await db.cleanup();
  }
  console.log(`\nmysql job cache, ${N} returns persisted into MariaDB (returner calls return at once; rows written by the spool):`);
  for (const [label, r] of Object.entries(results)) {
    console.log(`  ${label.padEnd(11)} ${r.perS.toFixed(0).padStart(7)} returns/s   (${r.stored} stored; the ${N} returner calls took ${r.pushedMs.toFixed(0)} ms)`);
  }
}
await mysqlBench();

// ---------------------------------------------------------------------------
// Event bus (issue 5): events/s through a real master's bus with one slow
// subscriber attached. A child process PUSHes EVENTS small events as fast as
// the bus takes them; a fast listener counts what arrives; a slow listener
// reads one event per ms. The figure is the fast listener's rate; the slow
// one's losses are counted (listener.dropped), and they must not slow the rest.
// ---------------------------------------------------------------------------
async function eventBusBench() {
  const N = Number(process.env.BENCH_EVENTS ?? 50_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-bench-bus-'));
  const conf = path.join(tmp, 'etc', 'master');
  fs.mkdirSync(conf, { recursive: true });
  const [pub, ret] = [await freePort(), await freePort()];
  fs.writeFileSync(path.join(conf, 'master'), `root_dir: ${tmp}\ninterface: 127.0.0.1\npublish_port: ${pub}\nret_port: ${ret}\nlog_level: error\n`);
  const master = spawn(process.execPath, [bin('master', 'tsalt-master'), '-c', conf], { stdio: 'ignore' });
  const sockDir = path.join(tmp, 'var/run/tsalt/master');
  try {
    for (let i = 0; i < 100 && !fs.existsSync(path.join(sockDir, 'master_event_pull.ipc')); i++) await sleep(100);
    const fast = new EventListener({ sockDir, prefixes: ['bench/'] });
    const slow = new EventListener({ sockDir, prefixes: ['bench/'], highWaterMark: 1000 });
    await fast.ready();
    await slow.ready();
    let slowGot = 0;
    let slowOn = true;
    const slowReader = (async () => {
      while (slowOn) {
        if (await slow.next(50)) slowGot++;
        await sleep(1);
      }
    })();
    let got = 0;
    let first = 0n;
    let last = 0n;
    const reading = (async () => {
      for (;;) {
        const ev = await fast.next(5000);
        if (!ev) break;
        if (got === 0) first = process.hrtime.bigint();
        last = process.hrtime.bigint();
        if (ev.tag === 'bench/end') break;
        got++;
      }
    })();
    const pusher = `
      import { Push } from 'zeromq';
      import { encodeEvent, busAddresses } from '@tsalt/events';
      const push = new Push({ sendTimeout: 30000, linger: 5000 });
      push.connect(busAddresses(process.argv[1]).pull);
      const stamp = new Date().toISOString().replace('Z', '000');
      for (let i = 0; i < ${N}; i++) await push.send(encodeEvent('bench/ev', { i, _stamp: stamp, data: 'x'.repeat(64) }));
      await push.send(encodeEvent('bench/end', { _stamp: stamp }));
      push.close();
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', pusher, sockDir], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    await new Promise((r) => child.once('exit', r));
    await reading;
    slowOn = false;
    await slowReader;
    const slowDuring = slowGot;
    // Let the slow one drain what ZeroMQ kept for it; one more event then shows its gap.
    while (await slow.next(200)) slowGot++;
    await fireMasterEvent(sockDir, 'bench/mark', {});
    if (await slow.next(2000)) slowGot++;
    const s = Number(last - first) / 1e9;
    console.log(`\nevent bus, ${N} events pushed with one slow subscriber (1 event/ms) attached:`);
    console.log(`  fast listener: ${(got / s).toFixed(0)} events/s (${got} of ${N} received, ${fast.dropped} dropped)`);
    console.log(`  slow listener: ${slowDuring} read meanwhile, ${slowGot} in all, ${slow.dropped} counted as dropped (${slowGot + slow.dropped} = ${N} + end + mark)`);
    fast.close();
    slow.close();
  } finally {
    master.kill('SIGTERM');
    await sleep(300);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
await eventBusBench();

// ---------------------------------------------------------------------------
// Reactor (issue 5): latency from an event to its reaction starting, at
// 1,000 events/s for BENCH_REACTOR_S seconds, on a real master with the
// default reactor settings (10 workers, durable queue, storm guard on).
// A child process PUSHes `bench/react/<i>` events paced at one per ms, each
// carrying its send time `t` (performance.timeOrigin + now(), ms, shared
// wall clock). The reaction is `caller.event.send` of `bench/reacted` with the
// same `t`; a listener here notes when each arrives. That figure is an upper
// bound on "event -> reaction started": it also holds one bus hop from the
// reaction back to the listener, measured on its own from the original
// events (event -> listener) and printed alongside.
// ---------------------------------------------------------------------------
async function reactorBench() {
  const SECONDS = Number(process.env.BENCH_REACTOR_S ?? 5);
  const N = SECONDS * 1000;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-bench-reactor-'));
  const conf = path.join(tmp, 'etc', 'master');
  fs.mkdirSync(conf, { recursive: true });
  const sls = path.join(tmp, 'react.sls');
  fs.writeFileSync(sls, "reacted:\n  caller.event.send:\n    - args:\n      - bench/reacted\n      - {t: {{ data['t'] }}, i: {{ data['i'] }}}\n");
  const [pub, ret] = [await freePort(), await freePort()];
  fs.writeFileSync(path.join(conf, 'master'), `root_dir: ${tmp}\ninterface: 127.0.0.1\npublish_port: ${pub}\nret_port: ${ret}\nlog_level: error\nreactor:\n  - 'bench/react/*': [${sls}]\n`);
  const master = spawn(process.execPath, [bin('master', 'tsalt-master'), '-c', conf], { stdio: 'ignore' });
  const sockDir = path.join(tmp, 'var/run/tsalt/master');
  const now = () => performance.timeOrigin + performance.now();
  try {
    for (let i = 0; i < 100 && !fs.existsSync(path.join(sockDir, 'master_event_pull.ipc')); i++) await sleep(100);
    await sleep(500); // the reactor subscribes at the end of the master's start-up
    const listener = new EventListener({ sockDir, prefixes: ['bench/'], highWaterMark: 100_000 });
    await listener.ready();
    const hop = [];
    const react = [];
    const reading = (async () => {
      for (;;) {
        const ev = await listener.next(5000);
        if (!ev) break;
        const at = now();
        if (ev.tag === 'bench/reacted') react.push(at - Number(ev.data.t));
        else if (ev.tag.startsWith('bench/react/')) hop.push(at - Number(ev.data.t));
        if (react.length === N) break;
      }
    })();
    const pusher = `
      import { Push } from 'zeromq';
      import { encodeEvent, busAddresses } from '@tsalt/events';
      const push = new Push({ sendTimeout: 30000, linger: 5000 });
      push.connect(busAddresses(process.argv[1]).pull);
      const now = () => performance.timeOrigin + performance.now();
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
      const t0 = now();
      for (let i = 0; i < ${N}; i++) {
        const wait = t0 + i - now();  // one event per ms; a late timer catches up
        if (wait > 0) await sleep(wait);
        await push.send(encodeEvent('bench/react/' + i, { i, t: now() }));
      }
      push.close();
    `;
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', pusher, sockDir], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    await new Promise((r) => child.once('exit', r));
    const sendS = (Date.now() - t0) / 1000;
    await reading;
    listener.close();
    const fmt = (xs) => `p50 ${pct(xs, 50).toFixed(2)} ms, p99 ${pct(xs, 99).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms`;
    console.log(`\nreactor, ${N} events at 1,000/s (sent in ${sendS.toFixed(1)} s), each reacted to with caller.event.send:`);
    if (react.length === 0) {
      console.log('  no reaction observed');
      return;
    }
    console.log(`  event -> reaction started (+ one bus hop): ${fmt(react)} (${react.length} of ${N} reacted)`);
    console.log(`  one bus hop alone (event -> listener):     ${fmt(hop)}`);
  } finally {
    master.kill('SIGTERM');
    await sleep(500);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
await reactorBench();
