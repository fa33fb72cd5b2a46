// Section `states` (issue 15): `state.apply` of one generated tree, 100
// `file.managed` states, on 1 and on 10 minions, first run (every file
// created) and no-change run, tsalt and real Salt 3006.8 in one sitting:
//   1. the tree into a temp file_roots: top.sls (`base: '*': [bench]`),
//      bench/init.sls with ids f0..f99, each `file.managed` of
//      <tmp>/out/{{ grains['id'] }}/f<i> from salt://bench/files/f<i>
//      (100 distinct 1 KB files) with `makedirs: True`;
//   2. tsalt-master with that file_roots and BENCH_STATES_MINIONS (default
//      "1,10") tsalt-minion processes: the first size's minions start, then
//      the next size's are added to them on the same master; at each size,
//      once all answer test.ping, `tsalt '*' state.apply -t 120 --out json`
//      once on a fresh out dir (first run), then BENCH_STATE_RUNS (default 3)
//      times more (no-change runs);
//   3. the same with a salt-master 3006.8 and salt-minions 3006.8
//      (`salt '*' state.apply` through ../shared/salt-peer/salt.sh).
// A run is "all ok" when every minion returned 100 results, all `result:
// true`, with 100 of them changed on the first run and none on a no-change
// run. A first run that is not all ok skips that size's no-change runs (they
// would time nothing meaningful) and its row says why, so a state system
// that answers an error is reported, not crashed on. CPU per run: the
// master's process tree, the minions' trees (job processes count, alive or
// reaped by their minion), and the CLI process (reaped-children times).
// BENCH_STATES_SALT_ONLY=1 / BENCH_STATES_TSALT_ONLY=1 measure one side only
// (development; the other side's rows then say so).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  countTrue,
  cpuSince,
  cpuSnapshot,
  median,
  msSince,
  reapedChildrenCpuSeconds,
  timeCmdAsync,
} from './measure.mjs';
import { row, sec } from './rows.mjs';
import { saltSkipReason, removeOnExit, stopOnExit, waitUntil } from './salt-daemons.mjs';
import { saltCluster, tsaltCluster } from './side-clusters.mjs';

/** States in the tree (file.managed, one file each). */
const STATES = 100;
/** Bytes of each source file. */
const FILE_BYTES = 1024;
/** The CLI's -t for state.apply (s); the bench kills a CLI still running 60 s past it. */
const APPLY_TIMEOUT_S = 120;
/** How long minions may take from spawn until every one answers test.ping (ms). */
const READY_MS = 120_000;
/** Characters of a failure reason kept in a row. */
const WHY_CHARS = 160;

let sectionStart = process.hrtime.bigint();
const say = (what) => console.log(`states: [${(msSince(sectionStart) / 1000).toFixed(1)} s] ${what}`);

