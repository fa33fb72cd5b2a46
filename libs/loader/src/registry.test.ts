import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { FunctionNotAvailableError } from './errors.js';
import { Registry } from './registry.js';
import { definePlugin } from './types.js';

describe('a module whose virtual() refuses to load', () => {
  const reg = new Registry({ kind: 'module', opts: {}, log: silentLogger() }, [
    definePlugin({
      name: 'pkg',
      virtual: () => 'The pkg module could not be loaded: unsupported OS family',
      functions: { version: { doc: 'x', fn: () => '' } },
    }),
  ]);

  it("is left out, and missing() and the call's error say why in Salt's words", async () => {
    assert.deepEqual(reg.modules(), []);
    assert.deepEqual(reg.missing(), { pkg: 'The pkg module could not be loaded: unsupported OS family' });
    await assert.rejects(
      reg.call('pkg.version', ['bash']),
      (e: unknown) =>
        e instanceof FunctionNotAvailableError &&
        e.message === "'pkg' __virtual__ returned False: The pkg module could not be loaded: unsupported OS family",
    );
    await assert.rejects(reg.call('nope.x'), { message: "'nope.x' is not available." });
  });
});
