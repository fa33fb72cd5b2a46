import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@tsalt/core';
import { KeyStore, generateKeyPair, minionToken } from '@tsalt/crypto';
import { asBytes, newNonce, openAes, openPrivate, pack, sealAes, unpack, type Envelope } from '@tsalt/transport';
import { masterConfig } from '@tsalt/config';
import { PillarCompiler, pillarOptions } from '@tsalt/pillar';
import { FileServer } from '@tsalt/fileserver';
import { handleAes, type AesDeps } from './aes-funcs.js';
import { SessionKeys } from './session.js';
import { JobTargets } from './job-targets.js';
import type { CacheWriter } from './cache-writer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-aes-'));
const keys = new KeyStore(dir, 'sha256');
keys.ensureDirs();
const minion = generateKeyPair(2048);
keys.write('accepted', 'm1', minion.publicPem);
const master = generateKeyPair(2048);
const session = new SessionKeys();
const JID = '20261202120000000001';

function deps(tokless: 'refuse' | 'targeted', targets?: JobTargets): AesDeps & { fired: string[] } {
  const fired: string[] = [];
  return {
    // Only the keys handleAes reads.
    opts: masterConfig({ tokless_returns: tokless, job_cache: false, ext_job_cache: '' }),
    keys,
    session,
    cache: {} as CacheWriter,
    log: silentLogger(),
    fire: (tag) => void fired.push(tag),
    masterPrivate: master.privateKey,
    ...(targets ? { targets } : {}),
    // No pillar_roots on disk: every minion's pillar is empty.
    pillar: new PillarCompiler(
      pillarOptions(masterConfig({ pillar_roots: { base: [path.join(dir, 'none')] } })),
      silentLogger(),
    ),
    fired,
  };
}

/** One request as the wire delivers it (packed, then unpacked with Salt's byte/str rule). */
async function send(load: Record<string, unknown>, d: AesDeps): Promise<{ reply: unknown; nonce: string }> {
  const nonce = newNonce();
  const env = unpack(pack({ enc: 'aes', load: sealAes(session.aes, { ...load, nonce }), version: 2 })) as Envelope;
  return { reply: unpack(pack(await handleAes(env, d))), nonce };
}

async function answer(load: Record<string, unknown>, d: AesDeps): Promise<unknown> {
  const { reply, nonce } = await send(load, d);
  return openAes(session.aes, asBytes(reply) ?? Buffer.alloc(0), nonce);
}

const ret = { cmd: '_return', id: 'm1', jid: JID, fun: 'test.ping', fun_args: [], return: true, retcode: 0 };

