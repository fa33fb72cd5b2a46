// Section `swarm` (issue 6): for each N in BENCH_SWARM, a fresh master (new
// pki: every minion is new, auto_accept) and `tsalt-swarm --minions N`:
//   - the auth storm: swarm spawn -> its "all N minions authenticated" line
//     (accepted), then at once `tsalt '*' test.ping -t 30` -> CLI exit
//     (accepted and answered);
//   - BENCH_SWARM_RUNS timed `tsalt '*' test.ping` runs: wall time until the
//     CLI exits, returns counted from its JSON, and per-return latency (ret
//     event arrival - new event arrival, both at a listener here);
//   - master CPU seconds and peak RSS, and the swarm's CPU, at the end.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { EventListener } from '@tsalt/events';
import { startMaster } from './bench-master.mjs';
import { bin, sleep } from './local.mjs';
import {
  childPids,
  countTrue,
  cpuSeconds,
  exited,
  median,
  memMb,
  msSince,
  pct,
  processTree,
  timeCmdAsync,
} from './measure.mjs';
import { mb, ms, num, row, sec } from './rows.mjs';
import { DEFAULT_KEY_DIR, keygenTime, makeKeys, missingKeys } from './swarm-keys.mjs';

/** The issue's targets, which it sets at 10,000 minions. */
const TARGET_N = 10_000;
const ALL_RETURNED_S = 2;
const AUTH_STORM_S = 15;
const MASTER_RSS_MB = 512;
/** The ids tsalt-swarm gives by default, which the shared key cache holds. */
const PREFIX = 'swarm-';
/** How long the swarm may take to stop after SIGINT before SIGKILL (ms). */
const SWARM_STOP_MS = 20_000;
/** Pause between timed runs, so late returns of one run do not load the next (ms). */
const BETWEEN_RUNS_MS = 1000;

export async function swarmSection({ swarmSizes, swarmRuns }) {
  const keyDir = path.resolve(process.env.BENCH_SWARM_KEY_DIR ?? DEFAULT_KEY_DIR);
  // Keys the bench may make before an N rather than skip it: 2,500 is ~5 min on 2 cores.
  const keygenMax = Number(process.env.BENCH_SWARM_KEYGEN_MAX ?? 2500);
  const out = { rows: [], skipped: [], chart: {} };
  for (const n of swarmSizes) {
    const scope = `swarm:${n}`;
    const missing = missingKeys(keyDir, PREFIX, n);
    if (missing.length > keygenMax) {
      const why = `the key cache ${keyDir} lacks ${num(missing.length)} of the ${num(n)} keys; making them would take ${keygenTime(missing.length)}, past BENCH_SWARM_KEYGEN_MAX=${keygenMax} keys (raise it to make them)`;
      console.log(`swarm ${num(n)}: skipped: ${why}`);
      out.skipped.push({ scope, why });
      continue;
    }
    if (missing.length > 0) {
      console.log(`swarm ${num(n)}: generating ${num(missing.length)} keys first, ${keygenTime(missing.length)}`);
      await makeKeys(keyDir, missing);
    }
    try {
      const r = await swarmOnce(n, swarmRuns, keyDir);
      out.rows.push(...swarmRows(scope, n, swarmRuns, r));
      out.chart[scope] = {
        n,
        allReturnedS: r.allReturnedS,
        stormAnsweredS: r.stormAnsweredS,
        stormAcceptedS: r.stormAcceptedS,
      };
    } catch (err) {
      console.log(`swarm ${num(n)}: failed: ${err.message}`);
      out.skipped.push({ scope, why: `failed: ${err.message}` });
    }
  }
  return out;
}

function swarmRows(scope, n, runs, r) {
  const at = n === TARGET_N;
  const tgt = (text) => (at ? text : '-');
  const N = `swarm ${num(n)}:`;
  const lostTotal = r.stormLost + r.lost.reduce((a, b) => a + b, 0);
  return [
    row(
      scope,
      `${N} auth storm, all accepted: swarm's line (master's last salt/auth accept)`,
      `${sec(r.stormAcceptedS)} (${sec(r.busAcceptedS)})`,
    ),
    row(
      scope,
      `${N} auth storm, accepted and answered test.ping`,
      `${sec(r.stormAnsweredS)} (${num(r.stormReturned)} answered)`,
      tgt(`<= ${AUTH_STORM_S} s`),
      at ? r.stormAnsweredS <= AUTH_STORM_S && r.stormReturned === n : undefined,
    ),
    row(
      scope,
      `${N} test.ping, time until all returned (median of ${runs})`,
      `${sec(r.allReturnedS)} (max ${sec(Math.max(...r.times) / 1000)})`,
      tgt(`<= ${ALL_RETURNED_S} s`),
      at ? r.allReturnedS <= ALL_RETURNED_S : undefined,
    ),
    row(
      scope,
      `${N} return latency p50 / p99 (${num(r.latencies.length)} returns)`,
      `${ms(pct(r.latencies, 50))} / ${ms(pct(r.latencies, 99))}`,
    ),
    row(
      scope,
      `${N} returns lost (storm ping + ${runs} run${runs === 1 ? '' : 's'})`,
      `${num(lostTotal)} (${[r.stormLost, ...r.lost].join(' + ')})`,
      '0',
      lostTotal === 0,
    ),
    row(scope, `${N} master CPU seconds (whole phase, all its processes)`, sec(r.masterCpuS)),
    row(
      scope,
      `${N} master peak RSS (VmHWM, summed over its processes)`,
      mb(r.masterHwmMb),
      tgt(`<= ${MASTER_RSS_MB} MB`),
      at ? r.masterHwmMb <= MASTER_RSS_MB : undefined,
    ),
    row(scope, `${N} swarm CPU seconds (all its processes)`, sec(r.swarmCpuS)),
  ];
}

