import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cluster, waitFor, type Cluster } from './harness.js';

/**
 * The master's cachedir on a full filesystem (a 256 KiB tmpfs, filled): the
 * master still starts, keeps its root key in memory and says so once, and
 * minions still sign in. Root only (mount), and skipped where tmpfs cannot
 * be mounted.
 */
describe('master start-up on a full disk', { timeout: 90_000 }, () => {
  let c: Cluster | undefined;
  let mnt = '';
  let skip = '';
  before(async () => {
    if (process.getuid?.() !== 0) {
      skip = 'needs root to mount a tmpfs';
      return;
    }
    c = await cluster();
    mnt = path.join(c.root, 'var', 'cache', 'tsalt', 'master');
    fs.mkdirSync(mnt, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      skip = 'mount -t tmpfs is not available here';
      mnt = '';
      return;
    }
    const fd = fs.openSync(path.join(mnt, 'fill'), 'w');
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(4096, 1));
    } catch {
      // ENOSPC: full.
    } finally {
      fs.closeSync(fd);
    }
  });
  after(async () => {
    await c?.master?.stop();
    await Promise.all([...(c?.minions.values() ?? [])].map((m) => m.stop()));
    if (mnt) execFileSync('umount', [mnt], { stdio: 'ignore' });
    await c?.cleanup();
  });

  test('starts, logs the unwritten root key once, and signs minions in', async (t) => {
    if (skip || !c) return t.skip(skip);
    await c.startMaster();
    await waitFor('tsalt-master started', () => /tsalt-master started/.test(c!.master!.output()), 20_000);
    const out = c.master!.output();
    assert.equal(out.match(/could not write the root key/g)?.length, 1, out);
    assert.match(out, /tsalt and tsalt-run on this host cannot publish/);
    await c.startMinion('full-1');
    await c.waitKey('full-1', 'minions_pre');
    await c.key(['-a', 'full-1', '-y']);
    await waitFor('full-1 signed in', () => /minion authenticated/.test(c!.minions.get('full-1')!.output()), 20_000);
    const r = await c.tsalt(['full-1', 'test.ping']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Unable to read the root key .*\.root_key: it does not exist/);
    assert.equal(c.master!.proc.exitCode, null);
  });
});
