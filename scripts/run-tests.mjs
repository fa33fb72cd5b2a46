#!/usr/bin/env node
// Runs every compiled test file (unit tests beside the code in libs/*/dist,
// cross-process tests in test/dist) with Node's own test runner.
// Usage: node scripts/run-tests.mjs [filter]   (filter: substring of the file path)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const filter = process.argv[2];

function walk(dir, out) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = [];
for (const group of ['libs', 'apps']) {
  for (const pkg of fs.readdirSync(path.join(root, group))) walk(path.join(root, group, pkg, 'dist'), files);
}
walk(path.join(root, 'test', 'dist'), files);
const selected = files.filter((f) => !filter || f.includes(filter)).sort();
if (selected.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
// Unit tests are quick and independent; the cross-process ones each start
// their own master and minions on free ports, so two can run side by side on 2 cores.
// The swarm tests run thousands of emulated minions and use both cores on
// their own: they go last, one file at a time, after everything else.
const isSwarm = (f) => path.basename(f).includes('swarm');
const runs = [
  { files: selected.filter((f) => !isSwarm(f)), concurrency: 2 },
  { files: selected.filter(isSwarm), concurrency: 1 },
];
let failed = false;
for (const { files: group, concurrency } of runs) {
  if (group.length === 0) continue;
  const r = spawnSync(
    process.execPath,
    ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...group],
    { stdio: 'inherit', cwd: root },
  );
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
