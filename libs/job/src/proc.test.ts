import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  cleanStaleProcFiles,
  findRunningJob,
  genJid,
  readCachedJob,
  readProcFile,
  readProcFiles,
  removeProcFile,
  runningJobs,
  writeCachedJob,
  writeProcFile,
} from './index.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-proc-'));
}

test('proc file round trip: load plus pid, pid wins', () => {
  const dir = tmp();
  try {
    const jid = genJid();
    const load = { fun: 'test.sleep', arg: [5], tgt: '*', tgt_type: 'glob', jid, user: 'root', pid: 1 };
    writeProcFile(dir, load, 4242);
    assert.deepEqual(readProcFile(dir, jid), { ...load, pid: 4242 });
    assert.equal(fs.statSync(path.join(dir, 'proc', jid)).mode & 0o777, 0o600);
    assert.deepEqual(readProcFiles(dir), [{ ...load, pid: 4242 }]);
    removeProcFile(dir, jid);
    assert.equal(readProcFile(dir, jid), undefined);
    assert.deepEqual(readProcFiles(dir), []);
    removeProcFile(dir, jid); // removing twice is fine
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('proc files: bad jids are refused, garbage files skipped, missing dir is empty', () => {
  const dir = tmp();
  try {
    assert.deepEqual(readProcFiles(dir), []);
    assert.throws(() => writeProcFile(dir, { jid: '../evil' }, 1), { code: 'BAD_JID' });
    assert.throws(() => writeProcFile(dir, { fun: 'x' }, 1), { code: 'BAD_JID' });
    assert.throws(() => readProcFile(dir, '../../etc/passwd'), { code: 'BAD_JID' });
    assert.throws(() => removeProcFile(dir, 'a/b'), { code: 'BAD_JID' });
    const good = genJid();
    writeProcFile(dir, { jid: good, fun: 'test.ping' }, 10);
    fs.writeFileSync(path.join(dir, 'proc', genJid()), Buffer.from([0xc1, 0xff, 0x00]));
    fs.writeFileSync(path.join(dir, 'proc', genJid()), Buffer.from([0x93, 1, 2, 3])); // an array, not a map
    fs.writeFileSync(path.join(dir, 'proc', 'not-a-jid'), 'x');
    assert.deepEqual(readProcFiles(dir), [{ jid: good, fun: 'test.ping', pid: 10 }]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('cleanStaleProcFiles removes dead-pid and garbage files, keeps live ones', () => {
  const dir = tmp();
  try {
    const live = genJid();
    const dead = genJid();
    const garbage = genJid();
    writeProcFile(dir, { jid: live }, process.pid);
    writeProcFile(dir, { jid: dead }, 9_999_991);
    fs.writeFileSync(path.join(dir, 'proc', garbage), 'garbage');
    const removed = cleanStaleProcFiles(dir, (pid) => pid === process.pid);
    assert.equal(removed, 2);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'proc')), [live]);
    // Default liveness check: our own pid is alive.
    assert.equal(cleanStaleProcFiles(dir), 0);
    assert.equal(cleanStaleProcFiles(path.join(dir, 'missing')), 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('runningJobs and findRunningJob skip and remove stale files, including a reused pid', () => {
  const dir = tmp();
  try {
    const live = genJid();
    const dead = genJid();
    const reused = genJid();
    writeProcFile(dir, { jid: live, fun: 'test.sleep' }, process.pid);
    writeProcFile(dir, { jid: dead, fun: 'test.sleep' }, 9_999_991);
    writeProcFile(dir, { jid: reused, fun: 'test.sleep' }, process.pid);
    // A proc file written long before this process started names some other process.
    const old = new Date(Date.now() - 3_600_000 * 24 * 365);
    fs.utimesSync(path.join(dir, 'proc', reused), old, old);
    assert.deepEqual(
      runningJobs(dir).map((d) => d['jid']),
      [live],
    );
    assert.deepEqual(fs.readdirSync(path.join(dir, 'proc')), [live]);
    assert.equal(findRunningJob(dir, live)?.['pid'], process.pid);
    assert.equal(findRunningJob(dir, dead), undefined);
    assert.throws(() => findRunningJob(dir, 'nope'), { code: 'BAD_JID' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('minion job cache: write, read back, missing and garbage', () => {
  const dir = tmp();
  try {
    const jid = genJid();
    assert.equal(readCachedJob(dir, jid), undefined);
    writeCachedJob(dir, jid, { jid, return: 'hi', retcode: 0, success: true });
    assert.deepEqual(readCachedJob(dir, jid), { jid, return: 'hi', retcode: 0, success: true });
    assert.equal(fs.statSync(path.join(dir, 'minion_jobs', jid, 'return.p')).mode & 0o777, 0o600);
    fs.writeFileSync(path.join(dir, 'minion_jobs', jid, 'return.p'), Buffer.from([0x93, 1, 2, 3]));
    assert.equal(readCachedJob(dir, jid), null);
    assert.throws(() => readCachedJob(dir, '../x'), { code: 'BAD_JID' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
