import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '@tsalt/core';
import { writeRootKey } from './root-key.js';

function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = { error: (_o: unknown, msg: string) => void lines.push(msg) } as unknown as Logger;
  return { log, lines };
}

test('the root key is written 0400 and returned', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-rootkey-'));
  try {
    const key = writeRootKey(dir);
    assert.equal(key.length, 56);
    assert.equal(fs.readFileSync(path.join(dir, '.root_key'), 'utf8'), key);
    assert.equal(fs.statSync(path.join(dir, '.root_key')).mode & 0o777, 0o400);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a root key that cannot be written is kept in memory with one log line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-rootkey-'));
  try {
    // A cachedir that is a file: the write fails as on a broken disk, for any user.
    const cachedir = path.join(dir, 'cache');
    fs.writeFileSync(cachedir, '');
    const { log, lines } = capture();
    assert.equal(writeRootKey(cachedir, log).length, 56);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /could not write the root key: the master goes on with it in memory; tsalt and tsalt-run/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('on a full filesystem (a 64 KiB tmpfs, filled): no error, no stale key, no temp file left', (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to mount a tmpfs');
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'ignore' });
  } catch {
    fs.rmdirSync(mnt);
    return t.skip('mount -t tmpfs is not available here');
  }
  try {
    fs.writeFileSync(path.join(mnt, '.root_key'), 'the-last-runs-key', { mode: 0o400 });
    // Fill every block: writes of 4 KiB until ENOSPC.
    const fd = fs.openSync(path.join(mnt, 'fill'), 'w');
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(4096, 1));
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      fs.closeSync(fd);
    }
    const { log, lines } = capture();
    const key = writeRootKey(mnt, log);
    assert.equal(key.length, 56);
    assert.equal(lines.length, 1);
    assert.deepEqual(fs.readdirSync(mnt).sort(), ['fill'], 'the stale key and the temp file are gone');
  } finally {
    execFileSync('umount', [mnt], { stdio: 'ignore' });
    fs.rmdirSync(mnt);
  }
});
