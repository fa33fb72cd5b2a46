import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@tsalt/core';
import { KeyStore, generateKeyPair } from '@tsalt/crypto';
import { masterConfig } from '@tsalt/config';
import { PillarCompiler, pillarOptions } from '@tsalt/pillar';
import { newNonce, openPrivate, pack, unpack } from '@tsalt/transport';
import { servePillar, type MinionDataSink, type PillarDeps } from './pillar-funcs.js';
import { SessionKeys } from './session.js';

/*
 * The master's `_pillar` answer: the requesting minion's pillar, compiled
 * from its grains, readable only with that minion's key, and handed to the
 * minion data cache.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-pillar-funcs-'));
const roots = path.join(dir, 'pillar');
fs.mkdirSync(roots);
fs.writeFileSync(
  path.join(roots, 'top.sls'),
  "base:\n  '*':\n    - common\n  'role:web':\n    - match: grain\n    - web\n  'role:db':\n    - match: grain\n    - db\n",
);
fs.writeFileSync(path.join(roots, 'common.sls'), "common: {id: '{{ grains.id }}', env: '{{ saltenv }}'}\n");
fs.writeFileSync(path.join(roots, 'web.sls'), 'secret: web-secret\n');
fs.writeFileSync(path.join(roots, 'db.sls'), 'secret: db-secret\n');

const keys = new KeyStore(path.join(dir, 'pki'), 'sha256');
keys.ensureDirs();
const web = generateKeyPair(2048);
const db = generateKeyPair(2048);
keys.write('accepted', 'web1', web.publicPem);
keys.write('accepted', 'db1', db.publicPem);
const master = generateKeyPair(2048);

interface Stored {
  grains: Map<string, Record<string, unknown>>;
  pillar: Map<string, Record<string, unknown>>;
}

function deps(sink?: MinionDataSink): PillarDeps {
  return {
    keys,
    session: new SessionKeys(),
    masterPrivate: master.privateKey,
    log: silentLogger(),
    pillar: new PillarCompiler(pillarOptions(masterConfig({ pillar_roots: { base: [roots] } })), silentLogger()),
    ...(sink ? { minionData: sink } : {}),
  };
}

function recordingSink(): MinionDataSink & Stored {
  const grains = new Map<string, Record<string, unknown>>();
  const pillar = new Map<string, Record<string, unknown>>();
  return {
    grains,
    pillar,
    storeGrains: (id, g) => void grains.set(id, g),
    storePillar: async (id, p) => {
      await Promise.resolve();
      pillar.set(id, p);
    },
  };
}

/** The reply as the wire carries it, opened with `privateKey`. */
async function ask(
  load: Record<string, unknown>,
  d: PillarDeps,
  privateKey = load['id'] === 'db1' ? db.privateKey : web.privateKey,
): Promise<unknown> {
  const nonce = newNonce();
  const reply = unpack(pack(await servePillar({ cmd: '_pillar', ...load, nonce }, String(load['id']), nonce, d)));
  return openPrivate(reply, { minionPrivate: privateKey, masterPub: master.publicKey, dictKey: 'pillar', nonce });
}

describe('_pillar on the master', () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('each minion gets the pillar its grains select, and the cache gets both', async () => {
    const sink = recordingSink();
    const d = deps(sink);
    assert.deepEqual(await ask({ id: 'web1', grains: { role: 'web' } }, d), {
      common: { id: 'web1', env: 'base' },
      secret: 'web-secret',
    });
    assert.deepEqual(await ask({ id: 'db1', grains: { role: 'db', id: 'spoofed' } }, d), {
      common: { id: 'db1', env: 'base' },
      secret: 'db-secret',
    });
    assert.deepEqual(sink.grains.get('db1'), { role: 'db', id: 'db1' }, "the grain id is the minion's id");
    assert.deepEqual(sink.pillar.get('web1'), { common: { id: 'web1', env: 'base' }, secret: 'web-secret' });
  });

  test("a request in another minion's name is answered to that minion's key: the asker cannot read it", async () => {
    await assert.rejects(ask({ id: 'db1', grains: { role: 'db' } }, deps(), web.privateKey));
  });

  test('saltenv, pillarenv and pillar_override come from the load', async () => {
    const p = await ask({ id: 'web1', grains: {}, saltenv: 'base', pillar_override: { extra: 1 } }, deps());
    assert.deepEqual(p, { common: { id: 'web1', env: 'base' }, extra: 1 });
    assert.deepEqual(await ask({ id: 'web1', grains: {}, pillarenv: 'nowhere' }, deps()), {});
  });

  test('a load without grains gets {} (Salt answers False) and nothing is cached', async () => {
    const sink = recordingSink();
    assert.deepEqual(await ask({ id: 'web1' }, deps(sink)), {});
    assert.equal(sink.grains.size + sink.pillar.size, 0);
  });

  test('a failing cache is logged, and the minion still gets its pillar', async () => {
    const sink: MinionDataSink = {
      storeGrains: () => {
        throw new Error('disk full');
      },
      storePillar: () => Promise.reject(new Error('disk full')),
    };
    assert.deepEqual(await ask({ id: 'db1', grains: { role: 'db' } }, deps(sink)), {
      common: { id: 'db1', env: 'base' },
      secret: 'db-secret',
    });
  });
});
