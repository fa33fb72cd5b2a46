import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Reactor } from './dist/index.js';
import { silentLogger } from '@tsalt/core';
const root = fs.mkdtempSync('/tmp/rprof/r-');
fs.writeFileSync(root + '/react.sls', "reacted:\n  caller.event.send:\n    - args:\n      - bench/reacted\n      - {t: {{ data['t'] }}, i: {{ data['i'] }}}\n");
const handlers = [];
const lat = [];
const N = 5000;
const r = new Reactor({ opts: { reactor: [{ 'bench/react/*': [root + '/react.sls'] }], cachedir: root + '/cache' }, log: silentLogger(),
  subscribe: (h) => (handlers.push(h), () => {}), fire: () => {}, clients: { publish: async () => ({}), caller: async (f, arg) => (lat.push(performance.now() - arg[1].t), { return: true, success: true }) } });
r.start();
const h = monitorEventLoopDelay({ resolution: 1 }); h.enable();
const slow = [];
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const wait = t0 + i - performance.now(); if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const s = performance.now();
  for (const hd of handlers) hd('bench/react/' + i, { i, t: performance.now() });
  const d = performance.now() - s; if (d > 5) slow.push([i, d.toFixed(1)]);
}
while (lat.length < N) await new Promise((r) => setTimeout(r, 5));
h.disable();
const sorted = lat.sort((a, b) => a - b);
console.log('p50', sorted[N / 2].toFixed(2), 'p99', sorted[Math.floor(N * 0.99)].toFixed(2), 'max', sorted[N - 1].toFixed(2), 'loop delay max', (h.max / 1e6).toFixed(1), 'ms p99', (h.percentile(99) / 1e6).toFixed(1));
console.log('slow offers', slow.slice(0, 10));
await r.stop(1000);
