// Section `salt-peer` (issue 12): test.ping to the same BENCH_SALT_MINIONS
// (default 10) real salt-minions 3006.8, first through tsalt-master, then
// through a real salt-master 3006.8, in one sitting:
//   1. tsalt-master (temp root_dir, free ports, auto_accept, and
//      `tokless_returns: targeted`, without which a 3006.8 minion's returns
//      never reach the CLI) and the salt-minions, each in a root_dir of its
//      own; once all answer, BENCH_RUNS rounds of `tsalt '*' test.ping`,
//      then the same rounds through tsalt's LocalClient in this process
//      (no CLI start-up);
//   2. the tsalt-master stopped, a salt-master (Salt's defaults, auto_accept)
//      started, and the SAME minions restarted against it: same ids, keys
//      and root_dirs, only master_port/publish_port changed and the pinned
//      minion_master.pub dropped (a salt-minion refuses a master whose key
//      changed); then `salt '*' test.ping` rounds, and the same rounds
//      through Salt's LocalClient in one Python process.
// Each round's wall time is CLI spawn -> CLI exit (or cmd() call -> return);
// "all returned" counts rounds where every minion answered True. Master CPU
// is summed over its process tree (salt-master is many processes) during the
// CLI rounds and since its start; memory is VmRSS and PSS summed over that tree.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalClient } from '@tsalt/client';
import { startMaster } from './bench-master.mjs';
import { bin, root } from './local.mjs';
import {
  countTrue,
  cpuSince,
  cpuSnapshot,
  median,
  memMb,
  msSince,
  pct,
  processTree,
  pssMb,
  reapedChildrenCpuSeconds,
  timeCmdAsync,
} from './measure.mjs';
import { mb, ms, row, sec } from './rows.mjs';
import {
  SALT_PY,
  SALT_PYTHONPATH,
  MINION_READY,
  SALT_SH,
  saltSkipReason,
  startGroup,
  removeOnExit,
  startSalt,
  startSaltMaster,
  stopOnExit,
  waitSaltMaster,
  waitUntil,
  writeMinionConfig,
} from './salt-daemons.mjs';

/** The CLI's and LocalClient's timeout per round (s): both systems' default. */
const TIMEOUT_S = 5;
/** How long the minions may take from spawn until every one answers test.ping (ms). */
const READY_MS = 120_000;
const LOCALCLIENT_PY = path.join(root, 'scripts/lib/salt-localclient.py');

/** Progress lines with the seconds since the section started, so a slow phase shows. */
let sectionStart = process.hrtime.bigint();
const say = (what) => console.log(`salt-peer: [${(msSince(sectionStart) / 1000).toFixed(1)} s] ${what}`);

/**
 * Rounds per figure: BENCH_SALT_RUNS, default 10 rather than BENCH_RUNS'
 * 20, since one `salt` CLI round costs ~1.2 CPU s (3-5 s on the shared
 * 2-core machine) and the section should stay near 3 minutes.
 */
