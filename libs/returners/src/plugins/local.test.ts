import { it } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@tsalt/core';
import { masterConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import local, { localOutput } from './local.js';

it('local prints the return as Python prints the dict', { timeout: 5_000 }, async () => {
  const out: string[] = [];
  const write = localOutput.write;
  localOutput.write = (l) => void out.push(l);
  try {
    const r = new Registry({ kind: 'returner', opts: masterConfig(), log: silentLogger() }, [local]);
    await r.call('local.returner', [{ id: 'm1', return: true, fun_args: [], out: null }]);
  } finally {
    localOutput.write = write;
  }
  assert.deepEqual(out, ["{'id': 'm1', 'return': True, 'fun_args': [], 'out': None}\n"]);
});
