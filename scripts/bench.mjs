#!/usr/bin/env node
// npm run bench: measures the figures the issues ask for on this machine,
// prints them as one table (figure | value | target | met?), and rewrites the
// generated block of docs/benchmarks.md (between <!-- bench:begin --> and
// <!-- bench:end -->) plus the chart docs/bench-swarm.svg it embeds. Not a
// test: nothing here asserts. Sections, in order:
//   cli      `tsalt --version` (CLI start-up)
//   ping     a master with 1 and with 10 tsalt-minion processes: test.ping end
//            to end, RSS, jobs.lookup_jid, jobs/s into the job cache
//   swarm    tsalt-swarm at each N of BENCH_SWARM: auth storm, test.ping until
//            all returned, return latency, lost returns, master CPU and RSS
//   mysql    returns/s into MariaDB (skipped when it is not installed)
//   bus      events/s through the master's bus with a slow subscriber
//   reactor  event -> reaction latency at 1,000 events/s
//   pillar   pillar compile time per minion, a top with 20 SLS files (in process)
//   salt-peer  test.ping to 10 real salt-minions 3006.8 through tsalt-master
//            (tokless_returns: targeted), then the same minions through a
//            real salt-master 3006.8: each system's CLI, and each one's
//            LocalClient without CLI start-up; master CPU and memory
//            (skipped when ../shared/salt-3006.8 is absent)
//   states   state.apply of a generated tree of 100 file.managed states on 1
//            and on 10 minions, first run (files created) and no-change run,
//            tsalt-master + tsalt-minions, then salt-master + salt-minions
//            3006.8 (the Salt half skipped, saying why, when
//            ../shared/salt-3006.8 is absent)
//   hostile  `_auth` sign-ins per second with 20 pre-accepted keys, and
//            `'*' test.ping` to 5 minions with no flood and during an
//            unauthenticated flood of 5 MiB msgpack maps and junk frames
//            at ret_port: tsalt-master + tsalt-minions, then salt-master +
//            salt-minions 3006.8 (the Salt half skipped, saying why, when
//            ../shared/salt-3006.8 is absent)
//
// Environment:
//   BENCH_ONLY            comma list of sections to run (e.g. "swarm" or "cli,ping"), or
//                         name them as arguments: node scripts/bench.mjs cli ping;
//                         default all. Rows of sections not run keep their previous
//                         values in the doc (see below).
//   BENCH_RUNS            runs per figure for cli and ping (default 20)
//   BENCH_SALT_RUNS       rounds per figure for salt-peer (default 10: Salt's CLI is slow)
//   BENCH_SWARM           swarm sizes (default "1000,5000,10000"); the issue's
//                         targets are judged at 10,000
//   BENCH_SWARM_RUNS      timed test.ping runs per swarm size (default 3)
//   BENCH_SWARM_KEY_DIR   the swarm key cache (default node_modules/.cache/tsalt/swarm-pki/swarm)
//   BENCH_SWARM_KEYGEN_MAX  keys the bench may make before a size, at ~0.25 CPU s each
//                         (default 2500); a size lacking more is skipped, saying why
//   BENCH_SWARM_AUTH_TIMEOUT_S  how long an auth storm may take before the size fails
//                         (default 60 + N/50 s)
//   BENCH_STATE_RUNS      no-change state.apply runs per size for states (default 3)
//   BENCH_STATES_MINIONS  minion counts for states (default "1,10")
//   BENCH_STATES_SALT_ONLY=1, BENCH_STATES_TSALT_ONLY=1  states measures one system only
//                         (development: the other's rows say "not measured")
//   BENCH_HOSTILE_KEYS, BENCH_HOSTILE_AUTH_S, BENCH_HOSTILE_MINIONS, BENCH_HOSTILE_ROUNDS:
//                         hostile's clients (= keys, default 20), auth seconds (10),
//                         minions (5) and ping rounds per phase (10)
//   BENCH_HOSTILE_RSS_CAP_MB  the flood stops early when the master's RSS passes this (default 4096)
//   BENCH_DOCS=0          print the table only: leave docs/ as they are (trial runs)
//   BENCH_JOBS, BENCH_MINION_EXTRA, BENCH_MYSQL_RETURNS, BENCH_EVENTS, BENCH_REACTOR_S,
//   BENCH_PILLAR_RUNS, BENCH_SALT_MINIONS: sizes of the ping, mysql, bus, reactor,
//                         pillar and salt-peer sections
//
// Figures are kept in docs/bench-results.json by scope (a section, or
// `swarm:<N>` for one size) and the doc's block is generated from that file:
// a run replaces the scopes it measured; with BENCH_ONLY every other scope
// keeps its previous rows; a full run drops scopes it no longer plans (e.g.
// swarm sizes of a development run) but keeps those it skipped.
import fs from 'node:fs';
import { busSection, reactorSection } from './lib/bus-bench.mjs';
import { cliSection, pingSection } from './lib/cluster-bench.mjs';
import { hostileSection } from './lib/hostile-bench.mjs';
import { bin } from './lib/local.mjs';
import { mysqlSection } from './lib/mysql-bench.mjs';
import { pillarSection } from './lib/pillar-bench.mjs';
import { saltPeerSection } from './lib/salt-peer-bench.mjs';
import { statesSection } from './lib/states-bench.mjs';
import { machine, mergeResults, SECTIONS, textTable, writeDoc } from './lib/report.mjs';
import { swarmSection } from './lib/swarm-bench.mjs';

