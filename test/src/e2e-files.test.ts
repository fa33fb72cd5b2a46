import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startedCluster, waitFor, type Cluster } from './harness.js';

/**
 * tsalt to tsalt: a tsalt-minion fetches from tsalt-master's file server
 * (file_roots in a temp folder): listing, fetching, hashing, the cache,
 * cmd.script salt://, and a traversal refused on both sides.
 */
describe('the file server between tsalt-master and tsalt-minion', { timeout: 120_000 }, () => {
  let c: Cluster;
  const roots = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-files-'));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-files-out-'));

  async function ret(args: string[]): Promise<unknown> {
    const r = await c.tsalt(['m1', ...args, '--out', 'json', '--static']);
    assert.ok(r.stdout.trim(), `no output (exit ${r.code}): ${r.stderr}`);
    return (JSON.parse(r.stdout) as Record<string, unknown>)['m1'];
  }

  before(async () => {
    fs.mkdirSync(path.join(roots, 'conf'));
    fs.writeFileSync(path.join(roots, 'hello.txt'), 'hello from the master\n');
    fs.writeFileSync(path.join(roots, 'conf', 'app.conf'), 'port: 80\n');
    fs.writeFileSync(path.join(roots, 's.sh'), '#!/bin/sh\necho "script ran: $*"\n', { mode: 0o755 });
    c = await startedCluster(['m1'], `file_roots:\n  base:\n    - ${roots}\n`);
  });
  after(async () => {
    await c?.cleanup();
    fs.rmSync(roots, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('cp.list_master, cp.get_file_str, cp.hash_file and tsalt-run fileserver.file_list', async () => {
    assert.deepEqual(await ret(['cp.list_master']), ['conf/app.conf', 'hello.txt', 's.sh']);
    assert.equal(await ret(['cp.get_file_str', 'salt://hello.txt']), 'hello from the master\n');
    const sha = crypto.createHash('sha256').update('hello from the master\n').digest('hex');
    assert.deepEqual(await ret(['cp.hash_file', 'salt://hello.txt']), { hsum: sha, hash_type: 'sha256' });
    const r = await c.runner(['fileserver.file_list', '--out', 'json']);
    assert.deepEqual(JSON.parse(r.stdout), ['conf/app.conf', 'hello.txt', 's.sh']);
  });

  test('cp.get_file writes the file; cp.cache_file keeps a copy and fetches again only on change', async () => {
    const dest = path.join(out, 'app.conf');
    assert.equal(await ret(['cp.get_file', 'salt://conf/app.conf', dest]), dest);
    assert.equal(fs.readFileSync(dest, 'utf8'), 'port: 80\n');
    const cached = (await ret(['cp.cache_file', 'salt://hello.txt'])) as string;
    assert.ok(cached.endsWith(path.join('files', 'base', 'hello.txt')), cached);
    const first = fs.statSync(cached).mtimeMs;
    assert.equal(await ret(['cp.cache_file', 'salt://hello.txt']), cached);
    assert.equal(fs.statSync(cached).mtimeMs, first, 'an unchanged file is not fetched again');
    fs.writeFileSync(path.join(roots, 'hello.txt'), 'changed\n');
    // The master keeps its listing for about a second; then the new hash brings the new content.
    await waitFor(
      'the changed file to be fetched again',
      async () =>
        (await ret(['cp.cache_file', 'salt://hello.txt'])) === cached &&
        fs.readFileSync(cached, 'utf8') === 'changed\n',
      10_000,
    );
  });

  test('cmd.script salt:// runs the script the master serves', async () => {
    const r = (await ret(['cmd.script', 'salt://s.sh', 'a b'])) as Record<string, unknown>;
    assert.equal(r['stdout'], 'script ran: a b');
    assert.equal(r['retcode'], 0);
  });

  test('salt://../x is refused with one line, and nothing is written', async () => {
    const dest = path.join(out, 'passwd');
    // The minion refuses before asking; the master would answer nothing for it too (e2e-fileserver).
    assert.equal(
      await ret(['cp.get_file', 'salt://../etc/passwd', dest]),
      "ERROR: Refusing salt:// path 'salt://../etc/passwd': '..' would leave the file roots",
    );
    assert.equal(fs.existsSync(dest), false);
  });
});
