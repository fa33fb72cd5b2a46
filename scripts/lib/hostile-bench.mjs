// Section `hostile` (issue 17): what the master still does for its own while
// peers without a key push at its request port. For tsalt-master, then for a
// real salt-master 3006.8 when ../shared/salt-3006.8 is there (same wire):
//   1. auth rate: BENCH_HOSTILE_KEYS (default 20) minion keys written into
//      pki_dir/minions as accepted, one ZeroMQ request client per key signing
//      in back to back for BENCH_HOSTILE_AUTH_S (default 10) s as a
//      re-authenticating minion does (hostile-auth.mjs); the figure is the
//      replies carrying the session key, per second;
//   2. ping under flood: BENCH_HOSTILE_MINIONS (default 5) minions of the
//      same kind; BENCH_HOSTILE_ROUNDS (default 10) `'*' test.ping -t 5` CLI
//      rounds with no flood, then the same while hostile-flood.mjs runs in a
//      process of its own (8 DEALERs streaming 5 MiB msgpack maps of ~250,000
//      keys as fast as the sockets take them, one more sending random
//      frames). A round fails when the CLI does not exit 0 with every minion
//      True. Flood rounds stop after FLOOD_ROUNDS_MS.
// The machine is shared: the flood is stopped early (and the row says so)
// when the master's process tree passes BENCH_HOSTILE_RSS_CAP_MB (default
// 4096) of RSS or the machine's MemAvailable falls under MEM_FLOOR_MB, as a
// master that buffers the flood grows by up to ~1 GB/s.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acceptKeys, authKeys, authRate, authText, unacceptKeys } from './hostile-auth.mjs';
import { root, sleep } from './local.mjs';
import {
  countTrue,
  cpuSeconds,
  cpuSince,
  cpuSnapshot,
  exited,
  median,
  msSince,
  pct,
  timeCmdAsync,
  treeMemMb,
} from './measure.mjs';
import { mb, ms, num, row, sec } from './rows.mjs';
import { removeOnExit, saltSkipReason, stopOnExit, waitUntil } from './salt-daemons.mjs';
import { saltCluster, tsaltCluster } from './side-clusters.mjs';

const FLOOD = path.join(root, 'scripts/lib/hostile-flood.mjs');
/** The CLI's timeout per round (s), both systems' default. */
const TIMEOUT_S = 5;
/** A round's CLI is killed past this (ms) and the round fails. */
const ROUND_KILL_MS = 30_000;
/** Flood rounds stop starting after this (ms), so a master that stalls costs a minute, not ten. */
const FLOOD_ROUNDS_MS = 60_000;
/** The flood runs this long (ms) before the first round, so its queues are full when timing starts. */
const FLOOD_WARM_MS = 2000;
/** How long after the flood a ping may take to have every minion answer again (ms): a master may hold a backlog. */
const RECOVERY_MS = 30_000;
/** The flood stops when the machine has less memory than this left (MB): other helpers share it. */
const MEM_FLOOR_MB = 6144;
/** How long minions may take from spawn until all answer test.ping (ms). */
const READY_MS = 120_000;
const pingArgs = ['*', 'test.ping', '--out', 'json', '-t', String(TIMEOUT_S)];

let sectionStart = process.hrtime.bigint();
const say = (what) => console.log(`hostile: [${(msSince(sectionStart) / 1000).toFixed(1)} s] ${what}`);

