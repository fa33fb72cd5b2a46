// Sections `bus` and `reactor` (issue 5), each on a real master of its own.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventListener, fireMasterEvent } from '@tsalt/events';
import { startMaster } from './bench-master.mjs';
import { root, sleep } from './local.mjs';
import { pct } from './measure.mjs';
import { num, row } from './rows.mjs';

/** Runs a module source in a child node (cwd: the repo, so @tsalt/* resolve); resolves on exit. */
function runChild(source, ...args) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', source, ...args], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((r) => child.once('exit', r));
}

/**
 * Events/s through a real master's bus with one slow subscriber attached. A
 * child process PUSHes BENCH_EVENTS small events (default 50,000) as fast as
 * the bus takes them; a fast listener counts what arrives; a slow listener
 * reads one event per ms. The figure is the fast listener's rate; the slow
 * one's losses are counted (listener.dropped), and they must not slow the rest.
 */
export async function busSection() {
  const N = Number(process.env.BENCH_EVENTS ?? 50_000);
  const m = await startMaster('bus');
  try {
    const fast = new EventListener({ sockDir: m.sockDir, prefixes: ['bench/'] });
    const slow = new EventListener({ sockDir: m.sockDir, prefixes: ['bench/'], highWaterMark: 1000 });
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
    await runChild(
      `
      import { Push } from 'zeromq';
      import { encodeEvent, busAddresses } from '@tsalt/events';
      const push = new Push({ sendTimeout: 30000, linger: 5000 });
      push.connect(busAddresses(process.argv[1]).pull);
      const stamp = new Date().toISOString().replace('Z', '000');
      for (let i = 0; i < ${N}; i++) await push.send(encodeEvent('bench/ev', { i, _stamp: stamp, data: 'x'.repeat(64) }));
      await push.send(encodeEvent('bench/end', { _stamp: stamp }));
      push.close();
    `,
      m.sockDir,
    );
    await reading;
    slowOn = false;
    await slowReader;
    const slowDuring = slowGot;
    // Let the slow one drain what ZeroMQ kept for it; one more event then shows its gap.
    while (await slow.next(200)) slowGot++;
    await fireMasterEvent(m.sockDir, 'bench/mark', {});
    if (await slow.next(2000)) slowGot++;
    const s = Number(last - first) / 1e9;
    const perS = got / s;
    console.log(`bus: fast listener ${perS.toFixed(0)} events/s (${got} of ${N} received, ${fast.dropped} dropped)`);
    console.log(
      `bus: slow listener ${slowDuring} read meanwhile, ${slowGot} in all, ${slow.dropped} counted as dropped (${slowGot + slow.dropped} = ${N} + end + mark)`,
    );
    const rows = [
      row(
        'bus',
        `event bus, ${num(N)} events, one slow subscriber attached (events/s at a fast listener)`,
        `${num(perS)} (${num(got)} received, ${num(fast.dropped)} dropped)`,
      ),
      row(
        'bus',
        `event bus: slow listener, events read + counted as dropped (of ${num(N)} + 2)`,
        `${num(slowGot)} + ${num(slow.dropped)} = ${num(slowGot + slow.dropped)}`,
      ),
    ];
    fast.close();
    slow.close();
    return rows;
  } finally {
    await m.stop();
  }
}

/**
 * Latency from an event to its reaction starting, at 1,000 events/s for
 * BENCH_REACTOR_S seconds (default 5), on a real master with the default
 * reactor settings (10 workers, durable queue, storm guard on). A child
 * process PUSHes `bench/react/<i>` events paced at one per ms, each carrying
 * its send time `t` (performance.timeOrigin + now(), ms, shared wall clock).
 * The reaction is `caller.event.send` of `bench/reacted` with the same `t`; a
 * listener here notes when each arrives. That figure is an upper bound on
 * "event -> reaction started": it also holds one bus hop from the reaction
 * back to the listener, measured on its own from the original events
 * (event -> listener) and printed alongside.
 */
export async function reactorSection() {
  const SECONDS = Number(process.env.BENCH_REACTOR_S ?? 5);
  const N = SECONDS * 1000;
  const slsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-bench-sls-'));
  const sls = path.join(slsDir, 'react.sls');
  fs.writeFileSync(
    sls,
    "reacted:\n  caller.event.send:\n    - args:\n      - bench/reacted\n      - {t: {{ data['t'] }}, i: {{ data['i'] }}}\n",
  );
  const now = () => performance.timeOrigin + performance.now();
  let m;
  try {
    m = await startMaster('reactor', `reactor:\n  - 'bench/react/*': [${sls}]\n`);
    await sleep(500); // the reactor subscribes at the end of the master's start-up, after the bus answers
    const listener = new EventListener({ sockDir: m.sockDir, prefixes: ['bench/'], highWaterMark: 100_000 });
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
    const t0 = Date.now();
    await runChild(
      `
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
    `,
      m.sockDir,
    );
    const sendS = (Date.now() - t0) / 1000;
    await reading;
    listener.close();
    const fmt = (xs) => `p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms`;
    console.log(`reactor: ${N} events at 1,000/s (sent in ${sendS.toFixed(1)} s), ${react.length} reacted`);
    if (react.length === 0) return { skipped: 'no reaction observed' };
    console.log(
      `reactor: event -> reaction started (+ one bus hop): ${fmt(react)}, max ${Math.max(...react).toFixed(1)} ms`,
    );
    console.log(`reactor: one bus hop alone (event -> listener): ${fmt(hop)}, max ${Math.max(...hop).toFixed(1)} ms`);
    return [
      row(
        'reactor',
        `reactor at 1,000 events/s: event -> reaction started (+ one bus hop), ${num(react.length)} of ${num(N)} reacted`,
        fmt(react),
      ),
      row('reactor', 'reactor: one bus hop alone (event -> listener)', fmt(hop)),
    ];
  } finally {
    await m?.stop();
    fs.rmSync(slsDir, { recursive: true, force: true });
  }
}
