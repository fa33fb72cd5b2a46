import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchProgress, progressText } from './batch-progress.js';

const counts = { total: 3, done: 1, running: 1, left: 1, failed: 1 };

describe('the batch progress line', () => {
  test('on a TTY: drawn over itself, erased before other output, once', () => {
    const out: string[] = [];
    const p = new BatchProgress({ isTTY: true, write: (t: string) => out.push(t) });
    p.clear();
    assert.deepEqual(out, [], 'nothing shown, nothing to erase');
    p.show(counts);
    p.show({ ...counts, done: 2, running: 0 });
    p.clear();
    p.clear();
    assert.deepEqual(out, [
      '\r\x1b[K[batch] 1/3 done, 1 running, 1 left, 1 failed',
      '\r\x1b[K[batch] 2/3 done, 0 running, 1 left, 1 failed',
      '\r\x1b[K',
    ]);
  });

  test('not a TTY: nothing at all', () => {
    const out: string[] = [];
    const p = new BatchProgress({ isTTY: false, write: (t: string) => out.push(t) });
    p.show(counts);
    p.clear();
    assert.deepEqual(out, []);
    assert.equal(progressText(counts), '[batch] 1/3 done, 1 running, 1 left, 1 failed');
  });
});