export async function hostileSection() {
  sectionStart = process.hrtime.bigint();
  const o = {
    keys: Number(process.env.BENCH_HOSTILE_KEYS ?? 20),
    authS: Number(process.env.BENCH_HOSTILE_AUTH_S ?? 10),
    minions: Number(process.env.BENCH_HOSTILE_MINIONS ?? 5),
    rounds: Number(process.env.BENCH_HOSTILE_ROUNDS ?? 10),
    rssCapMb: Number(process.env.BENCH_HOSTILE_RSS_CAP_MB ?? 4096),
  };
  const keys = await authKeys(o.keys);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-bench-hostile-'));
  removeOnExit(tmp);
  try {
    // Both masters auto_accept their minions and have the auth keys pre-accepted.
    const seedPki = (pkiDir) => acceptKeys(pkiDir, keys);
    say(`tsalt-master: ${o.keys} clients signing in with pre-accepted keys for ${o.authS} s`);
    const tsalt = await tsaltCluster(tmp, { section: 'hostile', extra: 'auto_accept: True\n', seedPki, say });
    const t = await side(tsalt, keys, o);
    const why = saltSkipReason();
    let s;
    if (why) say(`the Salt half is skipped: ${why}`);
    else {
      say(`salt-master 3006.8: ${o.keys} clients signing in with pre-accepted keys for ${o.authS} s`);
      // Logging errors only, as the tsalt-master does.
      const salt = await saltCluster(tmp, { extra: 'log_level_logfile: error\n', level: 'error', seedPki, say });
      s = await side(salt, keys, o);
    }
    return rows(t, s ?? { skipped: why }, o);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** One system: the auth rate (before its minions start), then ping rounds without and with the flood. */
async function side(c, keys, o) {
  try {
    const auth = await authRate(c.ret, keys, o.authS);
    say(`${c.name}: ${authText(auth)}`);
    // The auth ids have no daemon: left accepted, every `'*'` round would wait its timeout for them.
    unacceptKeys(c.pkiDir, keys);
    c.add(Array.from({ length: o.minions }, (_, i) => `${c.name}-${i}`));
    const cli = c.cli(pingArgs);
    await ready(c, cli, o.minions);
    const quiet = await pingRounds(cli, o.minions, o.rounds);
    say(`${c.name}: no flood: ${roundsText(quiet)}`);
    const flood = await underFlood(c, o.rssCapMb, (stopped) => pingRounds(cli, o.minions, o.rounds, stopped));
    say(`${c.name}: under flood: ${roundsText(flood)}; ${floodText(flood, null)}`);
    const recoveryS = await recovery(cli, o.minions);
    say(`${c.name}: after the flood: ${recoveryText(recoveryS)}`);
    return { auth, quiet, flood, recoveryS };
  } finally {
    await c.stop();
  }
}

/** Waits until every minion answers a CLI ping (a salt-minion logs "ready" first). */
async function ready(c, cli, n) {
  const t0 = process.hrtime.bigint();
  const noneDead = () => {
    const dead = c.minions.find((d) => d.proc.exitCode !== null || d.proc.signalCode !== null);
    if (dead) throw new Error(`a ${c.daemon} ended: ${dead.tail().trim()}`);
  };
  if (c.name === 'salt')
    await waitUntil(
      `${n} salt-minions to log that they are ready`,
      () => noneDead() ?? c.minions.every((d) => d.seen()),
      READY_MS,
      c.master,
    );
  await waitUntil(
    `all ${n} ${c.daemon}s to answer test.ping`,
    async () => noneDead() ?? countTrue((await ping(cli)).stdout) === n,
    READY_MS,
    c.master,
  );
  say(`${c.name}: all ${n} ${c.daemon}s answer (${sec(msSince(t0) / 1000)})`);
}

const ping = (cli) =>
  timeCmdAsync(cli.args, { cmd: cli.cmd, timeoutMs: ROUND_KILL_MS, onChild: (ch) => ch.once('exit', stopOnExit(ch)) });

/** Up to `count` timed CLI rounds; under a flood they stop after FLOOD_ROUNDS_MS or once `stopped()`. */
async function pingRounds(cli, n, count, stopped) {
  const t0 = process.hrtime.bigint();
  const r = { times: [], failed: 0, firstFailure: undefined };
  for (let i = 0; i < count; i++) {
    if (stopped && (stopped() || msSince(t0) > FLOOD_ROUNDS_MS)) break;
    const p = await ping(cli);
    r.times.push(p.ms);
    if (p.status !== 0 || countTrue(p.stdout) !== n) {
      r.failed++;
      r.firstFailure ??=
        p.status === null
          ? `killed after ${ROUND_KILL_MS / 1000} s`
          : `exit ${p.status}, ${countTrue(p.stdout)} of ${n} True: ${(p.stderr || p.stdout).trim().split('\n').pop()?.slice(0, 160) ?? ''}`;
    }
  }
  return r;
}

/** Seconds from the flood's end until a CLI ping has every minion True again; undefined past RECOVERY_MS. */
async function recovery(cli, n) {
  const t0 = process.hrtime.bigint();
  while (msSince(t0) < RECOVERY_MS) if (countTrue((await ping(cli)).stdout) === n) return msSince(t0) / 1000;
  return undefined;
}
const recoveryText = (s) =>
  s === undefined
    ? `no ping had every minion True within ${RECOVERY_MS / 1000} s of the flood's end`
    : `every minion True again ${sec(s)} after the flood's end`;

const memAvailableMb = () => {
  const kb = /MemAvailable:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1];
  return kb ? Number(kb) / 1024 : Infinity;
};

/**
 * Starts hostile-flood.mjs at the master's ret_port, runs `during(stopped)`
 * once it has flooded FLOOD_WARM_MS, and stops it. Meanwhile the master's
 * tree RSS is sampled every 500 ms; past the cap the flood stops at once.
 */
async function underFlood(c, rssCapMb, during) {
  const pid = c.master.proc.pid;
  const proc = spawn(process.execPath, [FLOOD, `tcp://127.0.0.1:${c.ret}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const forget = stopOnExit(proc);
  let out = '';
  proc.stdout.on('data', (b) => (out += b.toString('utf8')));
  const stopFlood = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    if (!(await exited(proc, 10_000))) proc.kill('SIGKILL');
    await exited(proc, 2000);
  };
  try {
    await waitUntil('the flood to start', () => out.includes('flooding'), 30_000, { proc, tail: () => out });
    const started = process.hrtime.bigint();
    let peakRssMb = 0;
    let stoppedWhy;
    let stoppedAtS;
    let floodCpuS = 0;
    const sample = () => {
      const rss = treeMemMb(pid, 'VmRSS');
      peakRssMb = Math.max(peakRssMb, rss);
      floodCpuS = cpuSeconds(proc.pid) ?? floodCpuS;
      if (stoppedWhy) return;
      const avail = memAvailableMb();
      if (rss > rssCapMb || avail < MEM_FLOOR_MB) {
        stoppedAtS = msSince(started) / 1000;
        stoppedWhy =
          rss > rssCapMb
            ? `master RSS ${mb(rss)}, over the ${mb(rssCapMb)} cap`
            : `machine MemAvailable ${mb(avail)}, under ${mb(MEM_FLOOR_MB)}`;
        say(`${c.name}: flood stopped after ${sec(stoppedAtS)}: ${stoppedWhy}`);
        void stopFlood();
      }
    };
    const timer = setInterval(sample, 500);
    try {
      await sleep(FLOOD_WARM_MS);
      const snap = cpuSnapshot(pid);
      const r = await during(() => stoppedWhy !== undefined);
      sample();
      const masterCpuS = cpuSince(pid, snap);
      const alive = c.master.proc.exitCode === null && c.master.proc.signalCode === null;
      return {
        ...r,
        peakRssMb,
        stoppedWhy,
        stoppedAtS,
        masterCpuS,
        floodCpuS,
        floodS: msSince(started) / 1000,
        alive,
        // Read later: the counts arrive once the flood is stopped, in the finally below.
        get out() {
          return out;
        },
      };
    } finally {
      clearInterval(timer);
      await stopFlood();
    }
  } finally {
    forget();
  }
}

/** The flood's counts from its last stdout line (printed on SIGTERM). */
function floodCounts(out) {
  try {
    return JSON.parse(out.trim().split('\n').pop() ?? '');
  } catch {
    return undefined;
  }
}

const medP90 = (xs) => `${ms(median(xs))} (p90 ${ms(pct(xs, 90))})`;
/** The first failed round's reason, short enough for a table cell (chars). */
const FAILURE_CHARS = 90;
const roundsText = (r) =>
  `${medP90(r.times)}; ${r.failed} of ${r.times.length} failed` +
  (r.firstFailure ? ` (first: ${r.firstFailure.replace(/\/tmp\/\S+/g, '<tmp>').slice(0, FAILURE_CHARS)})` : '');
/** What the flood sent and the master did meanwhile, and how it ended. */
function floodText(f, recoveryS) {
  const k = floodCounts(f.out);
  const sent = k
    ? `${num(k.sent)} maps of ${(k.payloadBytes / 2 ** 20).toFixed(1)} MiB (${num((k.sent * k.payloadBytes) / 2 ** 20)} MiB) + ${num(k.junkSent)} junk messages sent, ${num(k.replies)} + ${num(k.junkReplies)} answered`
    : 'flood counts missing';
  const end = f.stoppedWhy ? `stopped after ${sec(f.stoppedAtS)} (${f.stoppedWhy})` : `ran ${sec(f.floodS)}`;
  return (
    `${sent}; flood ${end}; master peak RSS ${mb(f.peakRssMb)}, CPU ${sec(f.masterCpuS)} in the rounds` +
    `${f.alive ? '' : ', master ENDED'}; flood CPU ${sec(f.floodCpuS)}` +
    (recoveryS === null ? '' : `; ${recoveryText(recoveryS)}`)
  );
}

function rows(t, s, o) {
  const K = `${o.keys} clients, ${o.keys} pre-accepted keys, ${o.authS} s`;
  const N = (name) => `${o.minions} ${name === 'salt' ? 'salt-minions 3006.8' : 'tsalt-minions'}`;
  const salt = (f) => (s.skipped ? `not measured: ${s.skipped}` : f(s));
  const FLOOD_IS = '8 DEALERs streaming 5 MiB maps + 1 sending junk frames';
  return [
    row('hostile', `\`_auth\` sign-ins answered with the session key, tsalt-master, ${K}`, authText(t.auth)),
    row(
      'hostile',
      `\`_auth\` sign-ins answered with the session key, salt-master 3006.8, ${K}`,
      salt((r) => authText(r.auth)),
    ),
    row('hostile', `\`tsalt '*' test.ping\`, ${N('tsalt')}, no flood: median (p90); failed`, roundsText(t.quiet)),
    row(
      'hostile',
      `\`salt '*' test.ping\`, ${N('salt')}, no flood: median (p90); failed`,
      salt((r) => roundsText(r.quiet)),
    ),
    row(
      'hostile',
      `\`tsalt '*' test.ping\`, ${N('tsalt')}, during an unauthenticated flood (${FLOOD_IS}): median (p90); failed`,
      roundsText(t.flood),
    ),
    row(
      'hostile',
      `\`salt '*' test.ping\`, ${N('salt')}, during the same flood: median (p90); failed`,
      salt((r) => roundsText(r.flood)),
    ),
    row(
      'hostile',
      'the flood at tsalt-master: sent, answered; master memory and CPU; after',
      floodText(t.flood, t.recoveryS),
    ),
    row(
      'hostile',
      'the flood at salt-master 3006.8: sent, answered; master memory and CPU; after',
      salt((r) => floodText(r.flood, r.recoveryS)),
    ),
  ];
}
