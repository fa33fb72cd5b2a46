import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { EventListener } from '@tsalt/events';
import { childPids, cluster, startSwarm, waitFor, type Cluster, type RunResult, type Swarm } from './harness.js';

/**
 * A first swarm start on a fresh checkout makes the keys the shared cache
 * lacks: ~250 ms of CPU per 2048-bit key, so ~1,000 keys take ~2 min on 2
 * cores. Later starts only sign in. Bound (ms) for "all N authenticated".
 */
const FIRST_START_MS = 10 * 60_000;
/** Bound for one CLI run against hundreds of minions (ms); the CLI's own -t is 30 s. */
const CLI_MS = 120_000;

const echo = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** swarm-<from> .. swarm-<to>, sorted as strings (the order manage.* and Object.keys comparisons use here). */
function ids(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `swarm-${from + i}`).sort();
}

/** The JSON of `--out json --static`, after the `jid: …` line of --show-jid if any. */
function jsonOut(r: RunResult): Record<string, unknown> {
  const start = r.stdout.indexOf('{');
  assert.ok(start >= 0, `no JSON in the output (exit ${r.code}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.slice(start)) as Record<string, unknown>;
}

/** Every id in `want` returned `value`, nothing else answered, and the CLI exited 0. */
function assertEveryReturn(r: RunResult, want: string[], value: unknown): void {
  const got = jsonOut(r);
  const wrong = want.filter((id) => !isDeepStrictEqual(got[id], value));
  assert.deepEqual(
    wrong.slice(0, 20),
    [],
    `${wrong.length} of ${want.length} did not return ${JSON.stringify(value)}, e.g. ${JSON.stringify(got[wrong[0] ?? ''])}`,
  );
  assert.deepEqual(Object.keys(got).sort(), want);
  assert.equal(r.code, 0, r.stderr);
}

function jidOf(r: RunResult): string {
  const jid = /jid: (\d{20})/.exec(r.stdout)?.[1];
  assert.ok(jid, r.stdout.slice(0, 500));
  return jid;
}

/** The master's `_stamp` (UTC, microseconds) in ms since the epoch; when it is read, not when the test got it. */
function stampMs(data: Record<string, unknown>): number {
  const stamp = data['_stamp'];
  const ms = typeof stamp === 'string' ? Date.parse(`${stamp.slice(0, 23)}Z`) : NaN;
  return Number.isFinite(ms) ? ms : Date.now();
}

describe('a bounded load: 500 swarm minions, two jobs', { timeout: FIRST_START_MS + 5 * 60_000 }, () => {
  let c: Cluster;
  let swarm: Swarm | undefined;
  before(async () => {
    c = await cluster('auto_accept: True');
    await c.startMaster();
    swarm = startSwarm(c, { minions: 500, processes: 2, echo });
    await swarm.authenticated(FIRST_START_MS);
  });
  after(async () => {
    await swarm?.stop();
    await c?.cleanup();
  });

  test('every one of the 500 returns each job, and the job cache holds every return', async () => {
    const want = ids(1, 500);
    const ping = await c.tsalt(['*', 'test.ping', '--static', '--out', 'json', '-t', '30', '--show-jid'], CLI_MS);
    assertEveryReturn(ping, want, true);
    const echoed = await c.tsalt(['*', 'test.echo', 'hello', '--static', '--out', 'json', '-t', '30'], CLI_MS);
    assertEveryReturn(echoed, want, 'hello');

    const lookup = await c.runner(['jobs.lookup_jid', jidOf(ping), '--out', 'json']);
    assert.equal(lookup.code, 0, lookup.stderr);
    const cached = JSON.parse(lookup.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(cached).sort(), want);
    assert.ok(
      Object.values(cached).every((v) => v === true),
      'every cached return is True',
    );
  });
});

describe('the master restarts under 1,000 swarm minions', { timeout: FIRST_START_MS + 5 * 60_000 }, () => {
  const N = 1000;
  let c: Cluster;
  let swarm: Swarm | undefined;
  before(async () => {
    c = await cluster('auto_accept: True');
    await c.startMaster();
    // presence_interval (s): the heartbeat is how an idle minion finds out the
    // master lost its session, so the re-auth wave spreads over about 5 s.
    // random_reauth_delay (s): a minion that first learns of it from a publish
    // it cannot decrypt waits up to this long, as in Salt.
    swarm = startSwarm(c, {
      minions: N,
      processes: 2,
      extraConfig: 'presence_interval: 5\nrandom_reauth_delay: 3',
      echo,
    });
    await swarm.authenticated(FIRST_START_MS);
    assertEveryReturn(
      await c.tsalt(['*', 'test.ping', '--static', '--out', 'json', '-t', '30'], CLI_MS),
      ids(1, N),
      true,
    );
  });
  after(async () => {
    await swarm?.stop();
    await c?.cleanup();
  });

  test('all re-authenticate with jitter, a job during the wave is served, and all answer the next ping', async () => {
    const kids = childPids(swarm!.proc.pid!);
    assert.equal(kids.length, 2, 'two swarm processes');
    await c.master!.stop();
    // Every salt/auth of the new master must be seen, but a listener can only
    // subscribe once the new bus is up, and minions whose heartbeat was queued
    // while the master was down sign in the moment it listens. So the swarm
    // processes are paused (SIGSTOP) until the listener is live; on SIGCONT
    // they find the master restarted, exactly as if it had just come back.
    for (const pid of kids) process.kill(pid, 'SIGSTOP');
    let listener: EventListener;
    try {
      await c.startMaster();
      listener = new EventListener({
        sockDir: path.join(c.root, 'var/run/tsalt/master'),
        prefixes: ['salt/auth', 'salt/job/'],
      });
      await listener.ready(15_000);
    } finally {
      for (const pid of kids) process.kill(pid, 'SIGCONT');
    }

    /** id → when the master accepted its first re-auth (ms). */
    const accepted = new Map<string, number>();
    /** jid → how many had re-authenticated when the master published it. */
    const reauthedAtPublish = new Map<string, number>();
    const reading = (async () => {
      for await (const { tag, data } of listener.events()) {
        if (tag === 'salt/auth') {
          const id = data['id'];
          if (data['act'] === 'accept' && typeof id === 'string' && !accepted.has(id)) accepted.set(id, stampMs(data));
        } else {
          const m = /^salt\/job\/(\d{20})\/new$/.exec(tag);
          if (m) reauthedAtPublish.set(m[1]!, accepted.size);
        }
      }
    })();

    try {
      // (a) A job to the minions already back, while the rest are still signing in.
      const early = await waitFor(
        '50 minions to re-authenticate',
        () => (accepted.size >= 50 ? [...accepted.keys()].sort() : undefined),
        120_000,
      );
      const probe = await c.tsalt(
        ['-L', early.join(','), 'test.ping', '--static', '--out', 'json', '-t', '30', '--show-jid'],
        CLI_MS,
      );
      const probeJid = jidOf(probe);
      await waitFor('the probe job on the bus', () => reauthedAtPublish.has(probeJid));
      const atPublish = reauthedAtPublish.get(probeJid)!;
      assertEveryReturn(probe, early, true);
      assert.ok(
        atPublish < N,
        `the probe job went out only after all ${N} had re-authenticated: the wave was over before a job could be sent during it`,
      );

      // (b) Every minion signs in again, not all at the same moment.
      await waitFor(`all ${N} to re-authenticate`, () => accepted.size >= N, 180_000);
      assert.deepEqual([...accepted.keys()].sort(), ids(1, N));
      const times = [...accepted.values()];
      const spreadMs = Math.max(...times) - Math.min(...times);
      assert.ok(spreadMs >= 1000, `all ${N} re-authenticated within ${spreadMs} ms of each other: no jitter`);
      echo(
        `re-auth wave: ${N} minions over ${(spreadMs / 1000).toFixed(1)} s; the probe job to ${early.length} went out with ${atPublish} re-authenticated`,
      );

      // (c) And they all answer.
      assertEveryReturn(
        await c.tsalt(['*', 'test.ping', '--static', '--out', 'json', '-t', '30'], CLI_MS),
        ids(1, N),
        true,
      );
    } finally {
      listener.close();
      await reading;
    }
  });
});

describe('swarm minions that vanish show up in manage.down', { timeout: FIRST_START_MS + 3 * 60_000 }, () => {
  let c: Cluster;
  let swarm: Swarm | undefined;
  before(async () => {
    c = await cluster('auto_accept: True');
    await c.startMaster();
    swarm = startSwarm(c, { minions: 40, processes: 2, echo });
    await swarm.authenticated(FIRST_START_MS);
    assertEveryReturn(
      await c.tsalt(['*', 'test.ping', '--static', '--out', 'json', '-t', '30'], CLI_MS),
      ids(1, 40),
      true,
    );
  });
  after(async () => {
    await swarm?.stop();
    await c?.cleanup();
  });

  test('one swarm process killed: its 20 are down, the other 20 up, and tsalt-swarm goes on', async () => {
    const kids = childPids(swarm!.proc.pid!);
    assert.equal(kids.length, 2, 'two swarm processes');
    const victim = kids[0]!;
    process.kill(victim, 'SIGKILL');
    await waitFor('tsalt-swarm to report the lost process', () =>
      swarm!.output().includes(`tsalt-swarm: swarm process ${victim} ended (SIGKILL) with 20 minions`),
    );
    assert.equal(swarm!.proc.exitCode, null, 'tsalt-swarm still runs');
    assert.equal(swarm!.proc.signalCode, null, 'tsalt-swarm still runs');

    // The shares are contiguous: the victim held swarm-1..20 or swarm-21..40.
    const shares = [ids(1, 20), ids(21, 40)];
    const down = await c.runner(['manage.down', 'timeout=3', 'gather_job_timeout=3', '--out', 'json']);
    assert.equal(down.code, 0, down.stderr);
    const downIds = (JSON.parse(down.stdout) as string[]).sort();
    const lost = shares.findIndex((s) => isDeepStrictEqual(s, downIds));
    assert.ok(lost >= 0, `manage.down is not one whole share: ${JSON.stringify(downIds)}`);

    const up = await c.runner(['manage.up', 'timeout=3', 'gather_job_timeout=3', '--out', 'json']);
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual((JSON.parse(up.stdout) as string[]).sort(), shares[1 - lost]);
  });
});