export async function saltPeerSection() {
  const runs = Number(process.env.BENCH_SALT_RUNS ?? 10);
  const why = saltSkipReason();
  if (why) {
    console.log(`salt-peer: skipped: ${why}`);
    return { skipped: why };
  }
  sectionStart = process.hrtime.bigint();
  const n = Number(process.env.BENCH_SALT_MINIONS ?? 10);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-bench-salt-peer-'));
  removeOnExit(tmp);
  const minions = Array.from({ length: n }, (_, i) => ({ id: `salt-${i}`, dir: path.join(tmp, `minion-${i}`) }));
  let saltMaster;
  try {
    say(`tsalt-master (tokless_returns: targeted) and ${n} salt-minions 3006.8`);
    // The salt-master starts while the tsalt side stops: its 5-10 s start-up overlaps that teardown.
    const t = await tsaltSide(minions, runs, async () => {
      saltMaster = await startSaltMaster(path.join(tmp, 'salt-master'));
    });
    log('tsalt', t, n, runs);
    say(`salt-master 3006.8 and the same ${n} salt-minions, restarted with its ports`);
    const s = await saltSide(saltMaster, minions, runs);
    log('salt', s, n, runs);
    const N = `${n} salt-minions 3006.8`;
    return [
      row(
        'salt-peer',
        `\`tsalt '*' test.ping\` on tsalt-master (tokless_returns: targeted), ${N}: ${HEAD}`,
        value(t, runs),
      ),
      row('salt-peer', `\`salt '*' test.ping\` on salt-master 3006.8, the same ${N}: ${HEAD}`, value(s, runs)),
      row(
        'salt-peer',
        `tsalt LocalClient.cmd test.ping (no CLI start-up), tsalt-master, ${N}: ${HEAD_NOCLI}`,
        noCli(t, runs),
      ),
      row(
        'salt-peer',
        `Salt LocalClient.cmd test.ping (no CLI start-up), salt-master, ${N}: ${HEAD_NOCLI}`,
        noCli(s, runs),
      ),
      row(
        'salt-peer',
        `salt-minions started -> all ${n} answer test.ping: on tsalt-master / on salt-master`,
        `${sec(t.readyMs / 1000)} / ${sec(s.readyMs / 1000)}`,
      ),
    ];
  } finally {
    await saltMaster?.master.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const HEAD =
  'median (p90); all returned; CLI CPU a round (median); master CPU in the rounds / since start; master RSS (PSS)';
const HEAD_NOCLI = 'median (p90); all returned';
const medP90 = (xs) => `${ms(median(xs))} (p90 ${ms(pct(xs, 90))})`;
const value = (r, runs) =>
  `${medP90(r.times)}; ${r.allOk} of ${runs}; ${sec(median(r.cliCpu))}; ${sec(r.cpuRoundsS)} / ${sec(r.cpuTotalS)}; ${mb(r.rssMb)} (${mb(r.pssMb)}), ${r.procs} processes`;
const noCli = (r, runs) => `${medP90(r.noCli.times)}; ${r.noCli.allOk} of ${runs}`;

function log(side, r, n, runs) {
  console.log(
    `salt-peer: ${side}: all ${n} answered ${(r.readyMs / 1000).toFixed(1)} s after the minions started; CLI ${median(r.times).toFixed(0)} ms median (CLI CPU ${median(r.cliCpu).toFixed(2)} s a round), ${r.allOk} of ${runs} rounds all returned; no CLI ${median(r.noCli.times).toFixed(0)} ms median, ${r.noCli.allOk} of ${runs}; master ${r.cpuRoundsS.toFixed(2)} CPU s in the CLI rounds, ${r.cpuTotalS.toFixed(2)} s since start, RSS ${r.rssMb.toFixed(0)} MB (PSS ${r.pssMb.toFixed(0)} MB) over ${r.procs} processes`,
  );
}

/** Writes each minion's config for `ports` and starts it; a restart drops the pinned master key and old pidfile. */
function startMinions(minions, ports) {
  return minions.map(({ id, dir }) => {
    writeMinionConfig(dir, id, ports);
    fs.rmSync(path.join(dir, 'pki', 'minion_master.pub'), { force: true });
    fs.rmSync(path.join(dir, 'salt-minion.pid'), { force: true });
    return startSalt('salt-minion', dir, { level: 'info', watch: MINION_READY });
  });
}

/** The tsalt side; `measured` is called once its figures are taken, before its teardown. */
async function tsaltSide(minions, runs, measured) {
  const m = await startMaster('salt-peer', 'auto_accept: True\ntokless_returns: targeted\n');
  const forget = stopOnExit(m.proc);
  removeOnExit(m.tmp);
  let daemons = [];
  try {
    say('tsalt-master started');
    daemons = startMinions(minions, { pub: m.pub, ret: m.ret });
    const cli = { cmd: process.execPath, args: [bin('cli', 'tsalt'), '-c', m.conf, ...pingArgs] };
    const client = new LocalClient({
      cachedir: path.join(m.tmp, 'var/cache/tsalt/master'),
      sock_dir: m.sockDir,
      ret_port: m.ret,
      interface: '127.0.0.1',
      timeout: TIMEOUT_S,
      gather_job_timeout: 10,
    });
    try {
      const r = await measureSide({
        master: { proc: m.proc, tail: () => '' },
        minions: daemons,
        cli,
        runs,
        noCli: () => clientRounds(client, minions.length, runs),
      });
      await measured();
      return r;
    } finally {
      client.close();
    }
  } finally {
    await Promise.all(daemons.map((d) => d.stop()));
    await m.stop();
    forget();
    say('tsalt-master and the salt-minions stopped');
  }
}

async function saltSide(started, minions, runs) {
  const { dir, ports, master } = started;
  let daemons = [];
  try {
    await waitSaltMaster(dir, ports, master);
    say('salt-master started');
    daemons = startMinions(minions, ports);
    return await measureSide({
      master,
      minions: daemons,
      cli: { cmd: SALT_SH, args: ['salt', '-c', dir, ...pingArgs] },
      runs,
      noCli: () => saltClientRounds(path.join(dir, 'master'), minions.length, runs),
    });
  } finally {
    await Promise.all(daemons.map((d) => d.stop()));
    await master.stop();
    say('salt-master and the salt-minions stopped');
  }
}

// No --static: Salt's CLI runs --static as a 100% batch, which pings every
// minion first and then publishes the job, two jobs a round.
const pingArgs = ['*', 'test.ping', '--out', 'json', '-t', String(TIMEOUT_S)];

/** Waits until every minion answers, then the timed CLI rounds, the master's figures, and the no-CLI rounds. */
async function measureSide({ master, minions, cli, runs, noCli }) {
  const n = minions.length;
  // A CLI in flight is stopped too if the bench is interrupted.
  const onChild = (child) => child.once('exit', stopOnExit(child));
  const ping = () => timeCmdAsync(cli.args, { cmd: cli.cmd, timeoutMs: 60_000, onChild });
  const t0 = process.hrtime.bigint();
  const noneDead = () => {
    const dead = minions.find((d) => d.proc.exitCode !== null || d.proc.signalCode !== null);
    if (dead)
      throw new Error(
        `a salt-minion ended (${dead.proc.signalCode ?? `exit ${dead.proc.exitCode}`}): ${dead.tail().trim()}`,
      );
  };
  // Their "ready" log line first: a CLI check that misses a minion still
  // starting costs its timeout plus Salt's find_job wait (~15 s).
  await waitUntil(
    `all ${n} salt-minions to log that they are ready`,
    () => noneDead() ?? minions.every((d) => d.seen()),
    READY_MS,
    master,
  );
  say(`all ${n} salt-minions logged that they are ready`);
  await waitUntil(
    `all ${n} salt-minions to answer test.ping`,
    async () => noneDead() ?? countTrue((await ping()).stdout) === n,
    READY_MS,
    master,
  );
  const readyMs = msSince(t0);
  say(`all ${n} salt-minions answer; ${runs} CLI rounds`);
  const pid = master.proc.pid;
  const snap = cpuSnapshot(pid);
  const times = [];
  const cliCpu = [];
  let allOk = 0;
  for (let i = 0; i < runs; i++) {
    const c0 = reapedChildrenCpuSeconds();
    const r = await ping();
    cliCpu.push(reapedChildrenCpuSeconds() - c0);
    times.push(r.ms);
    if (countTrue(r.stdout) === n) allOk++;
  }
  const cpuRoundsS = cpuSince(pid, snap);
  const cpuTotalS = cpuSince(pid);
  const tree = processTree(pid);
  const rssMb = tree.reduce((a, p) => a + (memMb(p, 'VmRSS') ?? 0), 0);
  const pss = tree.reduce((a, p) => a + (pssMb(p) ?? 0), 0);
  say(`${runs} LocalClient rounds`);
  const more = await noCli();
  // Figures from a phase where the master died (e.g. signalled by someone else) would mislead.
  if (master.proc.exitCode !== null || master.proc.signalCode !== null)
    throw new Error(`the master ended during the phase: ${master.tail().trim()}`);
  return { readyMs, times, cliCpu, allOk, cpuRoundsS, cpuTotalS, rssMb, pssMb: pss, procs: tree.length, noCli: more };
}

/** `runs` timed client.cmd('*', 'test.ping') in this process, after one untimed call that connects the bus. */
async function clientRounds(client, n, runs) {
  const ping = () => client.cmd('*', 'test.ping', [], { timeout: TIMEOUT_S });
  await ping();
  const times = [];
  let allOk = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const ret = await ping();
    times.push(msSince(t0));
    if (Object.values(ret).filter((v) => v === true).length === n) allOk++;
  }
  return { times, allOk };
}

/** The same rounds through Salt's LocalClient, in one Python process (scripts/lib/salt-localclient.py). */
async function saltClientRounds(masterConf, n, runs) {
  const g = startGroup(SALT_PY, [LOCALCLIENT_PY, masterConf, String(n), String(runs), String(TIMEOUT_S)], {
    env: { PYTHONPATH: SALT_PYTHONPATH },
  });
  let stdout = '';
  g.proc.stdout.on('data', (b) => (stdout += b.toString('utf8')));
  try {
    await waitUntil(
      'Salt LocalClient rounds',
      () => g.proc.exitCode !== null || g.proc.signalCode !== null,
      60_000 + runs * TIMEOUT_S * 1000,
    );
  } finally {
    await g.stop();
  }
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    const r = JSON.parse(line);
    return { times: r.times_ms, allOk: r.all_returned };
  } catch {
    throw new Error(`salt-localclient.py (exit ${g.proc.exitCode}): ${g.tail().trim()}`);
  }
}
