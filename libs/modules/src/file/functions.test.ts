import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { InvalidArgumentsError, Registry } from '@tsalt/loader';
import { executionModulePlugins } from '../index.js';

const reg = new Registry({ kind: 'module', opts: minionConfig(), log: silentLogger() }, executionModulePlugins());
const call = async (fun: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<unknown> =>
  (await reg.call(`file.${fun}`, args, kwargs)).return;
const T = { timeout: 10_000 };
const isRoot = process.getuid?.() === 0;

describe('file module: basic functions', () => {
  let dir = '';
  const p = (...parts: string[]): string => path.join(dir, ...parts);
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-file-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('write, read (text and binary), append, prepend', T, async () => {
    assert.equal(await call('write', [p('a'), 'one', 'two']), `Wrote 2 lines to "${p('a')}"`);
    assert.equal(await call('read', [p('a')]), 'one\ntwo\n');
    assert.deepEqual(await call('read', [p('a')], { binary: true }), Buffer.from('one\ntwo\n'));
    assert.equal(await call('write', [p('a')], { args: 'k=v' }), `Wrote 1 lines to "${p('a')}"`);
    assert.equal(await call('prepend', [p('a'), 'top']), `Prepended 1 lines to "${p('a')}"`);
    assert.equal(fs.readFileSync(p('a'), 'utf8'), 'top\nk=v\n');
    await assert.rejects(call('read', [p('missing')]), /\[Errno 2\] No such file or directory: '.*missing'/);
  });
  it('touch creates, sets times; file_exists and directory_exists', T, async () => {
    assert.equal(await call('touch', [p('t')], { atime: 1000, mtime: 2000 }), true);
    const st = fs.statSync(p('t'));
    assert.equal(st.mtimeMs, 2_000_000);
    assert.equal(st.atimeMs, 1_000_000);
    await assert.rejects(call('touch', [p('t')], { atime: 'soon' }), /atime and mtime must be integers/);
    assert.equal(await call('file_exists', [p('t')]), true);
    assert.equal(await call('file_exists', [dir]), false);
    assert.equal(await call('directory_exists', [dir]), true);
  });
  it('mkdir with mode, makedirs up to the parent, remove', T, async () => {
    assert.equal(await call('mkdir', [p('d1', 'd2')], { mode: '0750' }), true);
    assert.equal(fs.statSync(p('d1', 'd2')).mode & 0o777, 0o750);
    assert.equal(await call('makedirs', [p('m1', 'm2', 'file')]), null);
    assert.equal(fs.statSync(p('m1', 'm2')).isDirectory(), true);
    assert.equal(await call('makedirs', [p('m1', 'm2', 'file')]), `Directory '${p('m1', 'm2')}' already exists`);
    assert.equal(await call('remove', [p('m1')]), true);
    assert.equal(await call('remove', [p('m1')]), false);
    await assert.rejects(call('remove', ['relative/x']), /File path must be absolute: relative\/x/);
  });
  it('copy keeps the mode; directories need recurse; rename', T, async () => {
    fs.writeFileSync(p('src'), 'x');
    fs.chmodSync(p('src'), 0o640);
    assert.equal(await call('copy', [p('src'), p('dst')]), true);
    assert.equal(fs.statSync(p('dst')).mode & 0o777, 0o640);
    fs.mkdirSync(p('tree', 'sub'), { recursive: true });
    fs.writeFileSync(p('tree', 'sub', 'f'), 'y');
    await assert.rejects(call('copy', [p('tree'), p('tree2')]), /Cannot copy overwriting a directory without recurse/);
    assert.equal(await call('copy', [p('tree'), p('tree2')], { recurse: true }), true);
    assert.equal(fs.readFileSync(p('tree2', 'sub', 'f'), 'utf8'), 'y');
    await assert.rejects(call('copy', [p('nope'), p('x')]), /No such file or directory '.*nope'/);
    assert.equal(await call('rename', [p('dst'), p('moved')]), true);
    await assert.rejects(call('rename', [p('dst'), p('moved')]), /Could not rename '.*dst' to '.*moved'/);
  });
  it('symlink, readlink (canonicalize), force, errors', T, async () => {
    fs.writeFileSync(p('target'), 't');
    assert.equal(await call('symlink', [p('target'), p('ln')]), true);
    assert.equal(await call('symlink', [p('target'), p('ln')]), true, 'already right');
    await assert.rejects(call('symlink', [p('other'), p('ln')]), /Found existing symlink: /);
    await assert.rejects(call('symlink', [p('target'), p('src')]), /Existing path is not a symlink: /);
    assert.equal(await call('symlink', [p('other'), p('ln')], { force: true }), true);
    assert.equal(await call('readlink', [p('ln')]), p('other'));
    fs.symlinkSync(p('target'), p('ln2'));
    assert.equal(await call('readlink', [p('ln2')], { canonicalize: true }), fs.realpathSync(p('target')));
    await assert.rejects(call('readlink', [p('target')]), /A valid link was not specified: /);
    await assert.rejects(call('symlink', ['/x', 'rel']), /Link path must be absolute: rel/);
  });
  it('stats, get_hash, get_sum, get_mode, set_mode, get_user, get_group', T, async () => {
    fs.writeFileSync(p('h'), 'hello\n');
    const sha = crypto.createHash('sha256').update('hello\n').digest('hex');
    assert.equal(await call('get_hash', [p('h')]), sha);
    assert.equal(await call('get_hash', [p('h'), 'md5']), crypto.createHash('md5').update('hello\n').digest('hex'));
    await assert.rejects(call('get_hash', [p('h'), 'xyz']), /Invalid hash type: xyz/);
    assert.equal(await call('get_sum', [p('h'), 'sha256']), sha);
    assert.equal(await call('get_sum', [p('nope')]), 'File not found');
    assert.equal(await call('set_mode', [p('h'), '600']), '0600');
    assert.equal(await call('set_mode', [p('h'), 'abc']), 'Invalid Mode abc');
    assert.equal(await call('get_mode', [p('h')]), '0600');
    const st = (await call('stats', [p('h')], { hash_type: 'sha256' })) as Record<string, unknown>;
    assert.equal(st['size'], 6);
    assert.equal(st['mode'], '0600');
    assert.equal(st['type'], 'file');
    assert.equal(st['sum'], sha);
    assert.equal(st['target'], fs.realpathSync(p('h')));
    assert.equal(typeof st['mtime'], 'number');
    fs.symlinkSync(p('h'), p('hl'));
    assert.equal(
      ((await call('stats', [p('hl')], { follow_symlinks: false })) as Record<string, unknown>)['type'],
      'link',
    );
    await assert.rejects(call('stats', [p('nope')]), /Path not found: /);
    assert.equal(await call('get_user', [p('h')]), os.userInfo().username);
    assert.equal(typeof (await call('get_group', [p('h')])), 'string');
  });
  it('chown and check_perms as root (nobody:nogroup)', { ...T, skip: isRoot ? false : 'needs root' }, async () => {
    fs.writeFileSync(p('own'), 'o');
    assert.equal(await call('chown', [p('own'), 'nobody', 'nogroup']), null);
    assert.equal(fs.statSync(p('own')).uid, 65534);
    assert.equal(await call('chown', [p('own'), 'no-such-user-x', 'root']), 'User does not exist\n');
    assert.equal(await call('chown', [p('gone'), 'root', 'root']), 'File not found');
    const [ret, perms] = (await call('check_perms', [p('own'), null, 'root', 'root', '0640'])) as [
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    assert.deepEqual(ret, {
      name: p('own'),
      changes: { user: 'root', group: 'root', mode: '0640' },
      comment: '',
      result: true,
    });
    assert.equal(perms['luser'], 'nobody');
    const [again] = (await call('check_perms', [p('own'), null, 'root', 'root', 640])) as [Record<string, unknown>];
    assert.deepEqual(again['changes'], {});
  });
  it('mkdir and manage_file set user and group as root', { ...T, skip: isRoot ? false : 'needs root' }, async () => {
    assert.equal(await call('mkdir', [p('owned', 'sub')], { user: 'nobody', group: 'nogroup', mode: 750 }), true);
    for (const d of [p('owned'), p('owned', 'sub')]) {
      const st = fs.statSync(d);
      assert.equal(st.uid, 65534);
      assert.equal(st.mode & 0o777, 0o750);
    }
    const ret = (await call(
      'manage_file',
      [p('owned', 'f'), '', null, '', null, 'nobody', 'nogroup', '0600', null, 'base', ''],
      {
        contents: 'secret\n',
      },
    )) as Record<string, unknown>;
    // Created under umask 077 as Salt does, the file is 0600 already: no mode change to report.
    assert.deepEqual(ret['changes'], { diff: 'New file', user: 'nobody', group: 'nogroup' });
    assert.equal(fs.statSync(p('owned', 'f')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(p('owned', 'f')).uid, 65534);
  });
  it('replace through a symlink edits the target and links the backup beside the link', T, async () => {
    fs.writeFileSync(p('real.conf'), 'a=1\n');
    fs.symlinkSync(p('real.conf'), p('link.conf'));
    assert.equal(await call('replace', [p('link.conf'), 'a=1', 'a=2']), '--- \n+++ \n@@ -1 +1 @@\n-a=1\n+a=2\n');
    assert.equal(fs.readFileSync(p('real.conf'), 'utf8'), 'a=2\n');
    assert.equal(fs.lstatSync(p('link.conf')).isSymbolicLink(), true);
    assert.equal(fs.readFileSync(p('real.conf.bak'), 'utf8'), 'a=1\n');
    assert.equal(fs.readlinkSync(p('link.conf.bak')), p('real.conf.bak'));
    await assert.rejects(call('replace', [p('missing'), 'a', 'b']), /File not found: /);
    assert.equal(await call('replace', [p('missing'), 'a', 'b'], { ignore_if_missing: true }), false);
    fs.writeFileSync(p('bin'), Buffer.from([0, 1, 2, 3]));
    await assert.rejects(
      call('replace', [p('bin'), 'a', 'b']),
      /Cannot perform string replacements on a binary file: /,
    );
  });
  it('basename, dirname, join as os.path does', T, async () => {
    assert.equal(await call('basename', ['/a/b/c.txt']), 'c.txt');
    assert.equal(await call('dirname', ['/a/b/c.txt']), '/a/b');
    assert.equal(await call('dirname', ['/c']), '/');
    assert.equal(await call('join', ['/', 'usr', 'local', 'bin']), '/usr/local/bin');
    assert.equal(await call('join', ['/a', '/b', 'c']), '/b/c');
  });
  it('wrong arguments answer Salt\'s "Passed invalid arguments"', T, async () => {
    await assert.rejects(reg.call('file.read', []), (e: unknown) => e instanceof InvalidArgumentsError);
    await assert.rejects(
      reg.call('file.stats', ['/x'], { bogus: 1 }),
      /ERROR executing 'file.stats': The following keyword arguments are not valid: bogus=1/,
    );
  });
});