describe('AES requests from Salt minions', () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('tokless_returns: refuse drops a return without tok; one with tok is stored', async () => {
    const targets = new JobTargets(3600_000);
    targets.record(JID, ['m1'], { tgt: 'm1', tgtType: 'glob' });
    const d = deps('refuse', targets);
    assert.equal(await answer(ret, d), false);
    assert.deepEqual(d.fired, []);
    assert.equal(await answer({ ...ret, tok: minionToken(minion.privateKey) }, d), true);
    assert.deepEqual(d.fired, [`salt/job/${JID}/ret/m1`]);
  });

  test("jid 'req' (tsalt-call, salt-call): the master makes a jid, saves the job's load, then stores the return", async () => {
    const saved: [string, Record<string, unknown>, string[]][] = [];
    const stored: Record<string, unknown>[] = [];
    const cache = {
      prepJid: async () => JID,
      saveLoad: async (jid: string, load: Record<string, unknown>, minions: string[]) =>
        void saved.push([jid, load, minions]),
      returner: async (r: Record<string, unknown>) => void stored.push(r),
    } as unknown as CacheWriter;
    const d = { ...deps('refuse'), cache, opts: masterConfig({ ext_job_cache: '' }) };
    const tok = minionToken(minion.privateKey);
    assert.equal(await answer({ ...ret, jid: 'req', fun_args: ['a'], tok }, d), true);
    assert.equal(saved.length, 1);
    const [jid, load, minions] = saved[0]!;
    assert.equal(jid, JID);
    assert.deepEqual(minions, ['m1']);
    assert.deepEqual(
      { fun: load['fun'], arg: load['arg'], tgt: load['tgt'], tgt_type: load['tgt_type'], jid: load['jid'] },
      { fun: 'test.ping', arg: ['a'], tgt: 'm1', tgt_type: 'glob', jid: JID },
    );
    assert.equal(stored[0]?.['jid'], JID);
    assert.deepEqual(d.fired, [`salt/job/${JID}/ret/m1`]);
  });

  test('tokless_returns: targeted takes one tokless return per targeted minion and job', async () => {
    const targets = new JobTargets(3600_000);
    const d = deps('targeted', targets);
    assert.equal(await answer(ret, d), false, 'a job this master did not publish');
    targets.record(JID, ['m1']);
    assert.equal(await answer(ret, d), true);
    assert.equal(await answer(ret, d), false, 'a second answer');
    targets.record('20261202120000000002', ['m2']);
    assert.equal(await answer({ ...ret, id: 'm2', jid: '20261202120000000002' }, d), false, 'no accepted key');
    assert.equal(d.fired.length, 1);
  });

  test('a wrong tok is refused in either mode', async () => {
    const tok = minionToken(generateKeyPair(2048).privateKey);
    assert.equal(await answer({ ...ret, tok }, deps('targeted', new JobTargets(3600_000))), false);
    assert.equal(await answer({ cmd: '_minion_event', id: 'm1', tag: 'x', data: {}, tok }, deps('refuse')), false);
  });

  test("_pillar without tok: Salt's send_private reply, readable only with the minion key", async () => {
    const stored: Array<[string, unknown]> = [];
    const d = {
      ...deps('refuse'),
      minionData: { storeGrains: (id: string, g: unknown) => void stored.push([id, g]), storePillar: () => undefined },
    };
    const { reply, nonce } = await send({ cmd: '_pillar', id: 'm1', grains: { os: 'Debian' }, ver: '2' }, d);
    // Salt's _pillar leaves the minion's grains in the minion data cache, its id grain the signed-in id.
    assert.deepEqual(stored, [['m1', { os: 'Debian', id: 'm1' }]]);
    const p = { minionPrivate: minion.privateKey, masterPub: master.publicKey, dictKey: 'pillar', nonce };
    assert.deepEqual(openPrivate(reply, p), {});
    const unknown = await send({ cmd: '_pillar', id: 'nobody', grains: {} }, deps('refuse'));
    assert.deepEqual(unknown.reply, { error: 'AES key not found' });
    const tok = minionToken(generateKeyPair(2048).privateKey);
    assert.equal(await answer({ cmd: '_pillar', id: 'm1', grains: {}, tok }, deps('refuse')), false);
  });

  test("file client requests: answered without id or tok, as Salt's; a wrong tok for a named id refused", async () => {
    fs.mkdirSync(path.join(dir, 'srv'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'srv', 'f.txt'), 'F');
    const d = {
      ...deps('refuse'),
      fileserver: new FileServer({ file_roots: { base: [path.join(dir, 'srv')] }, hash_type: 'sha256' }),
    };
    assert.deepEqual(await answer({ cmd: '_file_list', saltenv: 'base', prefix: '' }, d), ['f.txt']);
    assert.deepEqual(await answer({ cmd: '_serve_file', saltenv: 'base', path: 'f.txt', loc: 0 }, d), {
      data: 'F',
      dest: 'f.txt',
    });
    assert.deepEqual(await answer({ cmd: '_serve_file', saltenv: 'base', path: '../x', loc: 0 }, d), {
      data: '',
      dest: '',
    });
    const tok = minionToken(generateKeyPair(2048).privateKey);
    assert.equal(await answer({ cmd: '_file_list', saltenv: 'base', id: 'm1', tok }, d), false);
    const good = minionToken(minion.privateKey);
    assert.deepEqual(await answer({ cmd: '_file_list', saltenv: 'base', id: 'm1', tok: good }, d), ['f.txt']);
  });

  test("a return under jid 'req' (the minion's scheduler) gets a jid and a load; 'nocache' is only fired", async () => {
    const saved: [string, Record<string, unknown>, string[]][] = [];
    const d = deps('refuse');
    d.cache = {
      prepJid: () => Promise.resolve('20261202120000000009'),
      saveLoad: (jid: string, load: Record<string, unknown>, minions: string[]) => {
        saved.push([jid, load, minions]);
        return Promise.resolve();
      },
    } as unknown as CacheWriter;
    const tok = minionToken(minion.privateKey);
    const req = { ...ret, jid: 'req', fun: 'test.echo', fun_args: ['hi'], return: 'hi', schedule: 'job1', tok };
    assert.equal(await answer(req, d), true);
    assert.deepEqual(d.fired, ['salt/job/20261202120000000009/ret/m1']);
    const [jid, load, minions] = saved[0]!;
    assert.equal(jid, '20261202120000000009');
    assert.deepEqual([load['tgt'], load['tgt_type'], load['arg'], load['fun']], ['m1', 'glob', ['hi'], 'test.echo']);
    assert.deepEqual(minions, ['m1']);
    assert.equal(await answer({ ...req, jid: 'nocache' }, d), true);
    assert.deepEqual(d.fired.slice(1), ['salt/job/nocache/ret/m1']);
    assert.equal(saved.length, 1);
  });

  test('a return with tok is refused for a job that did not target that minion, taken for one that did', async () => {
    const targets = new JobTargets(3600_000);
    const d = deps('refuse', targets);
    const tok = minionToken(minion.privateKey);
    const r = (jid: string): Promise<unknown> => answer({ ...ret, jid, tok }, d);
    assert.equal(await r('20261202120000000020'), false, 'a jid this master never published');
    targets.record('20261202120000000021', ['m2'], { tgt: 'm2', tgtType: 'glob' });
    assert.equal(await r('20261202120000000021'), false, 'a job to another minion');
    targets.record('20261202120000000022', ['m2', 'm3'], { tgt: ['m2', 'm3'], tgtType: 'list' });
    assert.equal(await r('20261202120000000022'), false, 'a list job without m1');
    targets.record('20261202120000000023', ['m1', 'm2'], { tgt: 'm*', tgtType: 'glob' });
    assert.equal(await r('20261202120000000023'), true, 'a job m1 was expected in');
    assert.equal(await r('20261202120000000023'), true, 'a retried return is not refused');
    // The master's cache did not expect m1 (stale grains), but m1 matches grains on its own data.
    targets.record('20261202120000000024', ['m2'], { tgt: 'G@os:Debian and m*', tgtType: 'compound' });
    assert.equal(await r('20261202120000000024'), true, 'a grain job m1 may match');
    targets.record('20261202120000000025', ['m2'], { tgt: 'G@os:Debian and web*', tgtType: 'compound' });
    assert.equal(await r('20261202120000000025'), false, 'a grain job whose id part excludes m1');
    assert.deepEqual(d.fired, [
      'salt/job/20261202120000000023/ret/m1',
      'salt/job/20261202120000000023/ret/m1',
      'salt/job/20261202120000000024/ret/m1',
    ]);
  });

  test("after a restart, the job cache's saved load (Minions, tgt) says whom a job targeted", async () => {
    const loads: Record<string, Record<string, unknown>> = {
      '20261202120000000030': { tgt: 'm1', tgt_type: 'glob', Minions: ['m1'] },
      '20261202120000000031': { tgt: 'web*', tgt_type: 'glob', Minions: ['web1'] },
    };
    const cache = { cache: { getLoad: async (jid: string) => loads[jid] ?? {} } } as unknown as CacheWriter;
    const d = { ...deps('refuse', new JobTargets(3600_000)), cache };
    const tok = minionToken(minion.privateKey);
    assert.equal(await answer({ ...ret, jid: '20261202120000000030', tok }, d), true);
    assert.equal(await answer({ ...ret, jid: '20261202120000000031', tok }, d), false);
    assert.equal(await answer({ ...ret, jid: '20261202120000000032', tok }, d), false, 'unknown to the cache');
    assert.deepEqual(d.fired, ['salt/job/20261202120000000030/ret/m1']);
  });
});
