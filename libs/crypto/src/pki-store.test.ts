import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { invalidIdReason, KeyStore, KeyError } from './index.js';
import { MAX_ID_BYTES } from './pki-store.js';

test('an id is checked in UTF-8 bytes, leaving room for the temp name', () => {
  assert.equal(MAX_ID_BYTES, 234);
  assert.equal(invalidIdReason('a'.repeat(MAX_ID_BYTES)), undefined);
  assert.equal(invalidIdReason('a'.repeat(250)), 'minion id is longer than 234 bytes');
  // 100 'é' are 100 UTF-16 units but 200 bytes: fine; 120 are 240 bytes: refused.
  assert.equal(invalidIdReason('é'.repeat(100)), undefined);
  assert.equal(invalidIdReason('é'.repeat(120)), 'minion id is longer than 234 bytes');
  assert.equal(invalidIdReason('x'.repeat(5_000_000)), 'minion id is longer than 234 bytes');
});

test('the longest id a key store accepts can be written, read and removed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-pki-'));
  try {
    const keys = new KeyStore(dir);
    keys.ensureDirs();
    for (const id of ['a'.repeat(MAX_ID_BYTES), 'é'.repeat(MAX_ID_BYTES / 2)]) {
      keys.write('pending', id, 'PEM');
      assert.equal(keys.read('pending', id), 'PEM');
      assert.deepEqual(keys.ids('pending'), [id]);
      assert.equal(keys.remove('pending', id), true);
    }
    // A refused id is named cut and escaped in the error, never in full.
    assert.throws(
      () => keys.write('pending', 'b'.repeat(300) + '\n', 'PEM'),
      (err: unknown) => err instanceof KeyError && err.message.length < 200 && !err.message.includes('\n'),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
