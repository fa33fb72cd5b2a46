import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  REPO,
  TSALT,
  freePort,
  parseJsonOut,
  salt,
  saltSkipReason,
  startProc,
  startSaltMaster,
  tempRoot,
  tsaltRun,
  waitFor,
  writeSaltMasterConfig,
  writeTsaltMinionConfig,
  type Proc,
} from './salt-peer.js';

/**
 * The minion's file client against a real salt-master 3006.8's file server
 * (file_roots in its temp root), driven through Salt's own `salt` CLI; and
 * tsalt-call --local reading its own file_roots.
 */

const skip = saltSkipReason();
const ID = 'ts-fc';
const TSALT_CALL = path.join(REPO, 'apps/cli/dist/bundle/tsalt-call.cjs');

describe('tsalt-minion file client on salt-master 3006.8', { skip, timeout: 300_000 }, () => {
  let root = '';
  let saltDir = '';
  let master: Proc | undefined;
  let minion: Proc | undefined;
  const call = async (args: string[]): Promise<{ ret: unknown; text: string }> => {
    const r = await salt('salt', ['-c', saltDir, ID, ...args, '--out', 'json', '-t', '30'], 90_000);
    const text = r.stdout + r.stderr;
    return { ret: r.stdout.trim().startsWith('{') ? parseJsonOut(r.stdout)[ID] : undefined, text };
  };
  const diagnostics = (): string =>
    `\n--- salt-master ---\n${master?.output().slice(-2000)}\n--- tsalt-minion ---\n${minion?.output().slice(-3000)}`;

  before(async () => {
    root = tempRoot('tsalt-fileclient-');
    const ports = { publish: await freePort(), ret: await freePort() };
    saltDir = path.join(root, 'salt-master');
    writeSaltMasterConfig(saltDir, ports);
    const files = path.join(saltDir, 'files');
    fs.mkdirSync(path.join(files, 'web'), { recursive: true });
    fs.writeFileSync(path.join(files, 'hello.txt'), 'hello from salt\n');
    fs.writeFileSync(path.join(files, 'web', 'index.html'), '<p>hi</p>\n');
    fs.writeFileSync(path.join(files, 's.sh'), '#!/bin/sh\necho "script ran: $*"\n', { mode: 0o755 });
    fs.appendFileSync(path.join(saltDir, 'master'), `file_roots:\n  base:\n    - ${files}\n`);
    master = await startSaltMaster(saltDir, ports.ret);
    const minionDir = writeTsaltMinionConfig(root, ID, ports, `log_level: debug\n`);
    minion = startProc(process.execPath, [TSALT.minion, '-c', minionDir]);
    await waitFor('tsalt-minion to sign in', () => minion?.output().includes('minion authenticated'), 60_000);
    await waitFor(`${ID} to answer test.ping`, async () => (await call(['test.ping'])).ret === true, 60_000).catch(
      (err: unknown) => {
        throw new Error(`${String(err)}${diagnostics()}`);
      },
    );
  });
  after(async () => {
    await minion?.stop();
    await master?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test('cp.list_master, cp.list_master_dirs', async () => {
    const r = await call(['cp.list_master']);
    assert.deepEqual(r.ret, ['hello.txt', 's.sh', 'web/index.html'], r.text + diagnostics());
    assert.deepEqual((await call(['cp.list_master_dirs'])).ret, ['web']);
  });

  test('cp.get_file, cp.get_file_str, cp.hash_file', async () => {
    const dest = path.join(root, 'got', 'x');
    const r = await call(['cp.get_file', 'salt://hello.txt', dest, 'makedirs=True']);
    assert.equal(r.ret, dest, r.text);
    assert.equal(fs.readFileSync(dest, 'utf8'), 'hello from salt\n');
    assert.equal((await call(['cp.get_file_str', 'salt://web/index.html'])).ret, '<p>hi</p>\n');
    const h = (await call(['cp.hash_file', 'salt://hello.txt'])).ret as Record<string, unknown>;
    assert.equal(h['hash_type'], 'sha256');
    assert.match(String(h['hsum']), /^[0-9a-f]{64}$/);
    assert.equal((await call(['cp.get_file', 'salt://nope.txt', dest])).ret, '');
    // cp.stat_file asks _file_find, whose stat comes from the Salt master.
    assert.equal((await call(['cp.stat_file', 'salt://s.sh'])).ret, '0755');
  });

  test('cp.cache_file twice: the second does not fetch again', async () => {
    const first = await call(['cp.cache_file', 'salt://hello.txt']);
    const cached = String(first.ret);
    assert.ok(cached.endsWith(path.join('files', 'base', 'hello.txt')), first.text);
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(cached, old, old);
    // The mtime as the filesystem keeps it (mtimeMs is a float, not always old's exact ms).
    const stamped = fs.statSync(cached).mtimeMs;
    assert.equal((await call(['cp.cache_file', 'salt://hello.txt'])).ret, cached);
    assert.equal(fs.statSync(cached).mtimeMs, stamped);
    assert.equal((await call(['cp.is_cached', 'salt://hello.txt'])).ret, cached);
  });

  test('cmd.script salt://s.sh', async () => {
    const r = await call(['cmd.script', 'salt://s.sh', 'a b']);
    const ret = r.ret as Record<string, unknown>;
    assert.equal(ret['stdout'], 'script ran: a b', r.text);
    assert.equal(ret['retcode'], 0);
  });

  test('salt://../x is refused before the master is asked', async () => {
    const r = await call(['cp.get_file_str', 'salt://../x']);
    assert.match(r.text, /would leave the file roots/);
  });
});

describe('tsalt-call --local with file_client: local', { timeout: 60_000 }, () => {
  test('cp.get_file_str salt://hello.txt reads the file_roots', async () => {
    const root = tempRoot('tsalt-fileclient-local-');
    try {
      const files = path.join(root, 'srv');
      fs.mkdirSync(files, { recursive: true });
      fs.writeFileSync(path.join(files, 'hello.txt'), 'local hello\n');
      const conf = path.join(root, 'etc');
      fs.mkdirSync(conf, { recursive: true });
      fs.writeFileSync(
        path.join(conf, 'minion'),
        `id: local-1\nroot_dir: ${root}\nfile_client: local\nfile_roots:\n  base:\n    - ${files}\n`,
      );
      const r = await tsaltRun(TSALT_CALL, [
        '-c',
        conf,
        '--local',
        'cp.get_file_str',
        'salt://hello.txt',
        '--out',
        'json',
      ]);
      assert.deepEqual(JSON.parse(r.stdout), { local: 'local hello\n' }, r.stdout + r.stderr);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
