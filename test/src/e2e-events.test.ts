import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Push } from 'zeromq';
import type { Logger } from '@tsalt/core';
import { busAddresses, encodeEvent, EventListener, fireMasterEvent, type BusEvent } from '@tsalt/events';
import { BIN, cluster, REPO, waitFor, watched, within, type Cluster } from './harness.js';

const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;

/**
 * A bus watcher written only against the documented API (docs/event-bus.md):
 * one JSON line per event; `flood/*` events are only counted, and reported
 * with the listener's drop count when `flood/end` arrives.
 */
const WATCHER = `
import { EventListener } from '@tsalt/events';
const listener = new EventListener({ sockDir: process.argv[2] });
await listener.ready();
console.log(JSON.stringify({ ready: true }));
process.once('SIGTERM', () => listener.close());
let flood = 0;
for await (const { tag, data } of listener.events()) {
  if (tag.startsWith('flood/')) {
    flood++;
    if (tag === 'flood/end') console.log(JSON.stringify({ flood, dropped: listener.dropped }));
    continue;
  }
  console.log(JSON.stringify({ tag, data }));
}
`;

interface Watcher {
  proc: ChildProcess;
  events: BusEvent[];
  lines: Record<string, unknown>[];
  stop(): Promise<void>;
}

async function startWatcher(sockDir: string): Promise<Watcher> {
  // Beside the compiled tests, so '@tsalt/events' resolves as it would for any program in the repo.
  const file = path.join(REPO, 'test', 'dist', `.watch-bus-${crypto.randomBytes(4).toString('hex')}.mjs`);
  fs.writeFileSync(file, WATCHER);
  const proc = spawn(process.execPath, [file, sockDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const w: Watcher = {
    proc,
    events: [],
    lines: [],
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await gone;
        clearTimeout(t);
      }
      fs.rmSync(file, { force: true });
    },
  };
  let buf = '';
  proc.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
      buf = buf.slice(nl + 1);
      if (typeof line['tag'] === 'string') w.events.push(line as unknown as BusEvent);
      else w.lines.push(line);
    }
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await waitFor('the watcher to be ready', () => w.lines.some((l) => l['ready'] === true), 10_000, {
    alive: [watched('the bus watcher', proc, () => stderr)],
  });
  return w;
}

function recordingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = {
    warn: (_o: unknown, msg?: string) => void lines.push(String(msg)),
    error: () => undefined,
    info: () => undefined,
    debug: () => undefined,
    child: () => log,
  };
  return { log: log as unknown as Logger, lines };
}

