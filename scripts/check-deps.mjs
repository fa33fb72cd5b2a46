#!/usr/bin/env node
// Checks that dependencies between libs point down: no cycle between
// packages, no relative import that leaves its own package, no deep import
// into another package other than through an `exports` entry, and every
// `@tsalt/*` import declared in the importer's package.json, and no barrel
// (index.ts) re-exporting another package's symbols. ESLint's
// import-x/no-cycle sees one file's imports; this sees the package graph.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const pkgDirs = ['libs', 'apps']
  .flatMap((d) => fs.readdirSync(path.join(root, d)).map((n) => path.join(root, d, n)))
  .concat(path.join(root, 'test'))
  .filter((d) => fs.existsSync(path.join(d, 'package.json')));

const pkgs = new Map(
  pkgDirs.map((dir) => [JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name, dir]),
);
const problems = [];
const graph = new Map([...pkgs.keys()].map((n) => [n, new Set()]));

function* tsFiles(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

const SPEC = /(?:^|[\n;])\s*(import|export)\s(?:[^'"`;]*?\sfrom\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
for (const [name, dir] of pkgs) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
  for (const file of tsFiles(path.join(dir, 'src'))) {
    const rel = path.relative(root, file);
    for (const m of fs.readFileSync(file, 'utf8').matchAll(SPEC)) {
      const spec = m[2] ?? m[3];
      if (spec.startsWith('.')) {
        if (path.relative(dir, path.resolve(path.dirname(file), spec)).startsWith('..'))
          problems.push(`${rel}: relative import leaves ${name}: ${spec}`);
        continue;
      }
      const [scope, base, ...sub] = spec.split('/');
      if (scope !== '@tsalt') continue;
      const target = `${scope}/${base}`;
      if (!pkgs.has(target)) problems.push(`${rel}: unknown package ${target}`);
      if (target === name) problems.push(`${rel}: imports its own package ${spec}`);
      if (m[1] === 'export' && path.basename(file) === 'index.ts')
        problems.push(`${rel}: barrel re-exports ${target}'s symbols (import them from ${target})`);
      if (sub.length > 0) {
        const exp = JSON.parse(fs.readFileSync(path.join(pkgs.get(target), 'package.json'), 'utf8')).exports ?? {};
        if (!(`./${sub.join('/')}` in exp)) problems.push(`${rel}: deep import ${spec}`);
      }
      if (!declared.has(target)) problems.push(`${rel}: ${target} not in ${name}'s package.json`);
      if (target !== name) graph.get(name).add(target);
    }
  }
}

// Depth-first search for a cycle in the package graph.
const state = new Map();
const visit = (n, trail) => {
  if (state.get(n) === 'done') return;
  if (state.get(n) === 'open') {
    problems.push(`cycle: ${[...trail.slice(trail.indexOf(n)), n].join(' -> ')}`);
    return;
  }
  state.set(n, 'open');
  for (const d of graph.get(n) ?? []) visit(d, [...trail, n]);
  state.set(n, 'done');
};
for (const n of graph.keys()) visit(n, []);

if (problems.length > 0) {
  process.stderr.write(problems.join('\n') + '\n');
  process.exit(1);
}
process.stdout.write(`${pkgs.size} packages, no cycles, no deep or relative imports across packages\n`);