const opts = {
  runs: Number(process.env.BENCH_RUNS ?? 20),
  swarmSizes: (process.env.BENCH_SWARM ?? '1000,5000,10000')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0),
  swarmRuns: Number(process.env.BENCH_SWARM_RUNS ?? 3),
};
// Sections may also be named as arguments: `node scripts/bench.mjs salt-peer` is BENCH_ONLY=salt-peer.
const onlyText = process.argv.slice(2).join(',') || process.env.BENCH_ONLY;
const only = onlyText
  ? onlyText
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  : undefined;
const unknown = (only ?? []).filter((s) => !SECTIONS.includes(s));
if (unknown.length) {
  console.error(`unknown bench section(s) ${unknown.join(', ')}; the sections are ${SECTIONS.join(', ')}`);
  process.exit(2);
}
if (!fs.existsSync(bin('cli', 'tsalt'))) {
  console.error('build first: npm run build');
  process.exit(1);
}
const run = {
  cli: cliSection,
  ping: pingSection,
  swarm: swarmSection,
  mysql: mysqlSection,
  bus: busSection,
  reactor: reactorSection,
  pillar: pillarSection,
  'salt-peer': saltPeerSection,
  states: statesSection,
  hostile: hostileSection,
};
const chosen = SECTIONS.filter((s) => !only || only.includes(s));
const runAt = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
console.log(`tsalt benchmark: ${chosen.join(', ')} on ${machine()}\n`);

/** scope -> { measuredAt, machine, rows, chart? } for what this run measured. */
const measured = {};
const skipped = [];
for (const section of chosen) {
  let res;
  try {
    res = await run[section](opts);
  } catch (err) {
    console.log(`${section}: failed: ${err.stack ?? err}`);
    skipped.push({ scope: section, why: `failed: ${err.message ?? err}` });
    continue;
  }
  // A section returns its rows, { skipped }, or (swarm) { rows, skipped: [...], chart }.
  if (Array.isArray(res)) res = { rows: res };
  if (typeof res.skipped === 'string') skipped.push({ scope: section, why: res.skipped });
  else skipped.push(...(res.skipped ?? []));
  for (const r of res.rows ?? [])
    (measured[r.scope] ??= { measuredAt: runAt, machine: machine(), rows: [] }).rows.push(r);
  for (const [scope, chart] of Object.entries(res.chart ?? {})) if (measured[scope]) measured[scope].chart = chart;
}

const rows = Object.values(measured).flatMap((s) => s.rows);
console.log(`\ntsalt benchmark, ${runAt}, ${machine()}\n`);
console.log(rows.length ? textTable(rows) : '(no figures measured)');
for (const s of skipped) console.log(`not measured: ${s.scope}: ${s.why}`);

if (process.env.BENCH_DOCS === '0') process.exit(0);
const planned = chosen.flatMap((s) => (s === 'swarm' ? opts.swarmSizes.map((n) => `swarm:${n}`) : [s]));
const scopes = mergeResults(measured, { subset: Boolean(only), planned });
const chart = writeDoc(scopes, { runAt, measuredNow: Object.keys(measured) });
console.log(
  `\nwrote docs/benchmarks.md (generated block) and docs/bench-results.json${chart ? ' and docs/bench-swarm.svg' : ''}`,
);