describe('the event bus: catalogue, state.event, event.send, presence, slow subscribers', { timeout: 180_000 }, () => {
  let c: Cluster;
  let sockDir = '';
  let watcher: Watcher;
  const find = (
    tag: string | RegExp,
    pred: (d: Record<string, unknown>) => boolean = () => true,
  ): BusEvent | undefined =>
    watcher.events.find((e) => (typeof tag === 'string' ? e.tag === tag : tag.test(e.tag)) && pred(e.data));
  const waitEvent = (
    tag: string | RegExp,
    pred?: (d: Record<string, unknown>) => boolean,
    ms = 15_000,
  ): Promise<BusEvent> => waitFor(`event ${String(tag)} on the bus`, () => find(tag, pred), ms, { alive: [c.master] });

  before(async () => {
    c = await cluster('presence_events: True\nmax_event_size: 65536\n');
    await c.startMaster();
    sockDir = path.join(c.root, 'var/run/tsalt/master');
    watcher = await startWatcher(sockDir);
    await c.startMinion('m1');
    await c.waitKey('m1', 'minions_pre');
    const a = await c.key(['-a', 'm1', '-y']);
    assert.equal(a.code, 0, a.stderr);
    await c.waitPing('m1');
  });
  after(async () => {
    await watcher?.stop();
    await c?.cleanup();
  });

  test('a program on the documented API sees auth, key, start, job and presence events, each with _stamp', async () => {
    const pend = await waitEvent('salt/auth', (d) => d['act'] === 'pend');
    assert.equal(pend.data['result'], true);
    assert.equal(pend.data['id'], 'm1');
    assert.match(String(pend.data['pub']), /BEGIN PUBLIC KEY/);
    assert.deepEqual(omitStamp((await waitEvent('salt/key')).data), { result: true, act: 'accept', id: 'm1' });
    assert.equal((await waitEvent('salt/auth', (d) => d['act'] === 'accept')).data['result'], true);
    // Salt's order: the legacy minion_start, then salt/minion/<id>/start; the whole _minion_event load as data.
    const legacy = await waitEvent('minion_start');
    const start = await waitEvent('salt/minion/m1/start');
    assert.ok(watcher.events.indexOf(legacy) < watcher.events.indexOf(start));
    assert.deepEqual(Object.keys(omitStamp(start.data)).sort(), ['cmd', 'data', 'id', 'pretag', 'tag']);
    assert.equal(start.data['cmd'], '_minion_event');
    assert.equal(start.data['id'], 'm1');
    assert.equal(start.data['tag'], 'salt/minion/m1/start');
    assert.equal(start.data['pretag'], null);
    assert.match(
      String(start.data['data']),
      /^Minion m1 started at [A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/,
    );
    // waitPing's first tries may have gone unanswered: follow the job that returned.
    const ret = await waitEvent(/^salt\/job\/\d{20}\/ret\/m1$/, (d) => d['return'] === true);
    const jid = String(ret.data['jid']);
    assert.deepEqual(omitStamp((await waitEvent(jid)).data), { minions: ['m1'] });
    const neu = await waitEvent(`salt/job/${jid}/new`);
    assert.deepEqual(Object.keys(omitStamp(neu.data)).sort(), [
      'arg',
      'fun',
      'jid',
      'minions',
      'missing',
      'tgt',
      'tgt_type',
      'user',
    ]);
    assert.ok(watcher.events.indexOf(neu) < watcher.events.indexOf(ret));
    assert.deepEqual(
      omitStamp((await waitEvent('salt/presence/change', (d) => (d['new'] as string[]).includes('m1'))).data),
      { new: ['m1'], lost: [] },
    );
    await waitEvent('salt/presence/present', (d) => (d['present'] as string[]).includes('m1'));
    for (const e of watcher.events) assert.match(String(e.data['_stamp']), STAMP, e.tag);
  });

  test('tsalt-run state.event pretty=True count=N tagmatch=... prints the tag, a tab, then sorted, indented JSON', async () => {
    const se = spawn(
      process.execPath,
      [BIN.run, '-c', c.masterDir, 'state.event', 'pretty=True', 'count=4', 'tagmatch=salt/job/*'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    se.stdout.on('data', (d: Buffer) => (out += d.toString()));
    se.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // 'close', not 'exit': by then everything it printed has been read.
    let closed = false;
    const exited = new Promise<number | null>((r) =>
      se.once('close', (code) => {
        closed = true;
        r(code);
      }),
    );
    const stateEvent = watched('tsalt-run state.event', se, () => `${out}\nstderr:\n${err}`);
    try {
      // Probes (matching tags) until state.event shows it is listening; they count towards its 4.
      // One probe a second at most: each waits until it is printed, or 1 s.
      const probe = async (): Promise<void> => fireMasterEvent(sockDir, 'salt/job/probe', { probe: true });
      const printed = (n: number): boolean => out.split('salt/job/probe\t').length - 1 >= n;
      await waitFor(
        'state.event to print a probe',
        async () => {
          const before = out.split('salt/job/probe\t').length - 1;
          await probe();
          await waitFor('the probe to be printed', () => printed(before + 1), 1000).catch(() => undefined);
          return printed(1);
        },
        20_000,
        { alive: [stateEvent] },
      );
      const r = await c.tsalt(['m1', 'test.echo', 'hello', '--show-jid']);
      const jid = /jid: (\d{20})/.exec(r.stdout)?.[1];
      assert.ok(jid, r.stdout);
      // More probes until count is reached, however many the wait above printed.
      // One probe, then wait for the exit (1 s at most) before the next.
      const code = await waitFor(
        'state.event to exit after count events',
        async () => {
          if (closed) return `exit ${await exited}`;
          await probe();
          const c = await within(exited, 1000, 'running');
          return c === 'running' ? undefined : `exit ${c}`;
        },
        20_000,
      );
      assert.equal(code, 'exit 0', err);
      const blocks = out
        .replace(/\nNone\n$/, '\n')
        .trimEnd()
        .split(/\n(?=\S+\t)/);
      assert.equal(blocks.length, 4, out);
      for (const b of blocks.filter((x) => x.startsWith('salt/job/probe\t'))) {
        assert.match(b, /^salt\/job\/probe\t\{\n {4}"_stamp": "[^"]+",\n {4}"probe": true\n\}$/);
      }
      const real = blocks.filter((x) => !x.startsWith('salt/job/probe\t'));
      assert.match(
        real[0] ?? '',
        new RegExp(
          `^salt/job/${jid}/new\\t\\{\\n {4}"_stamp": "[^"]+",\\n {4}"arg": \\[\\n {8}"hello"\\n {4}\\],\\n {4}"fun": "test.echo",\\n {4}"jid": "${jid}",`,
        ),
      );
      const [tag, json] = (real[1] ?? '').split('\t');
      assert.equal(tag, `salt/job/${jid}/ret/m1`);
      const data = JSON.parse(json ?? '') as Record<string, unknown>;
      assert.equal(data['return'], 'hello');
      assert.deepEqual(Object.keys(data), Object.keys(data).sort(), 'pretty sorts the keys');
    } finally {
      se.kill('SIGKILL');
    }
    // The runner itself ran as a job: salt/run/<jid>/new and /ret.
    const run = await waitEvent(/^salt\/run\/\d{20}\/ret$/, (d) => d['fun'] === 'runner.state.event');
    assert.equal(run.data['success'], true);
    assert.ok(find(run.tag.replace(/ret$/, 'new')));
  });

  test("tsalt <id> event.send arrives as Salt nests it: the payload under data['data'], the sender in data['id']", async () => {
    const r = await c.tsalt(['m1', 'event.send', 'myco/app/deployed', '{"version": 3}', '--out', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { m1: true });
    const ev = await waitEvent('myco/app/deployed');
    assert.deepEqual(omitStamp(ev.data), {
      cmd: '_minion_event',
      tag: 'myco/app/deployed',
      data: { version: 3 },
      pretag: null,
      id: 'm1',
    });
    const fm = await c.tsalt(['m1', 'event.fire_master', '{"x": 1}', 'myco/fired']);
    assert.equal(fm.code, 0, fm.stderr);
    assert.deepEqual((await waitEvent('myco/fired')).data['data'], { x: 1 });
  });

  test('wheel calls fire salt/wheel/<jid>/new and /ret, and wheel.key.* fires salt/key like tsalt-key', async () => {
    await c.startMinion('m2');
    await c.waitKey('m2', 'minions_pre');
    const r = await c.runner(['wheel.key.accept', 'match=m2', '--out', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { minions: ['m2'] });
    const ret = await waitEvent(/^salt\/wheel\/\d{20}\/ret$/);
    const tag = ret.tag.replace(/\/ret$/, '');
    assert.deepEqual(omitStamp(ret.data), {
      fun: 'wheel.key.accept',
      jid: tag.split('/')[2],
      tag,
      user: ret.data['user'],
      return: { minions: ['m2'] },
      success: true,
    });
    assert.deepEqual(Object.keys(omitStamp((await waitEvent(`${tag}/new`)).data)).sort(), [
      'fun',
      'jid',
      'tag',
      'user',
    ]);
    await waitEvent('salt/key', (d) => d['id'] === 'm2' && d['act'] === 'accept');
    await c.waitPing('m2');
    await waitEvent('salt/presence/present', (d) => (d['present'] as string[]).includes('m2'));
  });

  test('a minion that stops is reported lost; deleting its key rotates the AES key (`key` event)', async () => {
    await c.minions.get('m2')?.stop();
    await waitEvent('salt/presence/change', (d) => (d['lost'] as string[]).includes('m2'));
    const d = await c.key(['-d', 'm2', '-y']);
    assert.match(d.stdout, /Key for minion m2 deleted\./);
    await waitEvent('salt/key', (x) => x['id'] === 'm2' && x['act'] === 'delete');
    assert.deepEqual(omitStamp((await waitEvent('key')).data), { rotate_aes_key: true });
    // m1 re-authenticates with the new session key (the publish it could not read is lost, as in Salt).
    await c.waitPing('m1');
  });

  test('a slow subscriber does not block the bus: others and jobs keep going, it counts what it lost', async () => {
    const rec = recordingLogger();
    const slow = new EventListener({ sockDir, prefixes: ['flood/'], highWaterMark: 100, log: rec.log });
    const push = new Push({ sendTimeout: 10_000, linger: 1000 });
    push.connect(busAddresses(sockDir).pull);
    try {
      await slow.ready(5000);
      const total = 30_000;
      const flood = (async () => {
        for (let i = 0; i < total; i++) await push.send(encodeEvent('flood/x', { i }));
        await push.send(encodeEvent('flood/end', {}));
      })();
      // While the slow listener reads nothing, a job runs as usual.
      const t0 = Date.now();
      const ping = await c.tsalt(['m1', 'test.ping', '--out', 'json']);
      assert.deepEqual(JSON.parse(ping.stdout), { m1: true });
      assert.ok(Date.now() - t0 < 10_000);
      await flood;
      const report = await waitFor(
        'the watcher to count the flood',
        () => watcher.lines.find((l) => typeof l['flood'] === 'number'),
        30_000,
      );
      assert.deepEqual(report, { flood: total + 1, dropped: 0 }, 'a reader that keeps up loses nothing');
      // The slow reader wakes: it drains what was kept, then one more event shows the gap.
      let got = 0;
      while (await slow.next(300)) got++;
      await fireMasterEvent(sockDir, 'flood/mark', {});
      const mark = await slow.next(5000);
      assert.equal(mark?.tag, 'flood/mark');
      got++;
      assert.ok(slow.dropped > 0, 'the slow reader lost events');
      assert.equal(got + slow.dropped, total + 2);
      slow.close();
      assert.ok(
        rec.lines.some((l) => /^dropped \d+ events \(slow reader\)$/.test(l)),
        rec.lines.join('\n'),
      );
    } finally {
      slow.close();
      push.close();
    }
  });

  test('an event over max_event_size is refused with a log line; the next one passes', async () => {
    // max_event_size is 65536 here; the payload's job events would be refused too, so it goes straight to the bus.
    await fireMasterEvent(sockDir, 'big/pushed', { blob: 'y'.repeat(100_000) });
    await fireMasterEvent(sockDir, 'big/after', { ok: true });
    await waitEvent('big/after');
    assert.equal(find('big/pushed'), undefined);
    await waitFor('the refusal in the master log', () =>
      /refused event larger than max_event_size.*tag=big\/pushed bytes=100\d{3} limit=65536/.test(c.master!.output()),
    );
  });
});

function omitStamp(d: Record<string, unknown>): Record<string, unknown> {
  const { _stamp: _s, ...rest } = d;
  return rest;
}
