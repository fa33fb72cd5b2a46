import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { readProcStat } from '@tsalt/core';
import { descendantPids, signalNumber, signalProcessTree } from './index.js';

const T = { timeout: 10_000 };

/** Alive and not a zombie (a container's pid 1 may be slow to reap orphans). */
function alive(pid: number): boolean {
  const s = readProcStat(pid);
  return s !== undefined && s.state !== 'Z';
}

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** Starts `sh -c 'sleep 30 & sleep 30'` and waits until both sleeps exist. */
async function shellWithTwoSleeps(detached: boolean): Promise<{ sh: number; kids: number[] }> {
  const child = spawn('/bin/sh', ['-c', 'sleep 30 & sleep 30'], { detached, stdio: 'ignore' });
  child.unref();
  const sh = child.pid!;
  let kids: number[] = [];
  await waitFor('two sleeps', () => (kids = descendantPids(sh)).length >= 2);
  return { sh, kids };
}

test('signalProcessTree kills a shell and both its sleeps, leaving our own group alone', T, async () => {
  const { sh, kids } = await shellWithTwoSleeps(false);
  // Same process group as this test: only pids may be signalled, never the group.
  assert.equal(readProcStat(sh)?.pgrp, readProcStat(process.pid)?.pgrp);
  const r = signalProcessTree(sh, 'SIGKILL');
  assert.deepEqual(r.groups, []);
  assert.deepEqual([...r.descendants].sort(), [...kids].sort());
  await waitFor('the tree to die', () => !alive(sh) && kids.every((k) => !alive(k)));
});

test('a job leading its own group: the group is signalled too', T, async () => {
  const { sh, kids } = await shellWithTwoSleeps(true);
  const r = signalProcessTree(sh, 'SIGTERM');
  assert.deepEqual(r.groups, [sh]);
  await waitFor('the tree to die', () => !alive(sh) && kids.every((k) => !alive(k)));
});

test('a gone pid throws ESRCH; our own pid is refused', () => {
  assert.throws(() => signalProcessTree(9_999_991, 'SIGKILL'), { code: 'ESRCH' });
  assert.throws(() => signalProcessTree(process.pid, 'SIGKILL'), { code: 'EPERM' });
  assert.throws(() => signalProcessTree(1, 'SIGKILL'), { code: 'EPERM' });
});

test('signalNumber reads numbers and names', () => {
  assert.equal(signalNumber(9), 9);
  assert.equal(signalNumber('15'), 15);
  assert.equal(signalNumber('SIGKILL'), 9);
  assert.equal(signalNumber('term'), 15);
  assert.equal(signalNumber(' sigterm '), 15);
  for (const bad of ['NOPE', -1, 1.5, 99, null, {}]) assert.equal(signalNumber(bad), undefined, JSON.stringify(bad));
});
