import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { StateHarness } from './harness.js';
import { SALT_RUNS } from './salt-runs.data.js';

const T = { timeout: 60_000 };
// Salt ran as root: the symlink and ownership texts name root.
const isRoot = process.getuid?.() === 0;

/** `WORK` in a value to the harness's work directory, and back. */
const swap = (v: unknown, from: string, to: string): unknown => JSON.parse(JSON.stringify(v).replaceAll(from, to));

describe('the file state replays what Salt 3006.8 returned', { skip: !isRoot && 'needs root, as Salt ran' }, () => {
  for (const batch of SALT_RUNS.batches) {
    it(batch.title, T, async () => {
      const h = new StateHarness({ grains: { id: 'peer-1' } });
      try {
        for (const [rel, text] of Object.entries(SALT_RUNS.srv)) {
          const p = path.join(h.srv, rel);
          if (text === null) fs.mkdirSync(p, { recursive: true });
          else h.serve(rel, text);
        }
        const work = h.p('work');
        fs.mkdirSync(work);
        for (const run of batch.runs) {
          for (const [id, fun, kwargs] of SALT_RUNS.specs[run.spec]!) {
            const got = swap(
              await h.run(fun, swap(kwargs, 'WORK', work) as Record<string, unknown>, run.test),
              work,
              'WORK',
            );
            const want = run.salt[id]!;
            for (const key of ['name', 'result', 'comment', 'changes']) {
              if (batch.skip[id]?.includes(key)) continue;
              assert.deepEqual(
                (got as Record<string, unknown>)[key],
                want[key],
                `${run.spec}${run.test ? ' (test)' : ''}: ${id} file.${fun} ${key}`,
              );
            }
          }
        }
      } finally {
        h.close();
      }
    });
  }
});
