import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { definePlugin, Registry } from '@tsalt/loader';
import { executionModulePlugins } from '../index.js';

const log = silentLogger();
const reg = new Registry({ kind: 'module', opts: minionConfig(), log }, executionModulePlugins());
const call = async (fun: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<unknown> =>
  (await reg.call(`file.${fun}`, args, kwargs)).return;
const T = { timeout: 10_000 };

describe('file.find', () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-find-'));
    fs.mkdirSync(path.join(dir, 'sub', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a.txt'), 'alpha\n');
    fs.writeFileSync(path.join(dir, 'B.TXT'), 'x'.repeat(2048));
    fs.writeFileSync(path.join(dir, 'sub', 'c.log'), 'needle here\n');
    fs.writeFileSync(path.join(dir, 'sub', 'deep', 'd.txt'), '');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const j = (...p: string[]): string => path.join(dir, ...p);

  it('name, iname, type, maxdepth/mindepth; results sorted', T, async () => {
    assert.deepEqual(await call('find', [dir], { name: '*.txt' }), [j('a.txt'), j('sub', 'deep', 'd.txt')]);
    assert.deepEqual(await call('find', [dir], { iname: '*.txt', maxdepth: 1 }), [j('B.TXT'), j('a.txt')]);
    assert.deepEqual(await call('find', [dir], { type: 'd' }), [dir, j('sub'), j('sub', 'deep')]);
    assert.deepEqual(await call('find', [dir], { type: 'd', mindepth: 1, maxdepth: 1 }), [j('sub')]);
  });
  it('size, grep, regex, print options', T, async () => {
    assert.deepEqual(await call('find', [dir], { size: '+1k', type: 'f' }), [j('B.TXT')]);
    assert.deepEqual(await call('find', [dir], { grep: 'needle' }), [j('sub', 'c.log')]);
    assert.deepEqual(await call('find', [dir], { regex: '[ab]\\.' }), [j('a.txt')]);
    // Every '.', '?' and '*' of a name glob is rewritten, as Python's str.replace does.
    assert.deepEqual(await call('find', [dir], { name: 'a.t*t' }), [j('a.txt')]);
    assert.deepEqual(await call('find', [dir], { name: '*.*.*' }), []);
    assert.deepEqual(await call('find', [dir], { name: 'a.txt', print: 'name,size' }), [['a.txt', 6]]);
  });
  it('bad options come back as "error: ..." text, as Salt returns them', T, async () => {
    assert.equal(await call('find', [dir], { type: 'q' }), 'error: invalid file type "q"');
    assert.equal(await call('find', [dir], { colour: 'red' }), 'error: invalid option "colour"');
  });
  it('delete removes what matched and lists it', T, async () => {
    fs.writeFileSync(j('gone.bak'), '');
    assert.deepEqual(await call('find', [dir, 'delete'], { name: '*.bak' }), [j('gone.bak')]);
    assert.equal(fs.existsSync(j('gone.bak')), false);
  });
});

describe('file.get_diff, manage_file, check_managed_changes', () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-managed-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const j = (...p: string[]): string => path.join(dir, ...p);

  it('get_diff: Salt headers, or none with show_filenames=False', T, async () => {
    fs.writeFileSync(j('one'), 'a\nb\n');
    fs.writeFileSync(j('two'), 'a\nc\n');
    assert.equal(
      await call('get_diff', [j('one'), j('two')]),
      `--- ${j('one')}\n+++ ${j('two')}\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n`,
    );
    assert.equal(
      await call('get_diff', [j('one'), j('two')], { show_filenames: false }),
      '--- \n+++ \n@@ -1,2 +1,2 @@\n a\n-b\n+c\n',
    );
    assert.equal(await call('get_diff', [j('one'), j('one')]), '');
    await assert.rejects(
      call('get_diff', [j('one'), j('nope')]),
      /Failed to cache one or more files. Additional info follows:\n\n- File .*nope not found/,
    );
    await assert.rejects(call('get_diff', [j('one'), 'salt://x']), /has no file client/);
  });
  it('manage_file from a local source: new file, then diff, then correct state', T, async () => {
    fs.writeFileSync(j('src.conf'), 'v=1\n');
    const r1 = (await call('manage_file', [
      j('dst.conf'),
      '',
      {},
      j('src.conf'),
      {},
      null,
      null,
      '0640',
      null,
      'base',
      '',
    ])) as Record<string, unknown>;
    assert.deepEqual(r1, {
      name: j('dst.conf'),
      changes: { diff: 'New file', mode: '0640' },
      comment: `File ${j('dst.conf')} updated`,
      result: true,
    });
    assert.equal(fs.readFileSync(j('dst.conf'), 'utf8'), 'v=1\n');
    assert.equal(fs.statSync(j('dst.conf')).mode & 0o777, 0o640);
    fs.writeFileSync(j('src.conf'), 'v=2\n');
    const r2 = (await call('manage_file', [
      j('dst.conf'),
      '',
      null,
      j('src.conf'),
      {},
      null,
      null,
      '0640',
      null,
      'base',
      '',
    ])) as Record<string, unknown>;
    assert.deepEqual(r2['changes'], { diff: '--- \n+++ \n@@ -1 +1 @@\n-v=1\n+v=2\n' });
    const r3 = (await call('manage_file', [
      j('dst.conf'),
      '',
      null,
      j('src.conf'),
      {},
      null,
      null,
      '0640',
      null,
      'base',
      '',
    ])) as Record<string, unknown>;
    assert.deepEqual(r3['changes'], {});
    assert.equal(r3['comment'], `File ${j('dst.conf')} is in the correct state`);
  });
  it('manage_file with contents, makedirs, and a missing parent', T, async () => {
    const args = (name: string): unknown[] => [name, '', null, '', null, null, null, null, null, 'base', ''];
    const r = (await call('manage_file', args(j('deep', 'x', 'f')), { contents: 'hi\n', makedirs: true })) as Record<
      string,
      unknown
    >;
    assert.equal(r['result'], true);
    assert.deepEqual(r['changes'], { diff: 'New file' });
    assert.equal(fs.readFileSync(j('deep', 'x', 'f'), 'utf8'), 'hi\n');
    const miss = (await call('manage_file', args(j('none', 'f')), { contents: 'hi\n' })) as Record<string, unknown>;
    assert.deepEqual(miss, {
      name: j('none', 'f'),
      changes: {},
      comment: 'Parent directory not present',
      result: false,
    });
    const empty = (await call('manage_file', args(j('empty')))) as Record<string, unknown>;
    assert.deepEqual(empty['changes'], { new: `file ${j('empty')} created` });
    assert.equal(empty['comment'], 'Empty file');
  });
  it('check_managed_changes: newfile, diff and mode, checksum mismatch', T, async () => {
    fs.writeFileSync(j('s'), 'new\n');
    const base = (name: string, hash: unknown, mode: unknown): unknown[] => [
      name,
      j('s'),
      hash,
      null,
      null,
      null,
      mode,
      null,
      null,
      null,
      null,
      'base',
    ];
    assert.deepEqual(await call('check_managed_changes', base(j('absent'), null, null)), { newfile: j('absent') });
    fs.writeFileSync(j('t'), 'old\n');
    fs.chmodSync(j('t'), 0o644);
    assert.deepEqual(await call('check_managed_changes', base(j('t'), null, '0600')), {
      diff: '--- \n+++ \n@@ -1 +1 @@\n-old\n+new\n',
      mode: '0600',
    });
    const sha = crypto.createHash('sha256').update('new\n').digest('hex');
    assert.deepEqual(await call('check_managed_changes', base(j('t'), `sha256=${sha}`, null)), {
      diff: '--- \n+++ \n@@ -1 +1 @@\n-old\n+new\n',
    });
    const bad = (await call('check_managed_changes', base(j('t'), `sha256=${'0'.repeat(64)}`, null))) as unknown[];
    assert.equal(bad[0], false);
    assert.match(String(bad[1]), /does not match actual checksum/);
  });
  it('a cp.cache_file module is the injected source fetch for salt:// sources', T, async () => {
    fs.writeFileSync(j('cached'), 'from master\n');
    const cp = definePlugin({
      name: 'cp',
      functions: {
        cache_file: {
          doc: 'fake',
          params: ['path', 'saltenv'],
          fn: (_c, a) => (a['path'] === 'salt://f' ? j('cached') : false),
        },
      },
    });
    const withCp = new Registry({ kind: 'module', opts: minionConfig(), log }, [...executionModulePlugins(), cp]);
    fs.writeFileSync(j('local'), 'from master\n');
    assert.equal((await withCp.call('file.get_diff', ['salt://f', j('local')])).return, '');
    const r = (
      await withCp.call('file.manage_file', [j('via-cp'), '', null, 'salt://f', {}, null, null, null, null, 'base', ''])
    ).return as Record<string, unknown>;
    assert.equal(r['result'], true);
    assert.equal(fs.readFileSync(j('via-cp'), 'utf8'), 'from master\n');
  });
});
