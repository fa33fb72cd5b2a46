import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startedCluster, type Cluster } from './harness.js';

/** file.* through `tsalt` against a real minion, in a temp dir under the cluster root. */
describe('file module end to end', { timeout: 120_000 }, () => {
  let c: Cluster;
  let dir = '';
  const json = async (args: string[]): Promise<unknown> => {
    const r = await c.tsalt(['m1', ...args, '--out', 'json']);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return (JSON.parse(r.stdout) as Record<string, unknown>)['m1'];
  };
  before(async () => {
    c = await startedCluster(['m1']);
    dir = path.join(c.root, 'files');
    fs.mkdirSync(dir);
  });
  after(async () => c?.cleanup());

  test('write, read, stats, get_hash', async () => {
    const f = path.join(dir, 'motd');
    assert.equal(await json(['file.write', f, 'hello', 'args=a=b']), `Wrote 1 lines to "${f}"`);
    assert.equal(await json(['file.write', f, 'hello', 'world']), `Wrote 2 lines to "${f}"`);
    assert.equal(await json(['file.read', f]), 'hello\nworld\n');
    const st = (await json(['file.stats', f])) as Record<string, unknown>;
    assert.equal(st['size'], 12);
    assert.equal(st['type'], 'file');
    assert.match(String(st['mode']), /^0[0-7]{3}$/);
    const sha = crypto.createHash('sha256').update('hello\nworld\n').digest('hex');
    assert.equal(await json(['file.get_hash', f]), sha);
    assert.equal(
      await json(['file.get_hash', f, 'md5']),
      crypto.createHash('md5').update('hello\nworld\n').digest('hex'),
    );
  });

  test('replace and line return Salt-style unified diffs and edit the file', async () => {
    const f = path.join(dir, 'app.conf');
    fs.writeFileSync(f, 'LogLevel warn\nPort 80\n');
    const diff = await json(['file.replace', f, 'pattern=^LogLevel .*$', 'repl=LogLevel info']);
    assert.equal(diff, '--- \n+++ \n@@ -1,2 +1,2 @@\n-LogLevel warn\n+LogLevel info\n Port 80\n');
    assert.equal(fs.readFileSync(`${f}.bak`, 'utf8'), 'LogLevel warn\nPort 80\n');
    const again = await json(['file.replace', f, 'pattern=^LogLevel .*$', 'repl=LogLevel info', 'show_changes=False']);
    assert.equal(again, false);
    const ln = await json(['file.line', f, 'content=Listen 8080', 'after=^Port', 'mode=ensure']);
    assert.equal(ln, '--- \n+++ \n@@ -1,2 +1,3 @@\n LogLevel info\n Port 80\n+Listen 8080\n');
    assert.equal(fs.readFileSync(f, 'utf8'), 'LogLevel info\nPort 80\nListen 8080\n');
  });

  test('find lists matches sorted; a bad option is an error string', async () => {
    fs.mkdirSync(path.join(dir, 'logs'));
    fs.writeFileSync(path.join(dir, 'logs', 'a.log'), 'x');
    fs.writeFileSync(path.join(dir, 'logs', 'b.log'), 'y');
    fs.writeFileSync(path.join(dir, 'logs', 'c.txt'), 'z');
    const found = await json(['file.find', path.join(dir, 'logs'), 'name=*.log', 'type=f']);
    assert.deepEqual(found, [path.join(dir, 'logs', 'a.log'), path.join(dir, 'logs', 'b.log')]);
    assert.equal(await json(['file.find', dir, 'type=q']), 'error: invalid file type "q"');
  });

  test('errors: a missing file and wrong arguments exit 1 with one line, never a stack trace', async () => {
    const missing = await c.tsalt(['m1', 'file.read', path.join(dir, 'nope')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /^m1:\n {4}ERROR: \[Errno 2\] No such file or directory: '.*nope'\n$/);
    const rel = await c.tsalt(['m1', 'file.remove', 'relative/x']);
    assert.equal(rel.code, 1);
    assert.match(rel.stdout, /ERROR executing 'file\.remove': File path must be absolute: relative\/x/);
    assert.doesNotMatch(missing.stdout, /at .*\.js:\d+/);
    const bad = await c.tsalt(['m1', 'file.stats']);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stdout,
      /Passed invalid arguments to file\.stats: stats\(\) missing 1 required positional argument: 'path'/,
    );
    const list = await json(['sys.list_modules']);
    assert.ok((list as string[]).includes('file'));
  });
});
