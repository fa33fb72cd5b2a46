import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Crypticle, generateKeyPair, type KeyPair } from '@tsalt/crypto';
import {
  ReqClient,
  buildAuthRequest,
  newNonce,
  openPrivate,
  pack,
  parseAuthReply,
  sealAes,
  unpack,
} from '@tsalt/transport';
import { cluster, sleep, waitFor, type Cluster } from './harness.js';
import { SALT_SH, parseJsonOut, runProc, saltSkipReason, writeSaltMinionConfig } from './salt-peer.js';

/*
 * Pillar compiled on a real tsalt-master from pillar_roots in its temp root:
 * minions with different grains each get their own pillar over the wire
 * (Salt's `_pillar`, encrypted to the asker's key alone), a broken SLS gives
 * that minion `_errors` while the others keep theirs, and an unmodified
 * salt-call 3006.8 gets its pillar from tsalt-master end to end.
 */

const TOP = `base:
  '*':
    - common
  'role:web':
    - match: grain
    - web
  'G@role:db':
    - db
  'E@^db-\\d+$ and G@os:Debian':
    - debian_db
`;

const PILLAR: Record<string, string> = {
  'top.sls': TOP,
  'common.sls': "common:\n  minion: {{ grains['id'] }}\n  role: {{ grains.get('role', 'none') }}\n",
  'web/init.sls': 'include:\n  - .tls\nweb:\n  secret: web-only\n',
  'web/tls.sls': 'web:\n  tls: true\n  secret: overridden\n',
  'db.sls': 'db:\n  password: db-only\n',
  'debian_db.sls': 'db:\n  packages: [postgresql]\n',
};

