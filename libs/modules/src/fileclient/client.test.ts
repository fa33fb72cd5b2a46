import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { executionModulePlugins } from '../index.js';
import type { FileServerBackend } from './backend.js';
import { FileClient } from './client.js';
import { LocalFileBackend } from './local-backend.js';
import { parseSaltUrl } from './salt-url.js';

const T = { timeout: 10_000 };
const log = silentLogger();

describe('salt:// path checks', () => {
  it('splits ?saltenv= and refuses .., absolute paths and bad saltenvs', () => {
    assert.deepEqual(parseSaltUrl('salt://a/b.txt?saltenv=dev', 'base'), { path: 'a/b.txt', saltenv: 'dev' });
    assert.deepEqual(parseSaltUrl('salt://a/./b.txt', 'base'), { path: 'a/b.txt', saltenv: 'base' });
    assert.throws(() => parseSaltUrl('salt://../x', 'base'), /'\.\.' would leave the file roots/);
    assert.throws(() => parseSaltUrl('salt://a/../../x', 'base'), /would leave/);
    assert.throws(() => parseSaltUrl('salt:///etc/passwd', 'base'), /absolute/);
    assert.throws(() => parseSaltUrl('salt://x', '../base'), /Invalid saltenv/);
  });
});

describe('the file client over a local file_roots', () => {
  let dir: string;
  let roots: string;
  let cachedir: string;
  let client: FileClient;
  let reg: Registry;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-fileclient-'));
    roots = path.join(dir, 'srv');
    cachedir = path.join(dir, 'cache');
    fs.mkdirSync(path.join(roots, 'web', 'empty'), { recursive: true });
    fs.mkdirSync(path.join(roots, 'init'), { recursive: true });
    fs.writeFileSync(path.join(roots, 'hello.txt'), 'hello\n');
    fs.writeFileSync(path.join(roots, 'web', 'index.html'), '<p>hi</p>\n');
    fs.writeFileSync(path.join(roots, 'init', 'init.sls'), 'a: b\n');
    fs.writeFileSync(path.join(roots, 'top.sls'), 'base: {}\n');
    fs.writeFileSync(path.join(dir, 'secret'), 'no\n');
    fs.symlinkSync(path.join(dir, 'secret'), path.join(roots, 'out'));
    client = new FileClient(new LocalFileBackend({ base: [roots] }, 'sha256'), { cachedir, log });
    const opts = { ...minionConfig(), cachedir };
    reg = new Registry({ kind: 'module', opts, log, services: { fileClient: client } }, executionModulePlugins());
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('caches under <cachedir>/files/<saltenv>/ and re-fetches only on a hash change', T, async () => {
    const got = await client.cacheFile('salt://hello.txt', 'base');
    assert.equal(got, path.join(cachedir, 'files', 'base', 'hello.txt'));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(got, old, old);
    // The mtime as the filesystem keeps it (mtimeMs is a float, not always old's exact ms).
    const stamped = fs.statSync(got).mtimeMs;
    await client.cacheFile('salt://hello.txt', 'base');
    assert.equal(fs.statSync(got).mtimeMs, stamped, 'an unchanged file is not fetched again');
    fs.writeFileSync(path.join(roots, 'hello.txt'), 'changed\n');
    await client.cacheFile('salt://hello.txt', 'base');
    assert.equal(fs.readFileSync(got, 'utf8'), 'changed\n');
    assert.equal(client.isCached('salt://hello.txt', 'base'), got);
    assert.equal(client.isCached('salt://web/index.html', 'base'), '');
  });
  it('missing files and symlinks out of the roots are not there', T, async () => {
    assert.equal(await client.cacheFile('salt://nope', 'base'), null);
    assert.equal(await client.cacheFile('salt://out', 'base'), null);
    assert.equal(await client.cacheFile('salt://hello.txt', 'dev'), null);
    assert.ok(!(await client.list('_file_list', 'base')).includes('out'));
  });
  it('cp.* over the injected client', T, async () => {
    const call = async (fun: string, args: unknown[]): Promise<unknown> => (await reg.call(fun, args)).return;
    assert.deepEqual(await call('cp.list_master', []), ['hello.txt', 'init/init.sls', 'top.sls', 'web/index.html']);
    assert.deepEqual(await call('cp.list_master_dirs', []), ['init', 'web', 'web/empty']);
    assert.deepEqual(await call('cp.list_states', []), ['init', 'top']);
    assert.equal(await call('cp.get_file_str', ['salt://web/index.html']), '<p>hi</p>\n');
    const dest = path.join(dir, 'out-dir');
    fs.mkdirSync(dest);
    assert.equal(await call('cp.get_file', ['salt://web/index.html', dest]), path.join(dest, 'index.html'));
    assert.equal(await call('cp.get_file', ['salt://nope', dest]), '');
    assert.deepEqual(await call('cp.get_dir', ['salt://web', dest]), [path.join(dest, 'web', 'index.html')]);
    const hsum = crypto.createHash('sha256').update('<p>hi</p>\n').digest('hex');
    assert.deepEqual(await call('cp.hash_file', ['salt://web/index.html']), { hsum, hash_type: 'sha256' });
    assert.deepEqual(await call('cp.cache_dir', ['salt://web']), [
      path.join(cachedir, 'files', 'base', 'web', 'index.html'),
    ]);
    assert.ok(((await call('cp.list_minion', [])) as string[]).includes('web/index.html'));
    fs.chmodSync(path.join(roots, 'hello.txt'), 0o640);
    assert.equal(await call('cp.stat_file', ['salt://hello.txt']), '0640');
    assert.equal(await call('cp.stat_file', ['salt://nope']), null);
    await assert.rejects(reg.call('cp.get_file_str', ['salt://../x']), /would leave the file roots/);
  });
});

describe('chunked fetches', () => {
  it('reassembles chunks from loc offsets and verifies the hash', T, async () => {
    const body = Buffer.from('0123456789abcdef'.repeat(100));
    const locs: number[] = [];
    const backend: FileServerBackend = {
      envs: () => Promise.resolve(['base']),
      list: () => Promise.resolve([]),
      find: () => Promise.resolve(undefined),
      hash: () => Promise.resolve({ hsum: crypto.createHash('md5').update(body).digest('hex'), hash_type: 'md5' }),
      chunk: (_p, _e, loc) => {
        locs.push(loc);
        return Promise.resolve({ data: body.subarray(loc, loc + 700), dest: 'big' });
      },
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-fileclient-chunks-'));
    try {
      const c = new FileClient(backend, { cachedir: dir, log });
      const got = await c.cacheFile('salt://big', 'base');
      assert.ok(got);
      assert.deepEqual(fs.readFileSync(got), body);
      assert.deepEqual(locs, [0, 700, 1400, 1600]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
