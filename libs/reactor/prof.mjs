import fs from 'node:fs';
import { Reactor } from './dist/index.js';
import { silentLogger } from '@tsalt/core';
const root = fs.mkdtempSync('/tmp/rprof/r-');
fs.writeFileSync(root + '/react.sls', "reacted:\n  caller.event.send:\n    - args:\n      - bench/reacted\n      - {t: {{ data['t'] }}, i: {{ data['i'] }}}\n");
const handlers = [];
let done = 0;
const N = 5000;
const r = new Reactor({ opts: { reactor: [{ 'bench/react/*': [root + '/react.sls'] }], cachedir: root + '/cache' }, log: silentLogger(),
  subscribe: (h) => (handlers.push(h), () => {}), fire: () => {}, clients: { publish: async () => ({}), caller: async () => (done++, { return: true, success: true }) } });
r.start();
const t0 = performance.now();
for (let i = 0; i < N; i++) { for (const h of handlers) h('bench/react/' + i, { i, t: Date.now() + 0.5, _stamp: '2025-01-01T00:00:00.000000' }); if (i % 100 === 0) await new Promise((r) => setImmediate(r)); }
const t1 = performance.now();
while (done < N) await new Promise((r) => setTimeout(r, 5));
const t2 = performance.now();
console.log(`accept ${(t1 - t0).toFixed(0)} ms, all done ${(t2 - t0).toFixed(0)} ms -> ${(N / ((t2 - t0) / 1000)).toFixed(0)} ev/s`);
await r.stop(1000);
