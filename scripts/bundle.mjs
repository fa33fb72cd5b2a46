#!/usr/bin/env node
// Bundles each CLI command into one CommonJS file (apps/cli/dist/bundle/).
// Why: Node spends ~100 ms resolving and linking the ~150 ES modules the CLI
// imports, and CLI start-up is what users feel on every `tsalt` call. One
// file, with zeromq and pino left to `require`, starts in about half the time.
// The daemons are not bundled: they start once.
import { build } from 'esbuild';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const names = ['tsalt', 'tsalt-run', 'tsalt-key', 'tsalt-call'];
const result = await build({
  entryPoints: Object.fromEntries(names.map((n) => [n, path.join(root, 'apps/cli/dist/bin', `${n}.js`)])),
  outdir: path.join(root, 'apps/cli/dist/bundle'),
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The native addon, the lazily loaded logger and the database clients (loaded
  // only when a returner is used) stay outside the bundle.
  external: ['zeromq', 'pino', 'mysql2', 'mysql2/promise', 'ioredis'],
  // CommonJS has no import.meta: give the bundled code its own file URL.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  legalComments: 'none',
  metafile: true,
});
// Only tsalt-call runs execution modules (locally, as salt-call does); the
// other commands speak the call protocol (@tsalt/loader) and must not carry
// module code, nor test helpers.
for (const [out, meta] of Object.entries(result.metafile.outputs)) {
  if (out.endsWith('tsalt-call.cjs')) continue;
  const bad = Object.keys(meta.inputs)
    .filter((i) => /libs\/modules\/|\/testing\//.test(i))
    .concat(meta.imports.filter((i) => i.path === 'node:test').map((i) => i.path));
  if (bad.length > 0) throw new Error(`${out} bundles ${bad.join(', ')}`);
}
const fs = await import('node:fs');
for (const n of names) fs.chmodSync(path.join(root, 'apps/cli/dist/bundle', `${n}.cjs`), 0o755);
