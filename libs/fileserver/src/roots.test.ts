import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FileServer } from './roots.js';

function tree(): { dir: string; fs: FileServer; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tsalt-fs-'));
  const base = join(dir, 'base');
  mkdirSync(join(base, 'sub', 'deep'), { recursive: true });
  mkdirSync(join(base, 'empty'));
  writeFileSync(join(base, 'hello.txt'), 'hello world\n');
  writeFileSync(join(base, 'sub', 'a.sls'), 'a: 1\n');
  writeFileSync(join(dir, 'secret'), 'top secret\n');
  symlinkSync(join(dir, 'secret'), join(base, 'out-link'));
  symlinkSync('hello.txt', join(base, 'in-link'));
  const fs = new FileServer({ file_roots: { base: [base], dev: [join(dir, 'nope')] }, hash_type: 'sha256' });
  return { dir, fs, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('lists files, dirs and empty dirs; a link out of the roots is left out', async () => {
  const t = tree();
  try {
    assert.deepEqual(await t.fs.fileList('base'), ['hello.txt', 'in-link', 'sub/a.sls']);
    assert.deepEqual(await t.fs.dirList('base'), ['empty', 'sub', 'sub/deep']);
    assert.deepEqual(await t.fs.emptyDirs('base'), ['empty', 'sub/deep']);
    assert.deepEqual(await t.fs.fileList('base', 'sub/'), ['sub/a.sls']);
    assert.deepEqual(await t.fs.fileList('dev'), []);
    assert.deepEqual(await t.fs.fileList('unknown'), []);
    assert.deepEqual(t.fs.envs(), ['base', 'dev']);
  } finally {
    t.done();
  }
});

test('hashes with hash_type, and answers "" for what is not served', async () => {
  const t = tree();
  try {
    const want = createHash('sha256').update('hello world\n').digest('hex');
    assert.deepEqual(await t.fs.fileHash('hello.txt', 'base'), { hsum: want, hash_type: 'sha256' });
    assert.equal(await t.fs.fileHash('missing', 'base'), '');
    assert.equal(await t.fs.fileHash('sub', 'base'), '');
  } finally {
    t.done();
  }
});

test('serves in chunks by loc, text as a string, gzip on request', async () => {
  const t = tree();
  try {
    const small = new FileServer({
      file_roots: { base: [join(t.dir, 'base')] },
      hash_type: 'md5',
      file_buffer_size: 5,
    });
    const parts: string[] = [];
    for (let loc = 0; ;) {
      const c = await small.serveFile('hello.txt', 'base', loc);
      assert.equal(c.dest, 'hello.txt');
      if (c.data.length === 0) break;
      parts.push(String(c.data));
      loc += Buffer.byteLength(c.data);
    }
    assert.deepEqual(parts, ['hello', ' worl', 'd\n']);
    const z = await t.fs.serveFile('hello.txt', 'base', 0, 1);
    assert.equal(z.gzip, 1);
    assert.equal(gunzipSync(z.data as Buffer).toString(), 'hello world\n');
    writeFileSync(join(t.dir, 'base', 'bin'), Buffer.from([0, 1, 2, 255]));
    const b = await t.fs.serveFile('bin', 'base', 0);
    assert.ok(Buffer.isBuffer(b.data));
  } finally {
    t.done();
  }
});

test('refuses traversal, absolute paths, NUL bytes and links out of the roots', async () => {
  const t = tree();
  try {
    const none = { data: '', dest: '' };
    for (const p of [
      '../secret',
      'sub/../../secret',
      join(t.dir, 'secret'),
      '/etc/passwd',
      'hello.txt\0',
      'out-link',
      '',
    ]) {
      assert.deepEqual(await t.fs.serveFile(p, 'base', 0), none, p);
      assert.equal(await t.fs.find(p, 'base'), undefined, p);
    }
    assert.equal((await t.fs.find('hello.txt?saltenv=base', 'dev'))?.rel, 'hello.txt');
    assert.equal(await t.fs.find('hello.txt?saltenv=dev', 'base'), undefined);
    assert.equal(await t.fs.find('../secret?saltenv=base', 'base'), undefined);
    const inLink = await t.fs.find('in-link', 'base');
    assert.equal(inLink?.rel, 'in-link');
    assert.equal(inLink?.stat.length, 10);
    assert.deepEqual(await t.fs.serveFile('hello.txt', 'base', -1), none);
  } finally {
    t.done();
  }
});
