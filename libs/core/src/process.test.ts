import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProcStat, processStartMs } from './index.js';

test('parseProcStat copes with spaces and parentheses in the command name', () => {
  const s = parseProcStat(42, '42 (a b) c)) S 7 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 12345 0 0');
  assert.deepEqual(s, { pid: 42, ppid: 7, pgrp: 42, sid: 42, state: 'S', startTicks: 12345 });
  assert.equal(parseProcStat(1, 'garbage'), undefined);
});

test('processStartMs: this process started a little while ago', () => {
  const started = processStartMs(process.pid);
  assert.ok(started !== undefined);
  assert.ok(started <= Date.now() + 2000 && started > Date.now() - 3_600_000, String(started));
  assert.equal(processStartMs(9_999_991), undefined);
});
