import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BIN, startedCluster, type Cluster } from './harness.js';

/** `cmd.run` that prints when it started and when it ended (s since epoch, ns precision). */
const SPAN = 'date +%s.%N; sleep 1; date +%s.%N';

/** Each minion's [start, end] from nested output of SPAN. */
function spans(stdout: string): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const m of stdout.matchAll(/^(m\d):\n {4}(\d+\.\d+)\n {4}(\d+\.\d+)$/gm))
    out.set(m[1] as string, [Number(m[2]), Number(m[3])]);
  return out;
}

/** The groups announced, in order: Salt's `Executing run on ['m1', 'm2']`. */
function groups(stdout: string): string[] {
  return [...stdout.matchAll(/^Executing run on (\[.*\])$/gm)].map((m) => m[1] as string);
}

/** A jid as a time (ms since epoch, UTC): YYYYMMDDhhmmssffffff. */
function jidMs(jid: string): number {
  const [y, mo, d, h, mi, s, us] = [0, 4, 6, 8, 10, 12, 14].map((i, k, a) => Number(jid.slice(i, a[k + 1] ?? 20)));
  return Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, s) + (us ?? 0) / 1000;
}

describe('batch mode end to end (three minions)', { timeout: 180_000 }, () => {
  let c: Cluster;
  before(async () => {
    // A stopped minion costs the ping's timeout plus this (s): keep it short.
    c = await startedCluster(['m1', 'm2', 'm3'], 'gather_job_timeout: 2');
  });
  after(async () => c?.cleanup());

  test('-b 1 over 3 minions runs one at a time: the intervals do not overlap', async () => {
    const r = await c.tsalt(['*', '-b', '1', 'cmd.run', SPAN]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(groups(r.stdout), ["['m1']", "['m2']", "['m3']"]);
    const s = [...spans(r.stdout).values()].sort((a, b) => a[0] - b[0]);
    assert.equal(s.length, 3, r.stdout);
    for (let i = 1; i < s.length; i++) {
      const [prev, cur] = [s[i - 1] as [number, number], s[i] as [number, number]];
      assert.ok(cur[0] >= prev[1], `job ${i + 1} started at ${cur[0]}, before job ${i} ended at ${prev[1]}`);
    }
  });

  test('-b 2: two run together, the third starts when one of them returns', async () => {
    const r = await c.tsalt(['*', '--batch-size', '2', 'cmd.run', SPAN]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(groups(r.stdout), ["['m1', 'm2']", "['m3']"]);
    const sp = spans(r.stdout);
    const [m1, m2, m3] = ['m1', 'm2', 'm3'].map((m) => sp.get(m) as [number, number]);
    assert.ok(m1 && m2 && m3, r.stdout);
    assert.ok(m2[0] < m1[1] && m1[0] < m2[1], 'm1 and m2 should overlap');
    assert.ok(m3[0] >= Math.min(m1[1], m2[1]), 'm3 started before a slot was free');
  });

  test("-b 34% of 3 is one at a time; each return printed as Salt's batch prints it", async () => {
    const r = await c.tsalt(['*', '-b', '34%', 'test.ping']);
    assert.equal(r.code, 0, r.stderr);
    const jids = [...r.stdout.matchAll(/^ {4}(\d{20})$/gm)].map((m) => m[1] as string);
    assert.equal(jids.length, 3, r.stdout);
    const [j1, j2, j3] = jids as [string, string, string];
    assert.equal(
      r.stdout,
      `\nExecuting run on ['m1']\n\njid:\n    ${j1}\nm1:\n    True\nretcode:\n    0\n` +
        `\nExecuting run on ['m2']\n\njid:\n    ${j2}\nm2:\n    True\nretcode:\n    0\n` +
        `\nExecuting run on ['m3']\n\njid:\n    ${j3}\nm3:\n    True\nretcode:\n    0\n`,
    );
    // Not a TTY: no progress line.
    assert.equal(r.stderr, '');
  });

  test('--batch-wait holds a freed slot that long before the next minion starts', async () => {
    const r = await c.tsalt(['*', '-b', '1', '--batch-wait', '0.5', 'test.ping', '--out', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const jids = [...r.stdout.matchAll(/"jid": "(\d{20})"/g)].map((m) => jidMs(m[1] as string));
    assert.equal(jids.length, 3, r.stdout);
    for (let i = 1; i < 3; i++) assert.ok((jids[i] ?? 0) - (jids[i - 1] ?? 0) >= 500, `jids ${jids.join(' ')}`);
  });

  test('the exit code is the highest retcode; --failhard stops after the first failure', async () => {
    const all = await c.tsalt(['*', '-b', '2', 'test.retcode', '3']);
    assert.equal(all.code, 3, all.stderr);
    assert.equal(groups(all.stdout).length, 2);
    assert.equal([...all.stdout.matchAll(/^retcode:\n {4}3$/gm)].length, 3, all.stdout);

    const hard = await c.tsalt(['*', '-b', '1', '--failhard', 'test.retcode', '4']);
    assert.equal(hard.code, 4);
    assert.deepEqual(groups(hard.stdout), ["['m1']"]);
    assert.equal(
      hard.stderr,
      '[ERROR   ] Minion m1 returned with non-zero exit code. Batch run stopped due to failhard\n',
    );
  });

  test('--batch-safe-limit: a target that large runs in batches of --batch-safe-size', async () => {
    const r = await c.tsalt(['*', '--batch-safe-limit', '3', '--batch-safe-size', '2', 'test.ping']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith('\nNOTICE: Too many minions targeted, switching to batch execution.\n'), r.stdout);
    assert.deepEqual(groups(r.stdout), ["['m1', 'm2']", "['m3']"]);
    const small = await c.tsalt(['m1', '--batch-safe-limit', '3', 'test.ping']);
    assert.equal(small.stdout, 'm1:\n    True\n');
  });

  test('other target types, and --static: all returns at the end as one document', async () => {
    const l = await c.tsalt(['-L', 'm1,m3', '-b', '1', 'test.ping']);
    assert.equal(l.code, 0, l.stderr);
    assert.deepEqual(groups(l.stdout), ["['m1']", "['m3']"]);
    const g = await c.tsalt(['-G', 'id:m2', '-b', '1', 'test.ping']);
    assert.deepEqual(groups(g.stdout), ["['m2']"]);
    const st = await c.tsalt(['*', '-b', '2', '--static', 'test.ping', '--out', 'json']);
    assert.equal(st.code, 0, st.stderr);
    assert.deepEqual(JSON.parse(st.stdout), { m1: true, m2: true, m3: true });
  });

  test('bad input: an unreadable size, a target matching nothing', async () => {
    const bad = await c.tsalt(['*', '-b', 'ten', 'test.ping']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, 'Invalid batch data sent: ten\nData must be in the form of %10, 10% or 3\n');
    const none = await c.tsalt(['nope*', '-b', '1', 'test.ping']);
    assert.equal(none.code, 0);
    assert.equal(
      none.stdout,
      'No minions matched the target. No command was sent, no jid was assigned.\nNo minions matched the target.\n',
    );
  });

  test('on a TTY, a progress line with the counts on stderr, erased before each return', () => {
    // script(1) gives the CLI a terminal; without it this cannot be seen.
    const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
    if (probe.status !== 0) return;
    const cmd = `node ${BIN.tsalt} -c ${c.masterDir} '*' -b 1 test.retcode 1`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /\r\x1b\[K\[batch\] 0\/3 done, 1 running, 2 left, 0 failed/);
    assert.match(r.stdout, /\[batch\] 3\/3 done, 0 running, 0 left, 3 failed\r\x1b\[K/);
    // Every return starts on a clean line.
    assert.doesNotMatch(r.stdout, /failed(?!\r\x1b\[K)/);
  });

  test('a minion down at the ping gets no job', async () => {
    await c.minions.get('m3')?.stop();
    const r = await c.tsalt(['*', '-b', '1', '-t', '1', 'test.ping'], 60_000);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith('Minion m3 did not respond. No job will be sent.\n'), r.stdout);
    assert.deepEqual(groups(r.stdout), ["['m1']", "['m2']"]);
  });
});
