import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Dealer, Publisher, Router, Subscriber } from 'zeromq';
import { isRecord } from '@tsalt/core';
import { EventListener, fireMasterEvent, type BusEvent } from '@tsalt/events';
import { pack, ReqClient, unpack } from '@tsalt/transport';
import { cluster, waitFor, type Cluster } from './harness.js';

/*
 * Issue 17, findings 1 and 2, between real processes: a man in the middle
 * on 127.0.0.2 (all of 127/8 is loopback on Linux) relays a minion's
 * request and publish ports to the master on 127.0.0.1, records what
 * passes, and sends it again. The relay listens on the master's port
 * numbers, since the minion takes `publish_port` from the master's auth reply.
 */

const RELAY_HOST = '127.0.0.2';
const MASTER_HOST = '127.0.0.1';
/** How long a negative check waits for something that must not happen (ms). */
const QUIET_MS = 3000;

/** One send at a time per socket: zeromq.js refuses a second while one is pending. */
class Sender {
  private chain: Promise<void> = Promise.resolve();
  constructor(private readonly sock: { send(frames: Buffer[]): Promise<void> }) {}
  send(frames: Buffer[]): Promise<void> {
    const p = this.chain.then(() => this.sock.send(frames));
    this.chain = p.catch(() => undefined);
    return p;
  }
}

interface SeenRequest {
  /** The minion id its connection signed in as (from its clear `_auth`), when known. */
  from: string | undefined;
  aes: boolean;
  payload: Buffer;
}

