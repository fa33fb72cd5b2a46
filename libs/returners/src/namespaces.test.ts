import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RETURNER_NAMESPACES } from '@tsalt/config';
import { returnerPlugins } from './index.js';

// Returners with no settings of their own: nothing to write under their name.
const NO_SETTINGS = new Set(['local', 'local_cache']);

test("every returner's nested settings key (`mysql: {...}`) is a known config key", () => {
  const names = returnerPlugins()
    .map((p) => p.name)
    .filter((n) => !NO_SETTINGS.has(n))
    .sort();
  assert.deepEqual([...RETURNER_NAMESPACES].sort(), names);
});
