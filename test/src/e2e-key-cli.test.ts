import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPair, pemFingerprint } from '@tsalt/crypto';
import { BIN, run } from './harness.js';

/**
 * tsalt-key without a master running: the y/n answer read from stdin as
 * Salt's input() reads it (a pipe too), and --gen-keys.
 */
describe('tsalt-key: answers from stdin, --gen-keys', { timeout: 60_000 }, () => {
  let root = '';
  let conf = '';
  const pki = (...p: string[]): string => path.join(root, 'etc', 'tsalt', 'pki', 'master', ...p);
  const pending = (id: string): void => {
    fs.mkdirSync(pki('minions_pre'), { recursive: true });
    fs.writeFileSync(pki('minions_pre', id), generateKeyPair(2048).publicPem);
  };
  const key = (args: string[], input?: string): ReturnType<typeof run> =>
    run(BIN.key, ['-c', conf, ...args], input === undefined ? {} : { input });

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-key-'));
    conf = path.join(root, 'etc', 'master');
    fs.mkdirSync(conf, { recursive: true });
    fs.writeFileSync(path.join(conf, 'master'), `root_dir: ${root}\n`);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test('echo n | tsalt-key -a k1 leaves the key pending; Y accepts it', async () => {
    pending('k1');
    const no = await key(['-a', 'k1'], 'n\n');
    assert.equal(no.code, 0, no.stderr);
    assert.equal(no.stdout, 'The following keys are going to be accepted:\nUnaccepted Keys:\nk1\nProceed? [n/Y] ');
    assert.ok(fs.existsSync(pki('minions_pre', 'k1')));
    const yes = await key(['-a', 'k1'], 'Y\n');
    assert.equal(yes.code, 0, yes.stderr);
    assert.match(yes.stdout, /Proceed\? \[n\/Y\] Key for minion k1 accepted\.\n$/);
    assert.ok(fs.existsSync(pki('minions', 'k1')));
  });

  test('an empty line takes the default: yes to accept, no to delete', async () => {
    pending('k2');
    const acc = await key(['-a', 'k2'], '\n');
    assert.match(acc.stdout, /Key for minion k2 accepted\./);
    const del = await key(['-d', 'k2'], '\n');
    assert.match(del.stdout, /Proceed\? \[N\/y\] $/);
    assert.ok(fs.existsSync(pki('minions', 'k2')));
  });

  test('no stdin at all: nothing done, Salt\'s "EOF when reading a line"', async () => {
    pending('k3');
    const r = await key(['-a', 'k3'], '');
    assert.equal(r.code, 0);
    assert.equal(r.stderr, 'Error: EOF when reading a line\n');
    assert.ok(fs.existsSync(pki('minions_pre', 'k3')));
  });

  test('--gen-keys NAME --gen-keys-dir DIR writes NAME.pem (0400) and NAME.pub, prints the fingerprint', async () => {
    const dir = path.join(root, 'gen');
    const r = await key(['--gen-keys', 'foo', '--gen-keys-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    const pub = fs.readFileSync(path.join(dir, 'foo.pub'), 'utf8');
    assert.match(pub, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.equal(fs.statSync(path.join(dir, 'foo.pem')).mode & 0o777, 0o400);
    assert.equal(r.stdout, `return:\n    ${pemFingerprint(pub)}\n`);
    // A second run keeps the pair, as Salt does.
    const again = await key(['--gen-keys', 'foo', '--gen-keys-dir', dir]);
    assert.equal(again.stdout, r.stdout);
    const small = await key(['--gen-keys', 'bar', '--gen-keys-dir', dir, '--keysize', '1024']);
    assert.equal(small.code, 2);
    assert.equal(small.stderr, 'tsalt-key: error: The minimum value for keysize is 2048\n');
  });

  test('tsalt-key -L by a user who cannot write pki_dir lists, creating nothing', (t) => {
    const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
    if (process.getuid?.() !== 0 || !setpriv) return t.skip('needs root and setpriv to run as another uid');
    // A tree "nobody" can read but not write, with only minions/ present.
    const ro = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-key-ro-'));
    try {
      const dir = path.join(ro, 'etc', 'tsalt', 'pki', 'master');
      fs.mkdirSync(path.join(dir, 'minions'), { recursive: true });
      fs.mkdirSync(path.join(ro, 'etc', 'master'), { recursive: true });
      fs.writeFileSync(path.join(ro, 'etc', 'master', 'master'), `root_dir: ${ro}\n`);
      fs.writeFileSync(path.join(dir, 'minions', 'm1'), generateKeyPair(2048).publicPem);
      for (const d of [ro, path.join(ro, 'etc'), path.join(ro, 'etc', 'master'), path.join(ro, 'etc', 'tsalt')])
        fs.chmodSync(d, 0o755);
      fs.chmodSync(path.join(dir, 'minions'), 0o755);
      fs.chmodSync(path.join(dir, 'minions', 'm1'), 0o644);
      fs.chmodSync(path.join(ro, 'etc', 'tsalt', 'pki'), 0o755);
      fs.chmodSync(dir, 0o555);
      const r = spawnSync(
        setpriv,
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          BIN.key,
          '-c',
          path.join(ro, 'etc', 'master'),
          '-L',
        ],
        { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'Accepted Keys:\nm1\nDenied Keys:\nUnaccepted Keys:\nRejected Keys:\n');
      assert.deepEqual(fs.readdirSync(dir), ['minions']);
    } finally {
      fs.rmSync(ro, { recursive: true, force: true });
    }
  });
});