function envelopeOf(payload: Buffer): Record<string, unknown> | undefined {
  try {
    const env = unpack(payload);
    return isRecord(env) ? env : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The man in the middle. Requests: a ROUTER on the relay host, each
 * connection forwarded over its own DEALER (a minion has one request in
 * flight per connection, so replies come back in order). Publishes: a
 * SUB on the master feeding a PUB on the relay host.
 */
class Relay {
  readonly requests: SeenRequest[] = [];
  readonly publishes: Buffer[] = [];
  private readonly router = new Router({ linger: 0 });
  private readonly routerOut = new Sender(this.router);
  private readonly pubOut = new Publisher({ linger: 0 });
  private readonly pubSender = new Sender(this.pubOut);
  private readonly subIn = new Subscriber({ linger: 0 });
  private readonly dealers = new Map<string, Sender>();
  private readonly dealerSocks: Dealer[] = [];
  /** Connection (routing id, hex) → the minion id it signed in as. */
  private readonly ids = new Map<string, string>();
  /** Minions whose next AES request is answered `bad load` instead of reaching the master. */
  private readonly refuse = new Set<string>();

  private constructor(private readonly ports: { publish: number; ret: number }) {}

  static async start(ports: { publish: number; ret: number }): Promise<Relay> {
    const r = new Relay(ports);
    await r.router.bind(`tcp://${RELAY_HOST}:${ports.ret}`);
    await r.pubOut.bind(`tcp://${RELAY_HOST}:${ports.publish}`);
    r.subIn.connect(`tcp://${MASTER_HOST}:${ports.publish}`);
    r.subIn.subscribe();
    void r.relayRequests();
    void r.relayPublishes();
    return r;
  }

  /** Answers `id`'s next AES request `bad load`, as an injected reply would: the minion re-authenticates. */
  refuseNextFrom(id: string): void {
    this.refuse.add(id);
  }

  /** Sends `frame` to every minion as if the master had published it. */
  inject(frame: Buffer): Promise<void> {
    return this.pubSender.send([frame]);
  }

  private async relayRequests(): Promise<void> {
    try {
      for await (const frames of this.router) {
        const [rid, ...rest] = frames;
        const payload = rest[rest.length - 1];
        if (!rid || !payload) continue;
        const key = rid.toString('hex');
        const env = envelopeOf(payload);
        const load = env?.['load'];
        if (env?.['enc'] === 'clear' && isRecord(load) && load['cmd'] === '_auth' && typeof load['id'] === 'string') {
          this.ids.set(key, load['id']);
        }
        const from = this.ids.get(key);
        const aes = env?.['enc'] === 'aes';
        this.requests.push({ from, aes, payload });
        if (aes && from !== undefined && this.refuse.delete(from)) {
          void this.routerOut.send([rid, Buffer.alloc(0), pack('bad load')]).catch(() => undefined);
          continue;
        }
        void this.dealerFor(rid)
          .send([Buffer.alloc(0), payload])
          .catch(() => undefined);
      }
    } catch {
      // Closed.
    }
  }

  private dealerFor(rid: Buffer): Sender {
    const key = rid.toString('hex');
    let s = this.dealers.get(key);
    if (s) return s;
    const d = new Dealer({ linger: 0 });
    d.connect(`tcp://${MASTER_HOST}:${this.ports.ret}`);
    this.dealerSocks.push(d);
    s = new Sender(d);
    this.dealers.set(key, s);
    void (async () => {
      try {
        for await (const reply of d) {
          const body = reply[reply.length - 1];
          if (body) await this.routerOut.send([rid, Buffer.alloc(0), body]);
        }
      } catch {
        // Closed.
      }
    })();
    return s;
  }

  private async relayPublishes(): Promise<void> {
    try {
      for await (const frames of this.subIn) {
        const frame = frames[frames.length - 1];
        if (!frame) continue;
        this.publishes.push(frame);
        await this.pubSender.send(frames);
      }
    } catch {
      // Closed.
    }
  }

  close(): void {
    for (const s of [this.router, this.pubOut, this.subIn, ...this.dealerSocks]) s.close();
  }
}

interface Setup {
  c: Cluster;
  relay: Relay;
  listener: EventListener;
  seen: BusEvent[];
  sockDir: string;
}

/** A master on 127.0.0.1, the relay, and minions that reach the master only through the relay. */
async function setUp(masterExtra: string, minions: Record<string, string>): Promise<Setup> {
  const c = await cluster(`auto_accept: True\n${masterExtra}`);
  await c.startMaster();
  const relay = await Relay.start(c.ports);
  const sockDir = path.join(c.root, 'var/run/tsalt/master');
  const listener = new EventListener({ sockDir, prefixes: ['replay/', 'salt/job/'] });
  await listener.ready(5000);
  const seen: BusEvent[] = [];
  void (async () => {
    for await (const ev of listener.events()) seen.push(ev);
  })();
  for (const [id, extra] of Object.entries(minions)) {
    // minion.d overrides the main file, which the harness writes with master: 127.0.0.1.
    const dropIn = path.join(c.minionDir(id), 'minion.d');
    fs.mkdirSync(dropIn, { recursive: true });
    fs.writeFileSync(path.join(dropIn, 'relay.conf'), `master: ${RELAY_HOST}\n`);
    await c.startMinion(id, extra);
  }
  for (const id of Object.keys(minions)) await c.waitPing(id);
  return { c, relay, listener, seen, sockDir };
}

async function tearDown(s: Setup | undefined): Promise<void> {
  s?.listener.close();
  s?.relay.close();
  await s?.c.cleanup();
}

const count = (text: string, needle: string): number => text.split(needle).length - 1;

/** Fails if `check` turns true within `ms`: a bounded wait for something that must not happen. */
async function staysFalse(what: string, check: () => boolean, ms = QUIET_MS): Promise<void> {
  const happened = await waitFor(what, check, ms).then(
    () => true,
    () => false,
  );
  assert.equal(happened, false, what);
}

/** The return event of `id` for a job of `fun` whose arguments mention `marker`. */
function retEvent(s: Setup, id: string, fun: string, marker: string): BusEvent | undefined {
  return s.seen.find(
    (e) =>
      e.tag.startsWith('salt/job/') &&
      e.tag.endsWith(`/ret/${id}`) &&
      e.data['fun'] === fun &&
      JSON.stringify(e.data['fun_args']).includes(marker),
  );
}

const fired = (s: Setup, tag: string): number => s.seen.filter((e) => e.tag === tag).length;

/**
 * Finding 2: `id` sends an event through the relay; every AES request it
 * made meanwhile (the `_minion_event`, the job's `_return`) is sent three
 * more times straight to the master. Returns how often the tag and the
 * job's return event fired, once a sentinel fired after the replays is seen.
 */
async function replayEventJob(s: Setup, id: string, tag: string): Promise<{ tag: number; ret: number; jid: string }> {
  const { c, relay } = s;
  const mark = relay.requests.length;
  const r = await c.tsalt([id, 'event.send', tag, '{"a": 1}', '--out', 'json', '--static']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const ret = await waitFor(`${id}'s return of event.send ${tag}`, () => retEvent(s, id, 'event.send', tag), 15_000, {
    alive: [c.master],
  });
  const jid = String(ret.data['jid']);
  assert.equal(fired(s, tag), 1);
  const captured = relay.requests.slice(mark).filter((q) => q.aes && q.from === id);
  assert.ok(captured.length >= 2, `the _minion_event and the _return went through the relay (${captured.length})`);
  const direct = new ReqClient({ address: `tcp://${MASTER_HOST}:${c.ports.ret}` });
  try {
    for (let i = 0; i < 3; i++) {
      for (const q of captured) assert.notEqual(unpack(await direct.request(q.payload, 5000)), 'bad load');
    }
  } finally {
    direct.close();
  }
  // Anything a replay fired was fired before it was answered: the sentinel comes after on the bus.
  const sentinel = `replay/sentinel/${crypto.randomBytes(4).toString('hex')}`;
  await fireMasterEvent(s.sockDir, sentinel, {});
  await waitFor(`the sentinel ${sentinel}`, () => fired(s, sentinel) === 1, 10_000, { alive: [c.master] });
  return { tag: fired(s, tag), ret: fired(s, `salt/job/${jid}/ret/${id}`), jid };
}

/*
 * Finding 1 with the master's request guard off (`request_replay_max: 0`):
 * with it on, the master would drop the return of a job run again (one per
 * minion and jid) and hide a minion that ran it. One jid remembered
 * (`minion_jid_queue_hwm: 1`), so the captured job is out of the jid queue
 * by then and only the serial guard stands.
 */
describe(
  "finding 1: a forced re-auth keeps the minion's publish guard (through a man in the middle)",
  { timeout: 60_000 },
  () => {
    let s: Setup | undefined;
    before(async () => {
      s = await setUp('request_replay_max: 0\n', {
        'm-open': 'minion_jid_queue_hwm: 1\n',
        'm-signed': 'minion_jid_queue_hwm: 1\nsign_pub_messages: True\n',
      });
    });
    after(() => tearDown(s));

    /** Runs test.arg through the relay on `id` and returns its publish as the relay saw it, and its jid. */
    async function capturedJob(id: string): Promise<{ frame: Buffer; jid: string }> {
      const { c, relay } = s!;
      const marker = `marker-${id}-${crypto.randomBytes(4).toString('hex')}`;
      const mark = relay.publishes.length;
      const r = await c.tsalt([id, 'test.arg', marker, '--out', 'json', '--static']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const ret = await waitFor(`${id}'s return of test.arg`, () => retEvent(s!, id, 'test.arg', marker));
      // The first publish after the mark is the job's (nothing else publishes meanwhile).
      const frame = relay.publishes[mark];
      assert.ok(frame, 'the job was published through the relay');
      return { frame, jid: String(ret.data['jid']) };
    }

    /** Sends `frame` again and checks `id` drops it (its log says so) and returns nothing more for `jid`. */
    async function replayDropped(id: string, frame: Buffer, jid: string): Promise<void> {
      const { c, relay } = s!;
      const d = c.minions.get(id)!;
      const drops = count(d.output(), 'dropped a replayed publish');
      await relay.inject(frame);
      await waitFor(
        `${id} to drop the replayed publish`,
        () => count(d.output(), 'dropped a replayed publish') > drops,
        10_000,
        {
          alive: [d],
        },
      );
      await staysFalse(`${id} ran job ${jid} again`, () => fired(s!, `salt/job/${jid}/ret/${id}`) > 1);
    }

    const REAUTHED = 're-authenticated: same session key, publish serial kept';

    test('sign_pub_messages False: a publish that does not decrypt forces a re-auth; the captured publish does not run again', async () => {
      const { c, relay } = s!;
      const open = c.minions.get('m-open')!;
      const signed = c.minions.get('m-signed')!;
      const job = await capturedJob('m-open');
      // A second job pushes the first out of the jid queue.
      const second = await c.tsalt(['m-open', 'test.ping', '--out', 'json', '--static']);
      assert.deepEqual(JSON.parse(second.stdout), { 'm-open': true });
      const reauths = count(open.output(), REAUTHED);
      const unverified = count(signed.output(), 'dropped a publish that does not verify');
      // A well-formed publish that decrypts under no key, without and with a (bogus) signature.
      const junk = crypto.randomBytes(96);
      await relay.inject(pack({ enc: 'aes', load: junk }));
      await relay.inject(pack({ enc: 'aes', load: junk, sig: crypto.randomBytes(256) }));
      await waitFor('m-open to re-authenticate', () => count(open.output(), REAUTHED) > reauths, 15_000, {
        alive: [open],
      });
      // A minion that checks signatures drops both unread, without a re-auth.
      await waitFor(
        'm-signed to drop both unsigned publishes',
        () => count(signed.output(), 'dropped a publish that does not verify') >= unverified + 2,
        10_000,
        { alive: [signed] },
      );
      await replayDropped('m-open', job.frame, job.jid);
    });

    test('sign_pub_messages True: a `bad load` reply forces a re-auth; the captured publish does not run again', async () => {
      const { c, relay } = s!;
      const signed = c.minions.get('m-signed')!;
      const job = await capturedJob('m-signed');
      const reauths = count(signed.output(), REAUTHED);
      relay.refuseNextFrom('m-signed');
      // Its return is answered `bad load`: it re-authenticates, and the retried return still arrives.
      const second = await c.tsalt(['m-signed', 'test.ping', '--out', 'json', '--static']);
      assert.deepEqual(JSON.parse(second.stdout), { 'm-signed': true });
      await waitFor('m-signed to re-authenticate', () => count(signed.output(), REAUTHED) > reauths, 15_000, {
        alive: [signed],
      });
      await replayDropped('m-signed', job.frame, job.jid);
    });

    test('request_replay_max: 0 turns the request guard off: the same captured requests fire every time (finding 2 unfixed)', async () => {
      const got = await replayEventJob(s!, 'm-open', 'replay/unguarded');
      assert.equal(got.tag, 4);
      assert.equal(got.ret, 4);
      assert.doesNotMatch(s!.c.master!.output(), /dropped a replayed request/);
    });
  },
);

describe('finding 2: the master answers a replayed request without acting on it', { timeout: 45_000 }, () => {
  let s: Setup | undefined;
  before(async () => {
    s = await setUp('', { 'm-guard': '' });
  });
  after(() => tearDown(s));

  test('a captured _minion_event and _return, sent three more times, fire once; the job cache holds the one return', async () => {
    const { c } = s!;
    const got = await replayEventJob(s!, 'm-guard', 'replay/guarded');
    assert.equal(got.tag, 1, 'the replayed _minion_event fired again');
    assert.equal(got.ret, 1, "the replayed _return's event fired again");
    const out = c.master!.output();
    // One line per replayed request, however often it comes back.
    assert.equal(out.match(/dropped a replayed request .*minion=m-guard cmd=_minion_event/g)?.length, 1, out);
    assert.equal(
      out.match(new RegExp(`dropped a replayed request .*minion=m-guard cmd=_return jid=${got.jid}`, 'g'))?.length,
      1,
      out,
    );
    const lookup = await c.runner(['jobs.lookup_jid', got.jid, '--out', 'json']);
    assert.deepEqual(JSON.parse(lookup.stdout), { 'm-guard': true });
  });
});
