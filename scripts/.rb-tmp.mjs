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
async function reactorBench() {
  const SECONDS = Number(process.env.BENCH_REACTOR_S ?? 5);
  const N = SECONDS * 1000;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-bench-reactor-'));
  const conf = path.join(tmp, 'etc', 'master');
  fs.mkdirSync(conf, { recursive: true });
  const sls = path.join(tmp, 'react.sls');
  fs.writeFileSync(sls, "reacted:\n  caller.event.send:\n    - args:\n      - bench/reacted\n      - {t: {{ data['t'] }}, i: {{ data['i'] }}}\n");
  const [pub, ret] = [await freePort(), await freePort()];
  fs.writeFileSync(path.join(conf, 'master'), `root_dir: ${tmp}\ninterface: 127.0.0.1\npublish_port: ${pub}\nret_port: ${ret}\nlog_level: error\nreactor:\n  - '${process.env.GLOB ?? 'bench/react/*'}': [${sls}]\n`);
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
      console.log('  no reaction observed; hop', fmt(hop), hop.length);
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
