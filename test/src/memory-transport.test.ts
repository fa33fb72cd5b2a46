import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isRecord, silentLogger } from '@tsalt/core';
import { Crypticle, KeyStore, generateKeyPair, minionToken, type KeyPair } from '@tsalt/crypto';
import { masterConfig, minionConfig } from '@tsalt/config';
import {
  buildAuthRequest,
  MemoryTransport,
  newNonce,
  pack,
  parseAuthReply,
  sealAes,
  sealPublish,
  unpack,
  type Envelope,
  type PublishLoad,
  type RequestServer,
  AuthRefusedError,
  MasterClient,
  memoryPin,
  SignInError,
} from '@tsalt/transport';
import {
  handleAes,
  handleAuth,
  JobTargets,
  RequestReplayGuard,
  SessionKeys,
  type AesDeps,
  type AuthDeps,
} from '@tsalt/master';
import { MasterLink } from '@tsalt/minion';

/*
 * Sign-in, re-auth, session-key rotation and replay between the master's
 * request handlers and a minion's MasterLink, over the in-memory transport:
 * no processes, no sockets. Ports are only names here.
 */
const REQ = 'tcp://127.0.0.1:4506';
const PUB = 'tcp://127.0.0.1:4505';
const JID = '20261202120000000001';
/** Every wait is bounded (ms). */
const BOUND = 10_000;

