import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Spool } from './spool.js';
import type { SpoolOptions } from './types.js';
import { recordingLogger, type LogLine } from './test-logger.js';

const T = { timeout: 15_000 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let dir: string;
let open: Spool<unknown>[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-spool-'));
});
afterEach(async () => {
  for (const s of open) await s.close(500);
  open = [];
  fs.rmSync(dir, { recursive: true, force: true });
});

function spool<T>(o: Partial<SpoolOptions<T>> & Pick<SpoolOptions<T>, 'write'>, lines: LogLine[] = []): Spool<T> {
  const s = new Spool<T>({ dir, log: recordingLogger(lines), retryMinMs: 5, retryMaxMs: 40, ...o });
  open.push(s as Spool<unknown>);
  return s;
}

function segmentFiles(): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.spool'));
}

describe('Spool', () => {
  test('delivers in order once the store comes back, logging one line per failure kind', T, async () => {
    const got: number[] = [];
    let failures = 0;
    const lines: LogLine[] = [];
    const s = spool<number>(
      {
        write: async (batch) => {
          if (failures < 6) {
            failures++;
            throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
          }
          got.push(...batch);
        },
        describeError: () => 'Store unavailable at 127.0.0.1:3306: connect ECONNREFUSED',
      },
      lines,
    );
    for (let i = 0; i < 12; i++) s.push(i);
    assert.equal(s.stats().pending, 12);
    assert.equal(await s.drain(5000), true);
    assert.deepEqual(got, [...Array(12).keys()]);
    const warned = lines.filter((l) => l.level === 'warn' && l.text.startsWith('Store unavailable'));
    assert.equal(warned.length, 1, JSON.stringify(lines));
    assert.match(
      warned[0]!.text,
      /^Store unavailable at 127\.0\.0\.1:3306: connect ECONNREFUSED; 12 writes held in the spool$/,
    );
    assert.ok(lines.some((l) => l.text.startsWith('Writes resumed after: Store unavailable')));
    assert.deepEqual(s.stats(), { pending: 0, rejected: 0, lastError: undefined });
    assert.deepEqual(segmentFiles(), [], 'written segments are deleted');
  });

  test('stats and drain while the store is down', T, async () => {
    const s = spool<string>({
      write: async () => {
        throw new Error('down');
      },
    });
    s.push('a');
    s.push('b');
    assert.equal(await s.drain(100), false);
    assert.deepEqual(s.stats(), { pending: 2, rejected: 0, lastError: 'down' });
  });

  test('batches under load: 1,000 pushes arrive in a few writes', T, async () => {
    const batches: number[][] = [];
    const s = spool<number>({ write: async (b) => void batches.push(b), batchMax: 500 });
    for (let i = 0; i < 1000; i++) s.push(i);
    assert.equal(await s.drain(5000), true);
    assert.ok(batches.length <= 4, `${batches.length} batches`);
    assert.ok(batches.every((b) => b.length <= 500));
    assert.deepEqual(batches.flat(), [...Array(1000).keys()]);
  });

  test('a rejected item is set aside in rejected/ and later items still arrive', T, async () => {
    const got: string[] = [];
    const lines: LogLine[] = [];
    const s = spool<{ jid: string; id: string; v: string }>(
      {
        write: async (batch) => {
          if (batch.some((r) => r.v === 'huge'))
            throw Object.assign(new Error("Data too long for column 'return' at row 2"), { errno: 1406 });
          got.push(...batch.map((r) => r.v));
        },
        classify: (err) => ((err as { errno?: number }).errno === 1406 ? 'reject' : 'retry'),
        describeItem: (r) => `the return of jid ${r.jid} from minion ${r.id}`,
      },
      lines,
    );
    for (const v of ['a', 'huge', 'c']) s.push({ jid: '20240101000000000001', id: 'web1', v });
    assert.equal(await s.drain(5000), true);
    s.push({ jid: '20240101000000000002', id: 'web1', v: 'd' });
    assert.equal(await s.drain(5000), true);
    assert.deepEqual(got, ['a', 'c', 'd']);
    assert.equal(s.stats().rejected, 1);
    const files = fs.readdirSync(path.join(dir, 'rejected'));
    assert.equal(files.length, 1);
    const kept = JSON.parse(fs.readFileSync(path.join(dir, 'rejected', files[0]!), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(kept['item'], { jid: '20240101000000000001', id: 'web1', v: 'huge' });
    const errs = lines.filter((l) => l.level === 'error');
    assert.equal(errs.length, 1);
    assert.match(
      errs[0]!.text,
      /^Rejected the return of jid 20240101000000000001 from minion web1: Data too long for column 'return' at row 2; kept in .*rejected/,
    );
  });

  test('close leaves what it could not write; a new Spool on the folder delivers it in order', T, async () => {
    const first = spool<number>({
      write: async () => {
        throw new Error('down');
      },
    });
    for (let i = 0; i < 30; i++) first.push(i);
    await first.close(200);
    open = [];
    assert.ok(segmentFiles().length >= 1);
    const got: number[] = [];
    const second = spool<number>({ write: async (b) => void got.push(...b) });
    second.push(30);
    assert.equal(await second.drain(5000), true);
    assert.deepEqual(got, [...Array(31).keys()]);
  });

  test('a restart does not write again what was already written (cursor)', T, async () => {
    const got: number[] = [];
    let calls = 0;
    const first = spool<number>({
      write: async (b) => {
        if (++calls > 1) throw new Error('down');
        got.push(...b);
      },
      batchMax: 5,
    });
    for (let i = 0; i < 12; i++) first.push(i);
    await first.drain(100);
    await first.close(100);
    open = [];
    assert.deepEqual(got, [0, 1, 2, 3, 4]);
    const second = spool<number>({ write: async (b) => void got.push(...b) });
    assert.equal(await second.drain(5000), true);
    assert.deepEqual(got, [...Array(12).keys()]);
  });

  test('a process killed right after its pushes loses nothing', T, async () => {
    const spoolJs = path.join(path.dirname(fileURLToPath(import.meta.url)), 'spool.js');
    const script = `
      import { Spool } from ${JSON.stringify(spoolJs)};
      import { silentLogger } from '@tsalt/core';
      const s = new Spool({ dir: ${JSON.stringify(dir)}, log: silentLogger(), write: () => new Promise(() => {}) });
      for (let i = 0; i < 250; i++) s.push({ i, pad: 'x'.repeat(i % 7) });
      process.kill(process.pid, 'SIGKILL');
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: path.dirname(spoolJs),
      timeout: 10_000,
      encoding: 'utf8',
    });
    assert.equal(r.signal, 'SIGKILL', r.stderr);
    const got: number[] = [];
    const s = spool<{ i: number }>({ write: async (b) => void got.push(...b.map((x) => x.i)) });
    assert.equal(await s.drain(5000), true);
    assert.deepEqual(got, [...Array(250).keys()]);
  });

  test('a torn record at the tail is skipped, the rest delivered', T, async () => {
    const first = spool<number>({
      write: async () => {
        throw new Error('down');
      },
    });
    for (let i = 0; i < 5; i++) first.push(i);
    await first.close(100);
    open = [];
    const [seg] = segmentFiles();
    fs.appendFileSync(path.join(dir, seg!), Buffer.from([0, 0, 0, 9, 1, 2]));
    const got: number[] = [];
    const s = spool<number>({ write: async (b) => void got.push(...b) });
    assert.equal(await s.drain(5000), true);
    assert.deepEqual(got, [0, 1, 2, 3, 4]);
  });

  test('reuseOpenSegment: a queue drained as it fills keeps one file, removed at close', T, async () => {
    const got: number[] = [];
    const s = spool<number>({ write: async (b) => void got.push(...b), reuseOpenSegment: true });
    for (let i = 0; i < 20; i++) {
      s.push(i);
      assert.equal(await s.drain(2000), true);
      assert.deepEqual(segmentFiles(), ['000000000000.spool']);
    }
    await s.close(500);
    open = [];
    assert.deepEqual(got, [...Array(20).keys()]);
    assert.deepEqual(segmentFiles(), []);
    const again: number[] = [];
    const t = spool<number>({ write: async (b) => void again.push(...b) });
    assert.equal(await t.drain(500), true);
    assert.deepEqual(again, [], 'nothing delivered twice');
  });

  test('cursorDelayMs: a crash re-delivers at most the unrecorded tail; saveCursor records it at once', T, async () => {
    const spoolJs = path.join(path.dirname(fileURLToPath(import.meta.url)), 'spool.js');
    const crash = (save: boolean): void => {
      const script = `
        import { Spool } from ${JSON.stringify(spoolJs)};
        import { silentLogger } from '@tsalt/core';
        const s = new Spool({ dir: ${JSON.stringify(dir)}, log: silentLogger(), cursorDelayMs: 60000, reuseOpenSegment: true, write: async () => undefined });
        for (let i = 0; i < 5; i++) s.push(i);
        await s.drain(5000);
        ${save ? 's.saveCursor();' : ''}
        process.kill(process.pid, 'SIGKILL');
      `;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: path.dirname(spoolJs),
        timeout: 10_000,
        encoding: 'utf8',
      });
      assert.equal(r.signal, 'SIGKILL', r.stderr);
    };
    crash(false);
    const got: number[] = [];
    const s = spool<number>({ write: async (b) => void got.push(...b) });
    assert.equal(await s.drain(5000), true);
    assert.deepEqual(got, [0, 1, 2, 3, 4], 'delivered, but the position was not recorded: at least once');
    await s.close(500);
    open = [];
    crash(true);
    const again: number[] = [];
    const t = spool<number>({ write: async (b) => void again.push(...b) });
    assert.equal(await t.drain(2000), true);
    assert.deepEqual(again, []);
  });

  test('one Spool per folder', T, async () => {
    spool<number>({ write: async () => undefined });
    assert.throws(() => new Spool<number>({ dir, log: recordingLogger(), write: async () => undefined }), {
      code: 'SPOOL_LOCKED',
    });
  });

  test('push after close throws; close is bounded by a hung write', T, async () => {
    const s = spool<number>({ write: () => new Promise(() => undefined) });
    s.push(1);
    await sleep(20);
    const t0 = Date.now();
    await s.close(150);
    assert.ok(Date.now() - t0 < 1000);
    assert.throws(() => s.push(2), { code: 'SPOOL_CLOSED' });
  });
});
