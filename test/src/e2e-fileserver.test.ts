import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  SALT_SH,
  TSALT,
  freePort,
  runProc,
  saltSkipReason,
  startProc,
  tempRoot,
  tsaltRun,
  waitFor,
  writeSaltMinionConfig,
  type Proc,
} from './salt-peer.js';

/**
 * tsalt-master's file server: `tsalt-run fileserver.*` over file_roots, and
 * an unmodified salt-call 3006.8 (a real salt minion) using it through
 * cp.list_master, cp.get_file, cp.get_file_str, cp.hash_file, with a
 * traversal attempt answered with nothing.
 */

const ID = 'fs-real-1';
const HELLO = 'hello from tsalt-master\n';

let root: string;
let masterDir: string;
let srv: string;
let ports: { publish: number; ret: number };
let master: Proc;

before(async () => {
  root = tempRoot('tsalt-e2e-fs-');
  srv = path.join(root, 'srv', 'salt');
  fs.mkdirSync(path.join(srv, 'sub'), { recursive: true });
  fs.mkdirSync(path.join(srv, 'empty'));
  fs.writeFileSync(path.join(srv, 'hello.txt'), HELLO);
  fs.writeFileSync(path.join(srv, 'sub', 'big.bin'), Buffer.alloc(300_000, 7));
  fs.writeFileSync(path.join(root, 'secret.txt'), 'not served\n');
  fs.symlinkSync(path.join(root, 'secret.txt'), path.join(srv, 'leak.txt'));
  ports = { publish: await freePort(), ret: await freePort() };
  masterDir = path.join(root, 'etc', 'master');
  fs.mkdirSync(masterDir, { recursive: true });
  fs.writeFileSync(
    path.join(masterDir, 'master'),
    `root_dir: ${root}\ninterface: 127.0.0.1\npublish_port: ${ports.publish}\nret_port: ${ports.ret}\n` +
      `auto_accept: true\ntokless_returns: targeted\nlog_level: info\nfile_roots:\n  base:\n    - ${srv}\n`,
  );
  master = startProc(process.execPath, [TSALT.master, '-c', masterDir]);
  await waitFor('tsalt-master to start', () => master.output().includes('tsalt-master started'), 20_000);
});

after(async () => {
  await master?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

test('tsalt-run fileserver.file_list, dir_list, empty_dir_list, envs', async () => {
  const run = async (...args: string[]): Promise<unknown> => {
    const r = await tsaltRun(TSALT.run, ['-c', masterDir, ...args, '--out', 'json'], 30_000);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return JSON.parse(r.stdout) as unknown;
  };
  assert.deepEqual(await run('fileserver.file_list', 'saltenv=base'), ['hello.txt', 'sub/big.bin']);
  assert.deepEqual(await run('fileserver.dir_list'), ['empty', 'sub']);
  assert.deepEqual(await run('fileserver.empty_dir_list'), ['empty']);
  assert.deepEqual(await run('fileserver.envs'), ['base']);
});

describe('salt-call 3006.8 on tsalt-master', { skip: saltSkipReason(), timeout: 240_000 }, () => {
  let minionDir: string;
  const call = async (...args: string[]): Promise<unknown> => {
    const r = await runProc(SALT_SH, ['salt-call', '-c', minionDir, '--out', 'json', ...args], 90_000);
    try {
      return (JSON.parse(r.stdout) as Record<string, unknown>)['local'];
    } catch {
      throw new Error(`salt-call ${args.join(' ')}: ${r.stdout}\n${r.stderr}\n${master.output().slice(-2000)}`);
    }
  };
  before(() => {
    minionDir = path.join(root, 'salt-minion');
    writeSaltMinionConfig(minionDir, ID, ports);
    // salt-call, unlike salt-minion, does not create its pki_dir.
    fs.mkdirSync(path.join(minionDir, 'pki'), { recursive: true, mode: 0o700 });
  });

  test('cp.list_master lists file_roots, the link out of the roots left out', async () => {
    assert.deepEqual(await call('cp.list_master'), ['hello.txt', 'sub/big.bin']);
  });

  test('cp.get_file fetches a file, also one larger than a chunk', async () => {
    const dest = path.join(root, 'got', 'x');
    assert.equal(await call('cp.get_file', 'salt://hello.txt', dest, 'makedirs=True'), dest);
    assert.equal(fs.readFileSync(dest, 'utf8'), HELLO);
    const big = path.join(root, 'got', 'big');
    assert.equal(await call('cp.get_file', 'salt://sub/big.bin', big), big);
    assert.deepEqual(fs.readFileSync(big), Buffer.alloc(300_000, 7));
  });

  test('cp.get_file_str and cp.hash_file', async () => {
    assert.equal(await call('cp.get_file_str', 'salt://hello.txt'), HELLO);
    const hsum = createHash('sha256').update(HELLO).digest('hex');
    assert.deepEqual(await call('cp.hash_file', 'salt://hello.txt'), { hsum, hash_type: 'sha256' });
  });

  test('traversal and links out of the roots get nothing', async () => {
    const dest = path.join(root, 'got', 'passwd');
    assert.equal(await call('cp.get_file', 'salt://../etc/passwd', dest), '');
    assert.equal(fs.existsSync(dest), false);
    assert.equal(await call('cp.get_file_str', 'salt://leak.txt'), false);
    // Salt's _file_hash answers '' for a path it does not serve.
    assert.equal(await call('cp.hash_file', 'salt://../../etc/passwd'), '');
  });
});