/** One N: a fresh master and swarm, the storm, the timed runs; everything stopped and removed after. */
async function swarmOnce(n, runs, keyDir) {
  const m = await startMaster(`swarm${n}`, 'auto_accept: True\n');
  let listener;
  let swarm;
  try {
    const swarmConf = path.join(m.tmp, 'etc', 'swarm');
    fs.mkdirSync(swarmConf, { recursive: true });
    fs.writeFileSync(
      path.join(swarmConf, 'minion'),
      `master: 127.0.0.1\nmaster_port: ${m.ret}\npublish_port: ${m.pub}\nroot_dir: ${path.join(m.tmp, 'swarm')}\nlog_level: error\n`,
    );
    // Room for every job event of the phase, so the bench's own reader never drops one.
    listener = new EventListener({
      sockDir: m.sockDir,
      prefixes: ['salt/job/', 'salt/auth'],
      highWaterMark: Math.max(100_000, n * (runs + 3) * 2),
    });
    await listener.ready();
    const jobs = watchJobs(listener, n);

    const t0 = process.hrtime.bigint();
    const t0Perf = performance.now();
    swarm = spawn(
      process.execPath,
      [bin('minion', 'tsalt-swarm'), '-c', swarmConf, '--minions', String(n), '--key-dir', keyDir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await allAuthenticated(swarm, n);
    const stormAcceptedS = msSince(t0) / 1000;
    jobs.phase = 'storm';
    const storm = await timeCmdAsync([
      bin('cli', 'tsalt'),
      '-c',
      m.conf,
      '*',
      'test.ping',
      '--static',
      '--out',
      'json',
      '-t',
      '30',
    ]);
    const stormAnsweredS = msSince(t0) / 1000;
    const stormReturned = countTrue(storm.stdout);
    const busAcceptedS = jobs.allAcceptedAt === undefined ? NaN : (jobs.allAcceptedAt - t0Perf) / 1000;
    console.log(
      `swarm ${num(n)}: auth storm: accepted in ${stormAcceptedS.toFixed(2)} s (the master's salt/auth events: ${jobs.accepted.size} accepted, the last at ${busAcceptedS.toFixed(2)} s), accepted and answered in ${stormAnsweredS.toFixed(2)} s (${stormReturned} of ${n} returned)`,
    );

    const times = [];
    const lost = [];
    for (let i = 0; i < runs; i++) {
      await sleep(BETWEEN_RUNS_MS);
      jobs.phase = `run ${i + 1}`;
      const r = await timeCmdAsync([bin('cli', 'tsalt'), '-c', m.conf, '*', 'test.ping', '--static', '--out', 'json']);
      const returned = countTrue(r.stdout);
      times.push(r.ms);
      lost.push(n - returned);
      console.log(
        `swarm ${num(n)}: run ${i + 1}: ${returned} of ${n} returned in ${(r.ms / 1000).toFixed(2)} s (exit ${r.status})`,
      );
    }
    await sleep(BETWEEN_RUNS_MS); // returns that reach the bus after the CLI gave up still count towards latency
    jobs.phase = 'done';
    const latencies = [];
    for (const j of jobs.byJid.values()) {
      if (!j.phase.startsWith('run ')) continue;
      console.log(
        `swarm ${num(n)}: ${j.phase}: ${j.rets.length} returns on the bus${j.newAt === undefined ? ' (no new event seen)' : ''}`,
      );
      if (j.newAt !== undefined) for (const at of j.rets) latencies.push(at - j.newAt);
    }
    if (listener.dropped)
      console.log(
        `swarm ${num(n)}: the bench's listener missed ${listener.dropped} job events: latency covers the rest`,
      );

    // Figures from a phase where either side died (e.g. signalled by someone else) would mislead.
    for (const [name, p] of [
      ['tsalt-master', m.proc],
      ['tsalt-swarm', swarm],
    ]) {
      if (p.exitCode !== null || p.signalCode !== null)
        throw new Error(`${name} ended during the phase (${p.signalCode ?? `exit ${p.exitCode}`}); figures dropped`);
    }
    // The master may fork helpers (a publisher process): count its whole tree.
    const masterPids = processTree(m.proc.pid);
    const masterCpuS = masterPids.reduce((a, pid) => a + (cpuSeconds(pid) ?? 0), 0);
    const hwms = masterPids.map((pid) => memMb(pid, 'VmHWM') ?? 0);
    // Sum of each process's peak: an upper bound on the tree's peak (MB).
    const masterHwmMb = hwms.reduce((a, b) => a + b, 0);
    const kids = childPids(swarm.pid);
    const swarmCpuS = [swarm.pid, ...kids].reduce((a, pid) => a + (cpuSeconds(pid) ?? 0), 0);
    const swarmRssMb = kids.reduce((a, pid) => a + (memMb(pid, 'VmRSS') ?? 0), 0);
    console.log(
      `swarm ${num(n)}: master ${masterCpuS.toFixed(1)} CPU s, peak RSS ${masterHwmMb.toFixed(0)} MB (${hwms.map((x) => x.toFixed(0)).join(' + ')} over ${masterPids.length} processes); swarm ${swarmCpuS.toFixed(1)} CPU s, ${kids.length} processes holding ${swarmRssMb.toFixed(0)} MB RSS`,
    );
    return {
      stormAcceptedS,
      busAcceptedS,
      stormAnsweredS,
      stormReturned,
      stormLost: n - stormReturned,
      times,
      allReturnedS: median(times) / 1000,
      lost,
      latencies,
      masterCpuS,
      masterHwmMb,
      swarmCpuS,
    };
  } finally {
    if (swarm) await stopSwarm(swarm);
    listener?.close();
    await m.stop();
  }
}

/**
 * Notes when each job's new event and each of its returns reach this
 * listener (performance.now(), ms), and when the master has accepted
 * `want` distinct minions (salt/auth): a figure free of the swarm's
 * once-a-second progress line.
 */
function watchJobs(listener, want) {
  const w = { phase: 'idle', byJid: new Map(), accepted: new Set(), allAcceptedAt: undefined };
  const entry = (jid) => {
    let j = w.byJid.get(jid);
    if (!j) w.byJid.set(jid, (j = { phase: w.phase, newAt: undefined, rets: [] }));
    return j;
  };
  void (async () => {
    for await (const { tag, data } of listener.events()) {
      const at = performance.now();
      if (tag === 'salt/auth') {
        if (data.act === 'accept' && data.result === true) w.accepted.add(data.id);
        if (w.allAcceptedAt === undefined && w.accepted.size >= want) w.allAcceptedAt = at;
        continue;
      }
      // salt/job/<jid>/new or salt/job/<jid>/ret/<id>
      const [, , jid, kind] = tag.split('/');
      if (kind === 'new') entry(jid).newAt = at;
      else if (kind === 'ret') entry(jid).rets.push(at);
    }
  })();
  return w;
}

/** Resolves on the swarm's "all N minions authenticated" line; echoes its lines; rejects if it ends first or takes too long. */
function allAuthenticated(swarm, n) {
  // Generous: a stalled storm should fail the N, not hang the bench (s).
  const limitS = Number(process.env.BENCH_SWARM_AUTH_TIMEOUT_S ?? 60 + n / 50);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not all ${n} minions authenticated within ${limitS} s`)),
      limitS * 1000,
    );
    const lines = readline.createInterface({ input: swarm.stdout });
    let done = false;
    lines.on('line', (line) => {
      console.log(`  ${line}`);
      if (!done && line.startsWith(`tsalt-swarm: all ${n} minions authenticated`)) {
        done = true;
        clearTimeout(timer);
        if (/refused/.test(line)) reject(new Error(line));
        else resolve();
      }
    });
    swarm.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!done) reject(new Error(`tsalt-swarm ended (${signal ?? `exit ${code}`}) before all minions authenticated`));
    });
  });
}

/** SIGINT, as a user stops it; SIGKILL for it and its processes past SWARM_STOP_MS. */
async function stopSwarm(swarm) {
  const kids = childPids(swarm.pid);
  swarm.kill('SIGINT');
  if (await exited(swarm, SWARM_STOP_MS)) return;
  console.log(`swarm: tsalt-swarm did not stop within ${SWARM_STOP_MS / 1000} s of SIGINT: killing it`);
  for (const pid of kids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  swarm.kill('SIGKILL');
  await exited(swarm, 2000);
}
