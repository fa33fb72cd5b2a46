import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { FileClient } from '../fileclient/client.js';
import { LocalFileBackend } from '../fileclient/local-backend.js';
import { executionModulePlugins } from '../index.js';

const T = { timeout: 10_000 };

describe('file module: templates and sources (get_managed, apply_template_on_contents, source_list)', () => {
  let dir = '';
  let reg: Registry;
  const call = async (fun: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<unknown> =>
    (await reg.call(`file.${fun}`, args, kwargs)).return;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-file-tmpl-'));
    const srv = path.join(dir, 'srv');
    fs.mkdirSync(path.join(srv, 'conf'), { recursive: true });
    fs.writeFileSync(path.join(srv, 'conf', 'app.j2'), 'host={{ grains.id }} port={{ port }} name={{ name }}\n');
    fs.writeFileSync(path.join(srv, 'plain'), 'plain\n');
    const log = silentLogger();
    const cachedir = path.join(dir, 'cache');
    const client = new FileClient(new LocalFileBackend({ base: [srv] }, 'sha256'), { cachedir, log });
    reg = new Registry(
      {
        kind: 'module',
        opts: { ...minionConfig(), cachedir },
        log,
        grains: { id: 'tm1' },
        pillar: { p: 1 },
        services: { fileClient: client },
      },
      executionModulePlugins(),
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('apply_template_on_contents: context over defaults, grains and pillar, the final newline kept', T, async () => {
    const out = await call('apply_template_on_contents', [
      '{{ a }} {{ b }} {{ grains.id }} {{ pillar.p }}\n',
      'jinja',
      { a: 'ctx' },
      { a: 'def', b: 'def' },
      'base',
    ]);
    assert.equal(out, 'ctx def tm1 1\n');
    const called = await call('apply_template_on_contents', [
      "{{ salt['test.echo']('hi') }} {{ salt.test.echo('yo') }}",
      'jinja',
      null,
      null,
      'base',
    ]);
    assert.equal(called, 'hi yo');
    assert.deepEqual(await call('apply_template_on_contents', ['x', 'cheetah', null, null, 'base']), {
      result: false,
      comment: 'Specified template format cheetah is not supported',
    });
  });

  it('get_managed: a rendered temp file and its sha256; errors as the comment', T, async () => {
    const name = path.join(dir, 'app.conf');
    const [sfn, sum, comment] = (await call('get_managed', [
      name,
      'jinja',
      'salt://conf/app.j2',
      '',
      null,
      null,
      null,
      null,
      null,
      'base',
      { port: 80 },
      null,
    ])) as [string, Record<string, string>, string];
    assert.equal(comment, '');
    assert.equal(fs.readFileSync(sfn, 'utf8'), `host=tm1 port=80 name=${name}\n`);
    assert.equal(sum['hash_type'], 'sha256');
    assert.equal(sum['hsum']!.length, 64);
    fs.rmSync(path.dirname(sfn), { recursive: true });
    const plain = (await call('get_managed', [
      name,
      null,
      'salt://plain',
      '',
      null,
      null,
      null,
      null,
      null,
      'base',
      null,
      null,
    ])) as unknown[];
    assert.equal(plain[0], '', 'without a template manage_file fetches the source itself');
    assert.equal((plain[1] as Record<string, string>)['hash_type'], 'sha256');
    const missing = (await call('get_managed', [
      name,
      null,
      'salt://nope',
      '',
      null,
      null,
      null,
      null,
      null,
      'base',
      null,
      null,
    ])) as unknown[];
    assert.deepEqual(missing, ['', {}, "Source file salt://nope not found in saltenv 'base'"]);
    const local = (await call('get_managed', [
      name,
      null,
      '/no/such/file',
      '',
      null,
      null,
      null,
      null,
      null,
      'base',
      null,
      null,
    ])) as unknown[];
    assert.deepEqual(local, ['', {}, 'Local file source /no/such/file does not exist']);
  });

  it('source_list: the first source that exists, with its own hash from a dict', T, async () => {
    assert.deepEqual(await call('source_list', [['salt://nope', 'salt://plain'], 'sha256=ab', 'base']), [
      'salt://plain',
      'sha256=ab',
    ]);
    assert.deepEqual(
      await call('source_list', [[{ 'salt://nope': 'x' }, { 'salt://conf/app.j2': 'md5=cd' }], '', 'base']),
      ['salt://conf/app.j2', 'md5=cd'],
    );
    assert.deepEqual(await call('source_list', ['salt://whatever', '', 'base']), ['salt://whatever', '']);
    await assert.rejects(
      call('source_list', [['salt://a', '/no/file'], '', 'base']),
      /none of the specified sources were found/,
    );
  });

  it('check_managed_changes renders a template before comparing', T, async () => {
    const name = path.join(dir, 'cmc.conf');
    fs.writeFileSync(name, `host=tm1 port=80 name=${name}\n`);
    const args = [name, 'salt://conf/app.j2', '', null, null, null, null, null, 'jinja', { port: 80 }, null, 'base'];
    assert.deepEqual(await call('check_managed_changes', args), {});
    const changed = (await call('check_managed_changes', [...args.slice(0, 9), { port: 81 }, null, 'base'])) as Record<
      string,
      unknown
    >;
    assert.match(String(changed['diff']), /-host=tm1 port=80/);
    assert.match(String(changed['diff']), /\+host=tm1 port=81/);
  });

  it('user_to_uid, group_to_gid, uid_to_user, gid_to_group, is_link, makedirs_perms', T, async () => {
    assert.equal(await call('user_to_uid', ['root']), 0);
    assert.equal(await call('user_to_uid', ['no-such-user-zz']), '');
    assert.equal(await call('group_to_gid', ['no-such-group-zz']), '');
    assert.equal(await call('uid_to_user', [0]), 'root');
    assert.equal(await call('gid_to_group', [0]), 'root');
    const link = path.join(dir, 'ln');
    fs.symlinkSync('/nowhere', link);
    assert.equal(await call('is_link', [link]), true);
    assert.equal(await call('is_link', [dir]), false);
    const deep = path.join(dir, 'mp', 'a', 'b');
    assert.equal(await call('makedirs_perms', [deep], { mode: '0750' }), true);
    assert.equal(fs.statSync(deep).mode & 0o777, 0o750);
  });
});
