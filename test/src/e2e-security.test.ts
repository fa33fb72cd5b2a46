import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Dealer } from 'zeromq';
import { generateKeyPair, Crypticle } from '@tsalt/crypto';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import {
  buildAuthRequest,
  MasterClient,
  memoryPin,
  newNonce,
  pack,
  parseAuthReply,
  ReqClient,
  sealAes,
  unpack,
} from '@tsalt/transport';
import { cluster, run, BIN, waitFor, type Cluster } from './harness.js';

/** Sends raw frames on a DEALER and returns the reply frames, or undefined within `ms`. */
async function rawRequest(address: string, frames: Buffer[], ms = 3000): Promise<Buffer[] | undefined> {
  const sock = new Dealer({ linger: 0, receiveTimeout: ms });
  sock.connect(address);
  try {
    await sock.send(frames);
    return await sock.receive();
  } catch {
    return undefined;
  } finally {
    sock.close();
  }
}

describe('bad input and security', { timeout: 120_000 }, () => {
  let c: Cluster;
  let ret: string;
  before(async () => {
    c = await cluster('max_request_size: 65536');
    await c.startMaster();
    ret = `tcp://127.0.0.1:${c.ports.ret}`;
    await c.startMinion('good-1');
    await c.waitKey('good-1', 'minions_pre');
    await c.key(['-a', 'good-1', '-y']);
    await c.waitPing('good-1');
  });
  after(async () => c?.cleanup());

  test('garbage, non-msgpack, a wrong envelope and an oversized message are dropped with a log line; the master keeps serving', async () => {
    const cases: Buffer[][] = [
      [Buffer.alloc(0), Buffer.from([0xc1, 0xff, 0x00, 0x13])],
      [Buffer.alloc(0), Buffer.from('GET / HTTP/1.1\r\n\r\n')],
      [Buffer.alloc(0), pack({ hello: 'world' })],
      [Buffer.alloc(0), pack({ enc: 'clear', load: { cmd: 'runner', fun: 'x' } })],
      [Buffer.alloc(0), pack({ enc: 'aes', load: Buffer.from('not a ciphertext at all, really') })],
      [Buffer.alloc(0), Buffer.alloc(100_000, 0x41)],
      [Buffer.from('a'), Buffer.from('b'), Buffer.from('c'), Buffer.from('d')],
    ];
    for (const frames of cases) await rawRequest(ret, frames, 1000);
    await waitFor(
      'log lines',
      () =>
        /dropped malformed request/.test(c.master!.output()) && /larger than max_request_size/.test(c.master!.output()),
    );
    assert.match(c.master!.output(), /refused clear command outside the allow-list/);
    // Garbage on the publish port: PUB ignores inbound data; the master must still be up.
    await rawRequest(`tcp://127.0.0.1:${c.ports.publish}`, [Buffer.from('\x00\xffgarbage')], 300);
    assert.equal(c.master!.proc.exitCode, null);
    const r = await c.tsalt(['good-1', 'test.ping', '--out', 'json']);
    assert.deepEqual(JSON.parse(r.stdout), { 'good-1': true });
  });

  test('minion ids that are empty or contain /, \\, .. or NUL are refused at auth; nothing is written outside the pki dirs', async () => {
    const pair = generateKeyPair(2048);
    const client = new ReqClient({ address: ret });
    try {
      for (const id of ['', '../evil', 'a/b', 'a\\b', 'x\0y', '..']) {
        const nonce = newNonce();
        const raw = await client.request(
          pack({ enc: 'clear', load: buildAuthRequest(id, pair.publicPem, nonce), version: 2 }),
          3000,
        );
        const out = parseAuthReply(unpack(raw), { minionPrivate: pair.privateKey, nonce });
        assert.equal(out.kind, 'rejected', `id ${JSON.stringify(id)}`);
      }
    } finally {
      client.close();
    }
    assert.ok(!fs.existsSync(path.join(c.root, 'etc/tsalt/pki/evil')));
    assert.ok(!fs.existsSync(path.join(c.root, 'etc/tsalt/pki/master/evil')));
    for (const d of ['minions', 'minions_pre', 'minions_rejected', 'minions_denied']) {
      for (const f of fs.readdirSync(c.pki(d))) assert.ok(!f.includes('..') && !f.includes('evil'), `${d}/${f}`);
    }
    // The log line reaches the pipe a moment after the reply, on a loaded machine.
    await waitFor('the bad-id log line', () => /refused authentication: bad minion id/.test(c.master!.output()));
  });

  test('a pending key gets no session key; a _return without the session key is refused', async () => {
    const pair = generateKeyPair(2048);
    const client = new ReqClient({ address: ret });
    try {
      const nonce = newNonce();
      const raw = await client.request(
        pack({ enc: 'clear', load: buildAuthRequest('sneaky-1', pair.publicPem, nonce), version: 2 }),
        3000,
      );
      const out = parseAuthReply(unpack(raw), { minionPrivate: pair.privateKey, nonce });
      assert.equal(out.kind, 'pending');
      // Without the session key the best it can do is encrypt with a key of its own.
      const fake = new Crypticle(Crypticle.generateKeyString());
      const load = {
        cmd: '_return',
        id: 'good-1',
        jid: '20260101000000000000',
        fun: 'test.ping',
        return: 'forged',
        tok: Buffer.from('x'),
      };
      const reply = unpack(await client.request(pack({ enc: 'aes', load: sealAes(fake, load), version: 2 }), 3000));
      assert.equal(reply, 'bad load');
    } finally {
      client.close();
    }
    const look = await c.runner(['jobs.lookup_jid', '20260101000000000000', '--out', 'json']);
    assert.ok(!look.stdout.includes('forged'));
  });

  test('tsalt without the root key gives a clear error and exit code 2', async () => {
    const key = path.join(c.root, 'var/cache/tsalt/master/.root_key');
    const saved = fs.readFileSync(key);
    fs.rmSync(key, { force: true });
    try {
      const missing = await c.tsalt(['*', 'test.ping']);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /Unable to read the root key .*\.root_key/);
      assert.equal(missing.stderr.trim().split('\n').length, 1);
      // Unreadable: root can read any file, so make it something no one can read as a file.
      fs.mkdirSync(key);
      const unreadable = await c.tsalt(['*', 'test.ping']);
      assert.equal(unreadable.code, 2);
      assert.match(unreadable.stderr, /Unable to read the root key/);
      fs.rmdirSync(key);
      fs.writeFileSync(key, 'wrong-key', { mode: 0o400 });
      const wrong = await c.tsalt(['*', 'test.ping']);
      assert.equal(wrong.code, 2);
      assert.match(wrong.stderr, /Authentication error/);
    } finally {
      fs.rmSync(key, { force: true, recursive: true });
      fs.writeFileSync(key, saved, { mode: 0o400 });
    }
  });

  test('an accepted minion cannot add a return to a job that did not target it', async () => {
    // evil-1: an accepted key of its own, so it signs in and holds the session key and its own tok.
    const pair = generateKeyPair(2048);
    fs.writeFileSync(c.pki('minions', 'evil-1'), pair.publicPem);
    const opts = minionConfig({
      id: 'evil-1',
      master: '127.0.0.1',
      master_port: c.ports.ret,
      pki_dir: path.join(c.root, 'evil-pki'),
      auth_timeout: 5,
    });
    const evil = new MasterClient({ opts, pair, log: silentLogger(), pin: memoryPin() });
    const jidOf = async (tgt: string): Promise<string> => {
      const r = await c.tsalt(['--async', tgt, 'test.ping']);
      const jid = /job ID: (\d{20})/.exec(r.stdout)?.[1];
      assert.ok(jid, r.stdout + r.stderr);
      return jid;
    };
    try {
      await evil.reauthenticate();
      const theirs = await jidOf('good-1');
      const forged = { cmd: '_return', jid: theirs, fun: 'test.ping', fun_args: [], return: 'forged', retcode: 0 };
      assert.equal(await evil.aesRequest(forged, 5000), false);
      const mine = await jidOf('evil-1');
      assert.equal(await evil.aesRequest({ ...forged, jid: mine, return: true }, 5000), true, 'its own job');
      const look = await c.runner(['jobs.lookup_jid', theirs, '--out', 'json']);
      assert.ok(!look.stdout.includes('forged'), look.stdout);
      await waitFor('the refusal log line', () =>
        /refused a return for a job that did not target that minion.*minion=evil-1/.test(c.master!.output()),
      );
    } finally {
      evil.close();
      fs.rmSync(c.pki('minions', 'evil-1'), { force: true });
    }
  });

  test('a malformed config stops startup with one line naming the key', async () => {
    const dir = path.join(c.root, 'etc', 'broken');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'master'), `root_dir: ${c.root}/broken\nret_port: abc\n`);
    const r = await run(BIN.master, ['-c', dir], { timeoutMs: 10000 });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /ret_port/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    fs.writeFileSync(path.join(dir, 'minion'), `id: x\nmaster_port: [1, 2\n`);
    const m = await run(BIN.minion, ['-c', dir], { timeoutMs: 10000 });
    assert.equal(m.code, 2);
    assert.match(m.stderr, /line \d+/);
    assert.equal(m.stderr.trim().split('\n').length, 1);
  });
});