export async function statesSection() {
  sectionStart = process.hrtime.bigint();
  const runs = Number(process.env.BENCH_STATE_RUNS ?? 3);
  const sizes = [
    ...new Set(
      (process.env.BENCH_STATES_MINIONS ?? '1,10')
        .split(',')
        .map((s) => Number(s.trim()))
        .filter((n) => Number.isInteger(n) && n > 0),
    ),
  ].sort((a, b) => a - b);
  const saltOnly = process.env.BENCH_STATES_SALT_ONLY === '1';
  const tsaltOnly = process.env.BENCH_STATES_TSALT_ONLY === '1';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-bench-states-'));
  removeOnExit(tmp);
  const tree = writeTree(tmp);
  const rows = [];
  const skipped = [];
  const notMeasured = (side, why) => {
    console.log(`states: ${side} side not measured: ${why}`);
    skipped.push({ scope: 'states', why: `${side} side: ${why}` });
    rows.push(row('states', `\`${side} '*' state.apply\`, ${STATES} file.managed`, `not measured: ${why}`));
  };
  // A system that fails to start costs its own rows only.
  const side = async (name, start) => {
    try {
      rows.push(...(await measureSide(await start(tmp, tree.roots), tree, sizes, runs)));
    } catch (err) {
      notMeasured(name, `failed: ${err.message}`);
    }
  };
  try {
    if (saltOnly) notMeasured('tsalt', 'BENCH_STATES_SALT_ONLY=1');
    else await side('tsalt', tsaltOnTree);
    const why = tsaltOnly ? 'BENCH_STATES_TSALT_ONLY=1' : saltSkipReason();
    if (why) notMeasured('salt', why);
    else await side('salt', saltOnTree);
    say('done');
    return { rows, skipped };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The tree under tmp/roots; returns { roots, out } (out: where the states write, per minion id). */
function writeTree(tmp) {
  const roots = path.join(tmp, 'roots');
  const out = path.join(tmp, 'out');
  fs.mkdirSync(path.join(roots, 'bench', 'files'), { recursive: true });
  fs.writeFileSync(path.join(roots, 'top.sls'), "base:\n  '*':\n    - bench\n");
  const sls = [];
  for (let i = 0; i < STATES; i++) {
    // Distinct content per file: its name, then filler lines to FILE_BYTES.
    const head = `bench file f${i}\n`;
    const line = `line of f${i} ${'x'.repeat(48)}\n`;
    let body = head;
    while (body.length + line.length < FILE_BYTES) body += line;
    fs.writeFileSync(path.join(roots, 'bench', 'files', `f${i}`), body.padEnd(FILE_BYTES - 1, '.') + '\n');
    sls.push(
      `f${i}:\n  file.managed:\n    - name: ${out}/{{ grains['id'] }}/f${i}\n    - source: salt://bench/files/f${i}\n    - makedirs: True\n`,
    );
  }
  fs.writeFileSync(path.join(roots, 'bench', 'init.sls'), sls.join(''));
  return { roots, out };
}

/** The tree's file_roots, as master config lines. */
const fileRoots = (roots) => `file_roots:\n  base:\n    - ${roots}\n`;

/** One system (side-clusters.mjs); its minions are added and waited for by measureSide. */
async function tsaltOnTree(tmp, roots) {
  say('tsalt-master (file_roots: the tree)');
  return tsaltCluster(tmp, { section: 'states', extra: `auto_accept: True\n${fileRoots(roots)}`, say });
}

async function saltOnTree(tmp, roots) {
  say('salt-master 3006.8 (file_roots: the tree)');
  return saltCluster(tmp, { extra: fileRoots(roots), say });
}

/**
 * Every size of one system on one master, then its teardown; its rows. A
 * size that fails (minions not answering, the master ended) gets a row
 * saying so and ends the side: the sizes measured before it keep theirs.
 */
async function measureSide(c, tree, sizes, runs) {
  const rows = [];
  try {
    for (const n of sizes) {
      try {
        const have = c.minions.length;
        const ids = Array.from({ length: n }, (_, i) => `bench-${i}`);
        c.add(ids.slice(have));
        await waitReady(c, n);
        const r = await applyRuns(c, tree, ids, runs);
        log(c.name, n, r, runs);
        rows.push(...sizeRows(c.name, n, r, runs));
      } catch (err) {
        console.log(`states: ${c.name}, ${n} minion(s): failed: ${err.stack ?? err}`);
        rows.push(row('states', `${what(c.name, n)}: first run`, `not measured: failed: ${cut(err.message)}`));
        break;
      }
    }
  } finally {
    await c.stop();
  }
  return rows;
}

/** Until every one of the n minions answers test.ping (salt-minions: after logging that they are ready). */
async function waitReady(c, n) {
  const t0 = process.hrtime.bigint();
  const noneDead = () => {
    const dead = c.minions.find((d) => d.proc.exitCode !== null || d.proc.signalCode !== null);
    if (dead)
      throw new Error(
        `a ${c.daemon} ended (${dead.proc.signalCode ?? `exit ${dead.proc.exitCode}`}): ${dead.tail().trim()}`,
      );
  };
  if (c.name === 'salt') {
    // A ping that misses a minion still starting costs Salt's timeout plus its find_job wait.
    await waitUntil(
      `all ${n} salt-minions to log that they are ready`,
      () => noneDead() ?? c.minions.every((d) => d.seen()),
      READY_MS,
      c.master,
    );
    say(`salt: all ${n} salt-minions logged that they are ready (${(msSince(t0) / 1000).toFixed(1)} s)`);
  }
  const ping = c.cli(['*', 'test.ping', '--out', 'json', '-t', '5']);
  await waitUntil(
    `all ${n} ${c.daemon}s to answer test.ping`,
    async () =>
      noneDead() ?? countTrue((await timeCmdAsync(ping.args, { cmd: ping.cmd, timeoutMs: 60_000 })).stdout) === n,
    READY_MS,
    c.master,
  );
  say(`${c.name}: all ${n} ${c.daemon}s answer test.ping (${(msSince(t0) / 1000).toFixed(1)} s)`);
}

/** The first run on a fresh out dir, then the no-change runs (only when the first was all ok). */
async function applyRuns(c, tree, ids, runs) {
  fs.rmSync(tree.out, { recursive: true, force: true });
  const apply = c.cli(['*', 'state.apply', '-t', String(APPLY_TIMEOUT_S), '--out', 'json']);
  const onChild = (child) => child.once('exit', stopOnExit(child));
  const once = async (wantChanged) => {
    const pids = [c.master.proc.pid, ...c.minions.map((d) => d.proc.pid)];
    const snaps = pids.map((p) => cpuSnapshot(p));
    const cli0 = reapedChildrenCpuSeconds();
    const r = await timeCmdAsync(apply.args, { cmd: apply.cmd, timeoutMs: (APPLY_TIMEOUT_S + 60) * 1000, onChild });
    const cliCpu = reapedChildrenCpuSeconds() - cli0;
    const cpu = pids.map((p, i) => cpuSince(p, snaps[i]));
    const check = checkReturns(r, ids, wantChanged);
    if (c.master.proc.exitCode !== null || c.master.proc.signalCode !== null)
      throw new Error(`the ${c.name} master ended during state.apply: ${c.master.tail().trim()}`);
    return {
      ms: r.ms,
      ...check,
      cpu: { master: cpu[0], minions: cpu.slice(1).reduce((a, b) => a + b, 0), cli: cliCpu },
    };
  };
  say(`${c.name}: ${ids.length} minion(s): first state.apply`);
  const first = await once(STATES);
  const again = [];
  if (first.ok) {
    say(`${c.name}: ${ids.length} minion(s): ${runs} no-change state.apply runs`);
    for (let i = 0; i < runs; i++) again.push(await once(0));
  }
  return { first, again };
}

/**
 * Whether a state.apply CLI run returned, for every id, STATES results all
 * `result: true` with wantChanged of them changed: { ok, why }.
 */
export function checkReturns(r, ids, wantChanged) {
  if (r.status === null) return { ok: false, why: `the CLI was still running ${APPLY_TIMEOUT_S + 60} s on: killed` };
  const all = {};
  try {
    // Both CLIs may print one JSON object per minion, each from a line `{`.
    for (const chunk of (r.stdout || '').split(/^(?=\{)/m)) if (chunk.trim()) Object.assign(all, JSON.parse(chunk));
  } catch {
    const text = (r.stderr || r.stdout).trim().split('\n')[0] ?? '';
    return { ok: false, why: `CLI exit ${r.status}, output not JSON: ${text}` };
  }
  for (const id of ids) {
    const ret = all[id];
    if (ret === undefined) return { ok: false, why: `${id}: no return (CLI exit ${r.status})` };
    if (ret === null || typeof ret !== 'object' || Array.isArray(ret))
      return { ok: false, why: `${id}: ${typeof ret === 'string' ? ret : JSON.stringify(ret)}` };
    const results = Object.values(ret);
    // The failures first: a compile error is one result (False) with Salt's error as its comment.
    const bad = results.filter((s) => s?.result !== true);
    if (bad.length)
      return {
        ok: false,
        why: `${id}: ${bad.length} of ${results.length} results not True, e.g. ${JSON.stringify(bad[0]?.comment ?? bad[0])}`,
      };
    if (results.length !== STATES) return { ok: false, why: `${id}: ${results.length} results, not ${STATES}` };
    const changed = results.filter((s) => s.changes && Object.keys(s.changes).length > 0).length;
    if (changed !== wantChanged) return { ok: false, why: `${id}: ${changed} changed, not ${wantChanged}` };
  }
  return { ok: true, why: '' };
}

const cmdText = (name) => `\`${name} '*' state.apply\``;
const minionsText = (name, n) =>
  `${n} ${name === 'salt' ? 'salt-minion' : 'tsalt-minion'}${n === 1 ? '' : 's'}${name === 'salt' ? ' 3006.8' : ''}`;
const cpuText = (cpu) => `${sec(cpu.master)} / ${sec(cpu.minions)} / ${sec(cpu.cli)}`;
const cut = (why) => (why.length > WHY_CHARS ? `${why.slice(0, WHY_CHARS)}...` : why);
const whyText = (why) => (why ? `; failed: ${cut(why)}` : '');
const master = (name) => (name === 'salt' ? 'salt-master 3006.8' : 'tsalt-master');
const what = (name, n) => `${cmdText(name)} on ${master(name)}, ${STATES} file.managed, ${minionsText(name, n)}`;

/** Two rows for one size of one system: the first run, and the no-change runs' medians. */
function sizeRows(name, n, { first, again }, runs) {
  const cpuHead = 'CPU: master / minions / CLI';
  const rows = [
    row(
      'states',
      `${what(name, n)}: first run (files created); all ok; ${cpuHead}`,
      `${sec(first.ms / 1000)}; ${first.ok ? 1 : 0} of 1; ${cpuText(first.cpu)}${whyText(first.why)}`,
    ),
  ];
  if (again.length === 0)
    rows.push(row('states', `${what(name, n)}: no-change run`, `not run: the first run was not all ok`));
  else {
    const ok = again.filter((r) => r.ok).length;
    const med = (k) => median(again.map((r) => r.cpu[k]));
    const times = again.map((r) => r.ms / 1000);
    rows.push(
      row(
        'states',
        `${what(name, n)}: no-change run, median of ${runs} (max); all ok; ${cpuHead} (medians)`,
        `${sec(median(times))} (max ${sec(Math.max(...times))}); ${ok} of ${runs}; ${cpuText({ master: med('master'), minions: med('minions'), cli: med('cli') })}${whyText(again.find((r) => !r.ok)?.why)}`,
      ),
    );
  }
  return rows;
}

function log(name, n, { first, again }, runs) {
  const runText = (r) =>
    `${(r.ms / 1000).toFixed(2)} s ${r.ok ? 'ok' : `NOT ok (${r.why})`}, CPU master ${r.cpu.master.toFixed(2)} s, minions ${r.cpu.minions.toFixed(2)} s, CLI ${r.cpu.cli.toFixed(2)} s`;
  console.log(`states: ${name}, ${n} minion(s): first run ${runText(first)}`);
  again.forEach((r, i) =>
    console.log(`states: ${name}, ${n} minion(s): no-change run ${i + 1} of ${runs}: ${runText(r)}`),
  );
}
