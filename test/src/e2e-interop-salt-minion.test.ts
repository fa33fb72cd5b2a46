import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  SALT_SH,
  TSALT,
  freePort,
  parseJsonOut,
  saltSkipReason,
  startProc,
  tempRoot,
  tsaltRun,
  waitFor,
  writeSaltMinionConfig,
  type Proc,
} from './salt-peer.js';

/**
 * An unmodified salt-minion 3006.8 on tsalt-master: sign-in, the first
 * `_pillar`, jobs through the tsalt CLI, the job cache, key delete and
 * re-auth, session key rotation, and a restart with a pinned master key.
 */

const skip = saltSkipReason();
const ID = 'real-1';

interface Setup {
  root: string;
  masterDir: string;
  minionDir: string;
  master: Proc;
  minion: Proc | undefined;
  cachedir: string;
  pki(...p: string[]): string;
  tsalt(args: string[], timeoutMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }>;
  startMinion(): void;
  stop(): Promise<void>;
}

async function setup(masterExtra: string): Promise<Setup> {
  const root = tempRoot('tsalt-interop-m-');
  const ports = { publish: await freePort(), ret: await freePort() };
  const masterDir = path.join(root, 'etc', 'master');
  fs.mkdirSync(masterDir, { recursive: true });
  fs.writeFileSync(
    path.join(masterDir, 'master'),
    `root_dir: ${root}\ninterface: 127.0.0.1\npublish_port: ${ports.publish}\nret_port: ${ports.ret}\n` +
      `loop_interval: 1\nlog_level: info\n${masterExtra}\n`,
  );
  const cachedir = path.join(root, 'var/cache/tsalt/master');
  const master = startProc(process.execPath, [TSALT.master, '-c', masterDir]);
  await waitFor('tsalt-master to start', () => master.output().includes('tsalt-master started'), 20_000);
  const minionDir = path.join(root, 'salt-minion');
  writeSaltMinionConfig(minionDir, ID, ports);
  const s: Setup = {
    root,
    masterDir,
    minionDir,
    master,
    minion: undefined,
    cachedir,
    pki: (...p) => path.join(root, 'etc/tsalt/pki/master', ...p),
    tsalt: (args, timeoutMs = 60_000) => tsaltRun(TSALT.tsalt, ['-c', masterDir, ...args], timeoutMs),
    startMinion() {
      s.minion = startProc(SALT_SH, ['salt-minion', '-c', minionDir, '-l', 'info']);
    },
    async stop() {
      await s.minion?.stop();
      await master.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  s.startMinion();
  return s;
}

/** test.ping through the tsalt CLI: true when the minion answered True. */
async function pings(s: Setup, timeoutS = 5): Promise<boolean> {
  const r = await s.tsalt([ID, 'test.ping', '--out', 'json', '-t', String(timeoutS)]);
  try {
    return parseJsonOut(r.stdout)[ID] === true;
  } catch {
    return false;
  }
}

function diagnostics(s: Setup): string {
  const log = path.join(s.minionDir, 'minion.log');
  const minionLog = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-3000) : '';
  return `\n--- tsalt-master ---\n${s.master.output().slice(-3000)}\n--- salt-minion ---\n${minionLog}`;
}

describe('salt-minion 3006.8 on tsalt-master', { skip, timeout: 240_000 }, () => {
  let s: Setup;
  before(async () => {
    s = await setup('auto_accept: true\ntokless_returns: targeted');
    await waitFor(`${ID} to answer test.ping`, () => pings(s), 60_000).catch((err: unknown) => {
      throw new Error(`${String(err)}${diagnostics(s)}`);
    });
  });
  after(async () => s?.stop());

  test('auth: the key is accepted and the minion pinned the master key in clean_key form', () => {
    assert.ok(fs.existsSync(s.pki('minions', ID)));
    const pinned = fs.readFileSync(path.join(s.minionDir, 'pki', 'minion_master.pub'), 'utf8');
    const ours = fs.readFileSync(s.pki('master.pub'), 'utf8');
    assert.equal(pinned, ours.trim(), 'Salt writes pub_key as sent: no trailing newline');
    assert.doesNotMatch(s.master.output(), /refused AES command outside the allow-list/, 'its _pillar is served');
    // Its start events carry Salt's X9.31 tok, which the master checks.
    assert.doesNotMatch(s.master.output(), /token invalid|refused request/);
  });

  test('test.ping and cmd.run', async () => {
    assert.equal(await pings(s), true);
    const r = await s.tsalt([ID, 'cmd.run', 'echo interop-$((6*7))', '--out', 'json']);
    assert.equal(parseJsonOut(r.stdout)[ID], 'interop-42', r.stdout + r.stderr);
  });

  test('grains.items comes back with Salt grains', async () => {
    const r = await s.tsalt([ID, 'grains.items', '--out', 'json']);
    const grains = parseJsonOut(r.stdout)[ID] as Record<string, unknown>;
    assert.equal(grains['id'], ID);
    assert.equal(grains['kernel'], 'Linux');
    assert.equal(grains['saltversion'], '3006.8');
  });

  test('jobs.lookup_jid reads the return from the job cache', async () => {
    const r = await s.tsalt([ID, 'test.echo', 'looked-up', '-v']);
    const jid = /\b(\d{20})\b/.exec(r.stdout)?.[1];
    assert.ok(jid, r.stdout);
    const l = await tsaltRun(TSALT.run, ['-c', s.masterDir, 'jobs.lookup_jid', jid, '--out', 'json']);
    assert.equal(parseJsonOut(l.stdout)[ID], 'looked-up', l.stdout + l.stderr);
  });

  test('session key rotation: the minion re-authenticates and runs the job that made it notice', async () => {
    fs.writeFileSync(path.join(s.cachedir, '.dfn'), '');
    await waitFor('the master to rotate', () => !fs.existsSync(path.join(s.cachedir, '.dfn')), 10_000);
    assert.equal(await pings(s, 15), true, diagnostics(s));
  });

  test('key delete, then re-auth: auto_accept takes the key again and jobs work', async () => {
    const d = await tsaltRun(TSALT.key, ['-c', s.masterDir, '-d', ID, '-y']);
    assert.match(d.stdout, /deleted/);
    // A list target still publishes to an id without a key; the minion cannot decrypt it and signs in again.
    await s.tsalt(['-L', ID, 'test.ping', '-t', '3']);
    await waitFor('the key to be accepted again', () => fs.existsSync(s.pki('minions', ID)), 30_000);
    await waitFor(`${ID} to answer after re-auth`, () => pings(s), 30_000);
  });

  test('restart: a salt-minion with a pinned master key and a token signs in again', async () => {
    await s.minion?.stop();
    s.startMinion();
    await waitFor(`${ID} to answer after its restart`, () => pings(s), 60_000).catch((err: unknown) => {
      throw new Error(`${String(err)}${diagnostics(s)}`);
    });
    const log = fs.readFileSync(path.join(s.minionDir, 'minion.log'), 'utf8');
    assert.doesNotMatch(log, /did not authenticate|master key has changed/);
  });
});

describe(
  'salt-minion 3006.8 on tsalt-master, key pending, tokless_returns left at refuse',
  { skip, timeout: 120_000 },
  () => {
    let s: Setup;
    before(async () => {
      s = await setup('');
    });
    after(async () => s?.stop());

    test('a pending key: the salt-minion waits, tsalt-key -a lets it finish starting', async () => {
      await waitFor('the key to be pending', () => fs.existsSync(s.pki('minions_pre', ID)), 60_000);
      const a = await tsaltRun(TSALT.key, ['-c', s.masterDir, '-a', ID, '-y']);
      assert.match(a.stdout, /accepted/);
      await waitFor('the minion to be ready', () => s.minion?.output().includes('Minion is ready'), 60_000);
      assert.doesNotMatch(s.minion?.output() ?? '', /Traceback/);
    });

    test('the tokless return is refused, with one line naming the setting', async () => {
      await waitFor('the minion to be ready', () => s.minion?.output().includes('Minion is ready'), 60_000);
      assert.equal(await pings(s, 3), false, 'the return never reaches the CLI');
      assert.match(s.master.output(), /refused a return without tok .*tokless_returns: targeted/);
      // The CLI's saltutil.find_job got a tokless answer too: still one line.
      const lines = s.master.output().match(/refused a return without tok/g) ?? [];
      assert.equal(lines.length, 1, 'told once per minion, not once per job');
    });
  },
);