const within = <T>(p: Promise<T>, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in time`)), BOUND).unref()),
  ]);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-memory-'));
const masterPair = generateKeyPair(2048);
const minionPair = generateKeyPair(2048);
const keys = new KeyStore(path.join(root, 'pki'), 'sha256');
keys.ensureDirs();

/** A master: the request port's handlers behind a MemoryTransport server, and its publish channel. */
class FakeMaster {
  session = new SessionKeys();
  readonly fired: [string, Record<string, unknown>][] = [];
  /** The jobs this fake published, as the master's publish records them: a return is taken only for those. */
  readonly targets = new JobTargets(3600_000);
  private server: RequestServer | undefined;
  private serial = 0;
  /** The master's guard with the default bounds (request_replay_ttl, request_replay_max). */
  readonly replay = new RequestReplayGuard(masterConfig().request_replay_ttl_ms, masterConfig().request_replay_max);
  /** Answer the next AES request `bad load`, as an injected reply would: the minion re-authenticates. */
  refuseNext = false;
  constructor(readonly net: MemoryTransport) {}

  private authDeps(): AuthDeps {
    return {
      opts: masterConfig({ auth_events: false }),
      keys,
      session: this.session,
      masterPrivate: masterPair.privateKey,
      masterPubPem: masterPair.publicPem,
      log: silentLogger(),
      fire: () => undefined,
    };
  }

  private aesDeps(): AesDeps {
    return {
      opts: masterConfig({ job_cache: false, ext_job_cache: '' }),
      keys,
      session: this.session,
      cache: {} as AesDeps['cache'],
      log: silentLogger(),
      fire: (tag, data) => void this.fired.push([tag, data]),
      masterPrivate: masterPair.privateKey,
      targets: this.targets,
      pillar: {} as AesDeps['pillar'], // no _pillar here
      replay: this.replay,
    };
  }

  async start(): Promise<void> {
    this.server = this.net.requestServer(
      { address: REQ, maxRequestSize: 1 << 20, backlog: 10, log: silentLogger() },
      async (env: Envelope) => {
        if (env.enc === 'aes' && this.refuseNext) {
          this.refuseNext = false;
          return 'bad load';
        }
        if (env.enc === 'aes') return handleAes(env, this.aesDeps());
        if (isRecord(env.load) && env.load['cmd'] === '_auth') return handleAuth(env.load, this.authDeps());
        return 'bad load';
      },
    );
    await this.server.start();
  }

  /** As a restarted master: a new session key, the old one forgotten. */
  async restart(): Promise<void> {
    await this.server?.close();
    this.session = new SessionKeys();
    await this.start();
  }

  publish(load: Omit<PublishLoad, 'serial'>, serial = ++this.serial): Buffer {
    const pub = this.net.publishChannel({ address: PUB, highWaterMark: 1000, backlog: 10, log: silentLogger() });
    const payload = sealPublish(this.session.aes, masterPair.privateKey, { ...load, serial });
    void pub.start().then(() => pub.publish(payload));
    return payload;
  }
}

function link(net: MemoryTransport, jobs: PublishLoad[] = [], extra: Record<string, unknown> = {}): MasterLink {
  return new MasterLink({
    opts: minionConfig({
      id: 'm1',
      master: '127.0.0.1',
      master_port: 4506,
      publish_port: 4505,
      pki_dir: path.join(root, 'minion-pki'),
      acceptance_wait_time: 0.05,
      random_reauth_delay: 0,
      auth_timeout: 2,
      ...extra,
    }),
    pair: minionPair,
    grains: {},
    log: silentLogger(),
    pin: memoryPin(),
    onJob: (load) => void jobs.push(load),
    onFatal: () => undefined,
    transport: net,
  });
}

/** One `_auth` as a minion sends it, and the outcome it reads. */
async function authOnce(net: MemoryTransport, pair: KeyPair): Promise<string> {
  const ch = net.requestChannel({ address: REQ });
  const nonce = newNonce();
  const reply = await ch.request(
    pack({ enc: 'clear', load: buildAuthRequest('m1', pair.publicPem, nonce), version: 2 }),
    BOUND,
  );
  ch.close();
  return parseAuthReply(unpack(reply), { minionPrivate: pair.privateKey, nonce }).kind;
}

const waitFor = async (cond: () => boolean, what: string): Promise<void> => {
  const until = Date.now() + BOUND;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('auth over the in-memory transport', () => {
  let net: MemoryTransport;
  let master: FakeMaster;
  before(async () => {
    net = new MemoryTransport();
    master = new FakeMaster(net);
    await master.start();
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test('a new key is pending; once accepted, the waiting minion signs in', async () => {
    const l = link(net);
    try {
      const signing = l.authenticate();
      await waitFor(() => keys.read('pending', 'm1') !== undefined, 'the pending key');
      assert.equal(l.authenticated, false);
      keys.write('accepted', 'm1', minionPair.publicPem);
      keys.remove('pending', 'm1');
      await within(signing, 'sign-in');
      assert.equal(l.authenticated, true);
      assert.equal(await authOnce(net, minionPair), 'accepted');
    } finally {
      l.close();
    }
  });

  test('a different key for an accepted id is denied and kept in minions_denied', async () => {
    const other = generateKeyPair(2048);
    assert.notEqual(await authOnce(net, other), 'accepted');
    assert.equal(keys.read('denied', 'm1'), other.publicPem);
    keys.remove('denied', 'm1');
  });

  test('a rejected key: the minion gives up (rejected_retry off)', async () => {
    keys.remove('accepted', 'm1');
    keys.write('rejected', 'm1', minionPair.publicPem);
    const l = link(net);
    try {
      await assert.rejects(within(l.authenticate(), 'sign-in'), AuthRefusedError);
    } finally {
      l.close();
      keys.remove('rejected', 'm1');
      keys.write('accepted', 'm1', minionPair.publicPem);
    }
  });

  test('a master that lost the session: the request re-authenticates once and goes through', async () => {
    const l = link(net);
    try {
      await within(l.authenticate(), 'sign-in');
      await master.restart();
      const before = master.fired.length;
      const ok = await within(l.aesRequest({ cmd: '_minion_event', tag: 'my/tag', data: { x: 1 } }, BOUND), 'event');
      assert.equal(ok, true);
      assert.equal(l.signIns, 2);
      assert.equal(
        master.fired
          .slice(before)
          .map(([t]) => t)
          .join(),
        'my/tag',
      );
    } finally {
      l.close();
    }
  });

  test('session-key rotation: a publish under the new key makes the minion re-auth and still run it; a replayed one is dropped', async () => {
    const jobs: PublishLoad[] = [];
    const l = link(net, jobs);
    try {
      await within(l.authenticate(), 'sign-in');
      const job = { fun: 'test.ping', arg: [], tgt: 'm1', tgt_type: 'glob', jid: JID };
      master.publish(job);
      await waitFor(() => jobs.length === 1, 'the first job');
      master.session.rotate();
      const second = master.publish({ ...job, jid: '20261202120000000002' });
      await waitFor(() => jobs.length === 2, 'the job under the new key');
      assert.equal(l.signIns, 2);
      // The same publish again, then a new job under an old serial: both dropped; then a fresh one.
      const pub = net.publishChannel({ address: PUB, highWaterMark: 10, backlog: 10, log: silentLogger() });
      await pub.start();
      await pub.publish(second);
      master.publish({ ...job, jid: '20261202120000000003' }, 1);
      master.publish({ ...job, jid: '20261202120000000004' });
      await waitFor(() => jobs.length === 3, 'the next fresh job');
      assert.deepEqual(
        jobs.map((j) => j.jid),
        [JID, '20261202120000000002', '20261202120000000004'],
      );
    } finally {
      l.close();
    }
  });

  for (const signed of [false, true]) {
    test(`a forced re-auth under the same key keeps the replay guard (sign_pub_messages ${signed}): a captured publish does not run again`, async () => {
      const jobs: PublishLoad[] = [];
      // One jid remembered: the captured publish's jid is forgotten by then, so only the serial guard stands.
      const l = link(net, jobs, { sign_pub_messages: signed, minion_jid_queue_hwm: 1 });
      try {
        await within(l.authenticate(), 'sign-in');
        const base = signed ? '2026120213000000001' : '2026120213000000000';
        const job = { fun: 'test.ping', arg: [], tgt: 'm1', tgt_type: 'glob', jid: `${base}1` };
        const captured = master.publish(job);
        await waitFor(() => jobs.length === 1, 'the first job');
        master.publish({ ...job, jid: `${base}2` });
        await waitFor(() => jobs.length === 2, 'the second job');
        const pub = net.publishChannel({ address: PUB, highWaterMark: 10, backlog: 10, log: silentLogger() });
        await pub.start();
        if (signed) {
          // An unsigned publish is dropped unread, so the re-auth comes from an injected `bad load` reply.
          master.refuseNext = true;
          await within(l.aesRequest({ cmd: '_minion_event', tag: 'x', data: {} }, BOUND), 'event');
        } else {
          // An injected publish that does not decrypt: the minion re-authenticates and gets the same key back.
          const forged = sealPublish(new Crypticle(Crypticle.generateKeyString()), undefined, { ...job, serial: 1 });
          await pub.publish(forged);
        }
        await waitFor(() => l.signIns === 2, 'the forced re-auth');
        // A new job under an old serial, the captured (genuinely signed) publish: neither runs; then a fresh one.
        master.publish({ ...job, jid: `${base}3` }, 1);
        await pub.publish(captured);
        master.publish({ ...job, jid: `${base}4` });
        await waitFor(() => jobs.length === 3, 'the next fresh job');
        assert.deepEqual(
          jobs.map((j) => j.jid),
          [`${base}1`, `${base}2`, `${base}4`],
        );
      } finally {
        l.close();
      }
    });
  }

  test('a replayed _minion_event fires once; a replayed or retried _return fires once; refused once the key rotated', async () => {
    const ch = net.requestChannel({ address: REQ });
    master.targets.record(JID, ['m1']);
    try {
      const tok = minionToken(minionPair.privateKey);
      const sealed = (load: Record<string, unknown>): Buffer =>
        pack({ enc: 'aes', load: sealAes(master.session.aes, { id: 'm1', tok, ...load }), version: 2 });
      const event = sealed({ cmd: '_minion_event', tag: 'replayed', data: {}, nonce: newNonce() });
      const retLoad = { cmd: '_return', jid: JID, return: true };
      const ret = sealed({ ...retLoad, nonce: newNonce() });
      const fired = (tag: string): number => master.fired.filter(([t]) => t === tag).length;
      for (let i = 0; i < 3; i++) assert.equal(unpack(await ch.request(event, BOUND)) instanceof Buffer, true);
      assert.equal(fired('replayed'), 1, 'an exact replay is answered, not fired again');
      for (let i = 0; i < 3; i++) await ch.request(ret, BOUND);
      // A minion's retry of a return that timed out: a new nonce, the same job; stored and fired once.
      await ch.request(sealed({ ...retLoad, nonce: newNonce() }), BOUND);
      assert.equal(fired(`salt/job/${JID}/ret/m1`), 1);
      // The same event sent again by the minion (a new nonce) is a new event.
      await ch.request(sealed({ cmd: '_minion_event', tag: 'replayed', data: {}, nonce: newNonce() }), BOUND);
      assert.equal(fired('replayed'), 2);
      master.session.rotate();
      assert.equal(unpack(await ch.request(event, BOUND)), 'bad load');
      assert.equal(unpack(await ch.request(ret, BOUND)), 'bad load');
      assert.equal(fired('replayed'), 2);
      assert.equal(fired(`salt/job/${JID}/ret/m1`), 1);
      assert.equal(net.recorded(REQ).filter((p) => p.equals(event)).length, 4);
    } finally {
      ch.close();
    }
  });
});

describe("tsalt-call's MasterClient over the in-memory transport", () => {
  let net: MemoryTransport;
  let master: FakeMaster;
  const callerPair = generateKeyPair(2048);
  const client = (extra: Record<string, unknown> = {}): MasterClient =>
    new MasterClient({
      opts: minionConfig({
        id: 'caller-1',
        master: '127.0.0.1',
        master_port: 4506,
        pki_dir: path.join(root, 'caller-pki'),
        auth_timeout: 0.2,
        auth_tries: 2,
        ...extra,
      }),
      pair: callerPair,
      log: silentLogger(),
      pin: memoryPin(),
      transport: net,
    });
  before(async () => {
    net = new MemoryTransport();
    master = new FakeMaster(net);
    await master.start();
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test("a pending key gives up at once with Salt's question; once accepted, events reach the master", async () => {
    const c = client();
    try {
      await assert.rejects(within(c.reauthenticate(), 'sign-in'), (err: unknown) => {
        assert.ok(err instanceof SignInError);
        assert.equal(err.code, 'KEY_PENDING');
        assert.equal(err.message, 'Minion failed to authenticate with the master, has the minion key been accepted?');
        return true;
      });
      keys.remove('pending', 'caller-1');
      keys.write('accepted', 'caller-1', callerPair.publicPem);
      await within(c.reauthenticate(), 'sign-in');
      await within(c.fireMaster('my/tag', { a: 1 }), 'fire_master');
      const ev = master.fired.find(([tag]) => tag === 'my/tag');
      assert.deepEqual(ev?.[1]['data'], { a: 1 });
      assert.equal(ev?.[1]['id'], 'caller-1');
    } finally {
      c.close();
    }
  });

  test('no master: auth_tries tries of auth_timeout, then SIGNIN_TIMEOUT', async () => {
    const c = client({ master_port: 4999 });
    const t0 = Date.now();
    try {
      await assert.rejects(within(c.reauthenticate(), 'sign-in'), (err: unknown) => {
        assert.ok(err instanceof SignInError);
        assert.equal(err.code, 'SIGNIN_TIMEOUT');
        assert.equal(err.message, 'Attempt to authenticate with the salt master failed with timeout error');
        return true;
      });
      assert.ok(Date.now() - t0 >= 400);
    } finally {
      c.close();
    }
  });
});
