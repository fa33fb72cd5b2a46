import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { clipFields, clipText, escapeControl, peerText } from './log-text.js';

test('escapeControl writes C0, DEL, C1, ESC and line separators as escapes', () => {
  assert.equal(escapeControl('a\nb\rc\td'), 'a\\nb\\rc\\td');
  assert.equal(escapeControl('\x1b[31mred\x00\x7f\x9b'), '\\x1b[31mred\\x00\\x7f\\x9b');
  assert.equal(escapeControl('x\u2028y\u2029'), 'x\\u2028y\\u2029');
  assert.equal(escapeControl('plain é 日本 \\n'), 'plain é 日本 \\n');
});

test('clipText cuts to the limit and says how much was left off', () => {
  assert.equal(clipText('abc', 5), 'abc');
  assert.equal(clipText('abcdefgh', 5), 'abcde…[+3 chars]');
  assert.equal(clipText('abcdefgh', 0), 'abcdefgh');
  // A surrogate pair is never split.
  assert.equal(clipText('ab😀cd', 3), 'ab…[+4 chars]');
});

test('peerText cuts then escapes, and takes any value', () => {
  assert.equal(peerText('x\n[CRITICAL] forged', 100), 'x\\n[CRITICAL] forged');
  assert.equal(peerText('a'.repeat(1000), 10), 'a'.repeat(10) + '…[+990 chars]');
  assert.equal(peerText(42), '42');
});

test('clipFields cuts strings in nested maps and lists, leaves errors alone', () => {
  const err = new Error('x'.repeat(50));
  const out = clipFields({ id: 'y'.repeat(20), n: 3, deep: { tgt: ['z'.repeat(20)] }, err }, 5) as Record<
    string,
    unknown
  >;
  assert.equal(out['id'], 'yyyyy…[+15 chars]');
  assert.equal(out['n'], 3);
  assert.deepEqual(out['deep'], { tgt: ['zzzzz…[+15 chars]'] });
  assert.equal(out['err'], err);
  assert.equal((clipFields(Array(20).fill(1), 5) as unknown[]).length, 5);
});

test('the console logger writes a peer newline escaped on one line, and caps its size', () => {
  const logger = fileURLToPath(new URL('./logger.js', import.meta.url));
  const script = `
    const { createLogger } = await import(${JSON.stringify(logger)});
    const log = createLogger({ level: 'info', maxStringChars: 100 });
    log.warn({ cmd: 'x\\n[CRITICAL] forged\\x1b[2J' }, 'refused clear command');
    log.warn({ id: 'i'.repeat(5000) }, 'm\\r\\n[CRITICAL] also forged');
    log.child({ component: 'auth' }).warn({ tag: 't'.repeat(300) }, 'from a child');
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 3, r.stderr);
  assert.ok(
    lines.every((l) => l.startsWith('[WARNING ]')),
    r.stderr,
  );
  assert.ok(lines[0]?.includes('cmd=x\\n[CRITICAL] forged\\x1b[2J'), lines[0]);
  assert.ok(lines[1]?.includes('m\\r\\n[CRITICAL] also forged'), lines[1]);
  assert.ok(lines[1]?.includes('…[+4900 chars]'), lines[1]);
  assert.ok((lines[1]?.length ?? 0) < 300, lines[1]);
  // A child logger keeps the cap.
  assert.ok(lines[2]?.includes('…[+200 chars]'), lines[2]);
});