function writePillar(root: string): string {
  const dir = path.join(root, 'srv', 'pillar');
  for (const [rel, text] of Object.entries(PILLAR)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** A minion as the wire sees it: a key pair, signed in, sending AES requests. */
class WireMinion {
  private aes: Crypticle | undefined;
  private masterPub: KeyObject | undefined;
  readonly pair: KeyPair = generateKeyPair(2048);
  constructor(
    readonly id: string,
    private readonly client: ReqClient,
  ) {}

  async signIn(): Promise<void> {
    await waitFor(
      `${this.id} to be accepted`,
      async () => {
        const nonce = newNonce();
        const load = buildAuthRequest(this.id, this.pair.publicPem, nonce);
        const raw = await this.client.request(pack({ enc: 'clear', load, version: 2 }), 5000);
        const out = parseAuthReply(unpack(raw), { minionPrivate: this.pair.privateKey, nonce });
        if (out.kind !== 'accepted') return false;
        this.aes = new Crypticle(out.sessionKey);
        this.masterPub = createPublicKey(out.masterPub);
        return true;
      },
      30_000,
    );
  }

  /** Sends `_pillar` as `asId` (its own id unless impersonating) and opens the reply with this minion's key. */
  async pillar(grains: Record<string, unknown>, asId = this.id): Promise<unknown> {
    if (!this.aes || !this.masterPub) throw new Error(`${this.id} is not signed in`);
    const nonce = newNonce();
    const load = { cmd: '_pillar', id: asId, grains, saltenv: null, pillarenv: null, ver: '2', nonce };
    const raw = await this.client.request(pack({ enc: 'aes', load: sealAes(this.aes, load), version: 2 }), 30_000);
    return openPrivate(unpack(raw), {
      minionPrivate: this.pair.privateKey,
      masterPub: this.masterPub,
      dictKey: 'pillar',
      nonce,
    });
  }
}

const WEB = { os: 'Debian', role: 'web' };
const DB = { os: 'Debian', role: 'db' };

describe('pillar over the wire from tsalt-master', { timeout: 180_000 }, () => {
  let c: Cluster;
  let pillarDir = '';
  let client: ReqClient;
  let web: WireMinion;
  let db: WireMinion;

  before(async () => {
    c = await cluster();
    pillarDir = writePillar(c.root);
    await c.startMaster(`auto_accept: true\npillar_roots:\n  base:\n    - ${pillarDir}\n`);
    client = new ReqClient({ address: `tcp://127.0.0.1:${c.ports.ret}` });
    web = new WireMinion('web-1', client);
    db = new WireMinion('db-1', client);
    await web.signIn();
    await db.signIn();
  });
  after(async () => {
    client?.close();
    await c?.cleanup();
  });

  test('each minion gets the pillar its grains select', async () => {
    assert.deepEqual(await web.pillar(WEB), {
      common: { minion: 'web-1', role: 'web' },
      web: { secret: 'web-only', tls: true },
    });
    assert.deepEqual(await db.pillar(DB), {
      common: { minion: 'db-1', role: 'db' },
      db: { password: 'db-only', packages: ['postgresql'] },
    });
  });

  test("a minion asking in another's name gets a reply it cannot read", async () => {
    await assert.rejects(web.pillar(DB, 'db-1'));
    // Grains are the minion's to claim (as in Salt: never target secrets by grain), but the id is
    // always the signed-in one, so an id-targeted part stays out of reach.
    const p = (await web.pillar({ ...DB, id: 'db-1' })) as Record<string, unknown>;
    assert.deepEqual(p['common'], { minion: 'web-1', role: 'db' });
    assert.equal(p['db'] && (p['db'] as Record<string, unknown>)['packages'], undefined, 'E@^db- is not web-1');
  });

  test('a broken SLS gives that minion _errors and a log line naming the file and line; the other keeps its pillar', async () => {
    const broken = path.join(pillarDir, 'db.sls');
    fs.writeFileSync(broken, 'db:\n  password: {{ grains.os | nosuchfilter }}\n');
    // The render cache looks at a file's mtime at most once a second.
    await sleep(1100);
    try {
      const p = (await db.pillar(DB)) as Record<string, unknown>;
      assert.deepEqual(p['_errors'], ["Rendering SLS 'db' failed. Please see master log for details."]);
      assert.deepEqual(p['common'], { minion: 'db-1', role: 'db' }, 'the rest still compiles');
      await waitFor('the log line', () => c.master?.output().includes(`${broken}: line 2`));
      assert.deepEqual(await web.pillar(WEB), {
        common: { minion: 'web-1', role: 'web' },
        web: { secret: 'web-only', tls: true },
      });
    } finally {
      fs.writeFileSync(broken, PILLAR['db.sls'] ?? '');
    }
    assert.equal(c.master?.proc.exitCode, null, 'the master is still up');
  });

  test('a top file naming a missing SLS: _errors with Salt text, not a crash', async () => {
    const top = path.join(pillarDir, 'top.sls');
    fs.writeFileSync(top, `${TOP}  'web-*':\n    - ghost\n`);
    await sleep(1100);
    try {
      const p = (await web.pillar(WEB)) as Record<string, unknown>;
      assert.deepEqual(p['_errors'], [
        "Specified SLS 'ghost' in environment 'base' is not available on the salt master",
      ]);
      assert.deepEqual(p['web'], { secret: 'web-only', tls: true });
    } finally {
      fs.writeFileSync(top, TOP);
    }
  });
});

const skip = saltSkipReason();

describe('salt-call 3006.8 pillar.items against tsalt-master', { skip, timeout: 240_000 }, () => {
  let c: Cluster;
  let pillarDir = '';

  before(async () => {
    c = await cluster();
    pillarDir = writePillar(c.root);
    await c.startMaster(`auto_accept: true\npillar_roots:\n  base:\n    - ${pillarDir}\n`);
  });
  after(async () => c?.cleanup());

  /** `salt-call pillar.items` as `id` with custom grains from its minion config. */
  async function saltCall(id: string, grains: Record<string, string>): Promise<Record<string, unknown>> {
    const dir = path.join(c.root, 'salt', id);
    writeSaltMinionConfig(dir, id, c.ports);
    // salt-call, unlike salt-minion, does not create its folders.
    for (const sub of ['pki', 'cache', 'sock']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
    fs.appendFileSync(
      path.join(dir, 'minion'),
      `grains:\n${Object.entries(grains)
        .map(([k, v]) => `  ${k}: ${v}\n`)
        .join('')}`,
    );
    const r = await runProc(SALT_SH, ['salt-call', '-c', dir, 'pillar.items', '--out', 'json', '-l', 'quiet'], 120_000);
    const out = parseJsonOut(r.stdout)['local'];
    assert.ok(out && typeof out === 'object', `salt-call gave no pillar:\n${r.stdout}\n${r.stderr}`);
    return out as Record<string, unknown>;
  }

  test('two real minions with different grains each get their own pillar, never the other', async () => {
    const w = await saltCall('salt-web-1', { role: 'web' });
    assert.deepEqual(w['common'], { minion: 'salt-web-1', role: 'web' });
    assert.deepEqual(w['web'], { secret: 'web-only', tls: true });
    assert.equal(w['db'], undefined);
    const d = await saltCall('db-7', { role: 'db' });
    assert.deepEqual(d['common'], { minion: 'db-7', role: 'db' });
    assert.equal(d['web'], undefined);
    assert.equal((d['db'] as Record<string, unknown>)['password'], 'db-only');
  });

  test('a broken SLS: that salt-minion sees _errors, the other keeps its pillar', async () => {
    const broken = path.join(pillarDir, 'web', 'tls.sls');
    fs.writeFileSync(broken, 'web: [unclosed\n');
    await sleep(1100);
    try {
      const w = await saltCall('salt-web-1', { role: 'web' });
      assert.deepEqual(w['_errors'], ["Rendering SLS 'web.tls' failed. Please see master log for details."]);
      const d = await saltCall('db-7', { role: 'db' });
      assert.equal(d['_errors'], undefined);
      assert.equal((d['db'] as Record<string, unknown>)['password'], 'db-only');
    } finally {
      fs.writeFileSync(broken, PILLAR['web/tls.sls'] ?? '');
    }
  });
});
