import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import {
  compileConfig,
  ConfigError,
  loadConfig,
  masterConfig,
  MASTER_DEFAULTS,
  MINION_DEFAULTS,
  minionConfig,
  OPTIONAL_KEYS,
  type Role,
} from './index.js';
import { configDir, recordingLogger, removeDir } from './test-util.js';

test('loadConfig returns the compiled form: every duration also in ms', () => {
  const dir = configDir({ master: 'timeout: 2.5\nkeep_jobs: 2\n', minion: 'ping_interval: 3\nrecon_max: 500\n' });
  try {
    const m = loadConfig('master', dir);
    assert.equal(m.timeout, 2.5);
    assert.equal(m.timeout_ms, 2500);
    assert.equal(m.gather_job_timeout_ms, 10_000);
    assert.equal(m.event_return_queue_max_ms, 0);
    assert.equal(m.reactor_storm_window_ms, 10_000);
    assert.equal(m.keep_jobs_ms, 2 * 3600 * 1000); // an edited keep_jobs (hours) wins
    const n = loadConfig('minion', dir);
    assert.equal(n.ping_interval_ms, 3 * 60_000); // minutes
    assert.equal(n.recon_max_ms, 500); // already ms
    assert.equal(n.presence_interval_ms, 30_000);
    assert.equal(n.auth_timeout_ms, 5000);
  } finally {
    removeDir(dir);
  }
});

test('masterConfig/minionConfig: defaults plus the given keys, validated with the key name', () => {
  assert.equal(masterConfig().keep_jobs_ms, 86_400_000);
  assert.equal(masterConfig({ keep_jobs_seconds: 60 }).keep_jobs_ms, 60_000);
  assert.equal(minionConfig({ job_pool_size: 3 }).job_pool_size, 3);
  assert.throws(
    () => minionConfig({ job_pool_size: -1 }),
    (err: unknown) => err instanceof ConfigError && err.message.includes("'job_pool_size'"),
  );
  // Compiling leaves the Salt keys alone.
  const c = compileConfig('minion', structuredClone(MINION_DEFAULTS));
  assert.equal(c.acceptance_wait_time, 10);
  assert.equal(c.acceptance_wait_time_ms, 10_000);
});

/** The key names in the first column of docs/config.md's tables, by section. */
function documentedKeys(): Record<string, string[]> {
  // dist/compile.test.js -> the repository's docs/.
  const text = fs.readFileSync(path.join(import.meta.dirname, '..', '..', '..', 'docs', 'config.md'), 'utf8');
  const out: Record<string, string[]> = {};
  let section = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('### ')) section = line.slice(4).trim();
    else if (section && line.startsWith('| `')) {
      const first = line.split('|')[1] ?? '';
      (out[section] ??= []).push(...[...first.matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]!));
    }
  }
  return out;
}

test('every key docs/config.md documents loads without an unknown-key warning', () => {
  const docs = documentedKeys();
  const roles: Record<string, Role[]> = { 'Both roles': ['master', 'minion'], Master: ['master'], Minion: ['minion'] };
  assert.deepEqual(Object.keys(docs).sort(), Object.keys(roles).sort());
  for (const [section, keys] of Object.entries(docs)) {
    for (const role of roles[section]!) {
      const defaults: Record<string, unknown> = role === 'master' ? MASTER_DEFAULTS : MINION_DEFAULTS;
      const known = new Set([...Object.keys(defaults), ...OPTIONAL_KEYS[role]]);
      for (const key of keys) assert.ok(known.has(key), `${section}: '${key}' is not a known ${role} key`);
      // Each defaulted key written out at its default: the loader must know every one.
      const file = Object.fromEntries(keys.filter((k) => k in defaults).map((k) => [k, defaults[k]]));
      const dir = configDir({ [role]: stringify(file) });
      try {
        const { log, warnings } = recordingLogger();
        loadConfig(role, dir, {}, log);
        assert.deepEqual(warnings, [], `${section} (${role})`);
      } finally {
        removeDir(dir);
      }
    }
  }
});
