import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StateHarness } from './harness.js';

const T = { timeout: 20_000 };
const NOTE = '\nNote: No changes made, actual changes may\nbe different due to other states.';

describe('file.managed state', () => {
  let h: StateHarness;
  before(() => {
    h = new StateHarness({ grains: { id: 'web1', os: 'Debian' }, pillar: { motd: { text: 'from pillar' } } });
    h.serve('motd', 'hello\n');
    h.serve('tmpl/motd.j2', 'id={{ grains.id }} who={{ who }} role={{ role }}\n');
    h.serve('tmpl/bad.j2', '{{ nope(\n');
  });
  after(() => h.close());

  it('creates from salt://, test mode first, then no changes on a second run', T, async () => {
    const name = h.p('motd');
    const t = await h.run('managed', { name, source: 'salt://motd' }, true);
    assert.equal(t.result, null);
    assert.deepEqual(t.changes, { newfile: name });
    assert.equal(t.comment, `The file ${name} is set to be changed${NOTE}`);
    assert.ok(!fs.existsSync(name), 'test mode changed nothing');

    const r = await h.run('managed', { name, source: 'salt://motd', mode: '0640' });
    assert.equal(r.result, true);
    assert.equal(r.comment, `File ${name} updated`);
    assert.deepEqual(r.changes, { diff: 'New file', mode: '0640' });
    assert.equal(fs.readFileSync(name, 'utf8'), 'hello\n');
    assert.equal(fs.statSync(name).mode & 0o777, 0o640);

    const again = await h.run('managed', { name, source: 'salt://motd', mode: 640 });
    assert.equal(again.result, true);
    assert.deepEqual(again.changes, {});
    assert.equal(again.comment, `File ${name} is in the correct state`);
    const t2 = await h.run('managed', { name, source: 'salt://motd', mode: '0640' }, true);
    assert.equal(t2.result, true);
    assert.equal(t2.comment, `The file ${name} is in the correct state`);
  });

  it('updates with a diff, and test mode shows it (or hides it with show_changes: False)', T, async () => {
    const name = h.p('changing');
    fs.writeFileSync(name, 'old\n');
    const t = await h.run('managed', { name, source: 'salt://motd' }, true);
    assert.equal(t.result, null);
    assert.equal(t.changes['diff'], '--- \n+++ \n@@ -1 +1 @@\n-old\n+hello\n');
    const hidden = await h.run('managed', { name, source: 'salt://motd', show_changes: false }, true);
    assert.equal(hidden.changes['diff'], '<show_changes=False>');
    assert.equal(fs.readFileSync(name, 'utf8'), 'old\n');
    const r = await h.run('managed', { name, source: 'salt://motd' });
    assert.equal(r.comment, `File ${name} updated`);
    assert.equal(r.changes['diff'], '--- \n+++ \n@@ -1 +1 @@\n-old\n+hello\n');
    assert.equal(fs.readFileSync(name, 'utf8'), 'hello\n');
  });

  it('contents, contents_pillar, and contents_newline', T, async () => {
    const name = h.p('c');
    const r = await h.run('managed', { name, contents: 'line one\r\nline two' });
    assert.deepEqual(r.changes, { diff: 'New file' });
    assert.equal(fs.readFileSync(name, 'utf8'), 'line one\nline two\n');
    assert.equal(
      (await h.run('managed', { name, contents: 'line one\nline two\n' })).comment,
      `File ${name} is in the correct state`,
    );
    await h.run('managed', { name, contents_pillar: 'motd:text', contents_newline: false });
    assert.equal(fs.readFileSync(name, 'utf8'), 'from pillar');
    const miss = await h.run('managed', { name, contents_pillar: 'motd:nope' });
    assert.equal(miss.result, false);
    assert.equal(miss.comment, 'Pillar motd:nope does not exist');
    const both = await h.run('managed', { name, source: 'salt://motd', contents: 'x' });
    assert.equal(
      both.comment,
      "'source' cannot be used in combination with 'contents', 'contents_pillar', or 'contents_grains'",
    );
  });

  it('template: jinja with context over defaults, for a source and for contents', T, async () => {
    const name = h.p('tmpl');
    const args = {
      name,
      source: 'salt://tmpl/motd.j2',
      template: 'jinja',
      defaults: { who: 'default', role: 'web' },
      context: { who: 'ctx' },
    };
    const t = await h.run('managed', args, true);
    assert.deepEqual(t.changes, { newfile: name });
    const r = await h.run('managed', args);
    assert.equal(r.result, true, String(r.comment));
    assert.equal(fs.readFileSync(name, 'utf8'), 'id=web1 who=ctx role=web\n');
    assert.equal((await h.run('managed', args)).comment, `File ${name} is in the correct state`);
    assert.equal((await h.run('managed', args, true)).result, true);
    const changed = await h.run('managed', { ...args, context: { who: 'other' } }, true);
    assert.equal(changed.result, null);
    assert.equal(
      changed.changes['diff'],
      '--- \n+++ \n@@ -1 +1 @@\n-id=web1 who=ctx role=web\n+id=web1 who=other role=web\n',
    );

    const c = h.p('tmpl-contents');
    await h.run('managed', { name: c, contents: '{{ grains.os }} {{ x }}', template: 'jinja', context: { x: 1 } });
    assert.equal(fs.readFileSync(c, 'utf8'), 'Debian 1\n');
    const bad = await h.run('managed', { name: h.p('bad'), source: 'salt://tmpl/bad.j2', template: 'jinja' });
    assert.equal(bad.result, false);
    assert.ok(!fs.existsSync(h.p('bad')));
    const unknown = await h.run('managed', { name: h.p('bad'), source: 'salt://motd', template: 'mako' });
    assert.equal(unknown.result, false);
    assert.equal(unknown.comment, 'Specified template format mako is not supported');
  });

  it('a list of sources takes the first that exists; a missing source fails', T, async () => {
    const name = h.p('listed');
    const r = await h.run('managed', { name, source: ['salt://nope', 'salt://motd'] });
    assert.equal(r.result, true);
    assert.equal(fs.readFileSync(name, 'utf8'), 'hello\n');
    const none = await h.run('managed', { name, source: ['salt://nope', 'salt://nope2'] });
    assert.equal(none.result, false);
    assert.equal(none.comment, 'Unable to manage file: none of the specified sources were found');
    const miss = await h.run('managed', { name: h.p('m'), source: 'salt://nope' });
    assert.equal(miss.result, false);
    assert.equal(miss.comment, "Source file salt://nope not found in saltenv 'base'");
  });

  it('a local source path; replace: False keeps an existing file; create: False', T, async () => {
    const src = h.p('local-src');
    fs.writeFileSync(src, 'local\n');
    const name = h.p('from-local');
    assert.equal((await h.run('managed', { name, source: src })).result, true);
    assert.equal(fs.readFileSync(name, 'utf8'), 'local\n');
    fs.writeFileSync(name, 'mine\n');
    const kept = await h.run('managed', { name, source: 'salt://motd', replace: false });
    assert.equal(kept.comment, `File ${name} exists with proper permissions. No changes made.`);
    assert.equal(fs.readFileSync(name, 'utf8'), 'mine\n');
    fs.chmodSync(name, 0o600);
    const t = await h.run('managed', { name, source: 'salt://motd', replace: false, mode: '0644' }, true);
    assert.equal(t.result, null);
    assert.equal(t.comment, `File ${name} will be updated with permissions 0644 from its current state of 0600`);
    assert.deepEqual(t.changes, { mode: '0644' });
    const notThere = await h.run('managed', { name: h.p('absent-one'), source: 'salt://motd', create: false });
    assert.equal(notThere.result, true);
    assert.equal(notThere.comment, `File ${h.p('absent-one')} is not present and is not set for creation`);
    assert.ok(!fs.existsSync(h.p('absent-one')));
  });

  it('makedirs, a relative path, a directory in the way, a missing parent', T, async () => {
    const deep = h.p('a', 'b', 'c.txt');
    const noDir = await h.run('managed', { name: deep, source: 'salt://motd' });
    assert.equal(noDir.result, false);
    assert.equal(noDir.comment, 'Parent directory not present');
    const made = await h.run('managed', { name: deep, source: 'salt://motd', makedirs: true, dir_mode: '0750' });
    assert.equal(made.result, true);
    assert.equal(fs.statSync(h.p('a', 'b')).mode & 0o777, 0o750);
    const rel = await h.run('managed', { name: 'relative/file', source: 'salt://motd' });
    assert.equal(rel.comment, 'Specified file relative/file is not an absolute path');
    const dir = await h.run('managed', { name: h.p('a'), source: 'salt://motd' });
    assert.equal(dir.comment, `Specified target ${h.p('a')} is a directory`);
  });

  it('backup: minion keeps the replaced file under cachedir/file_backup', T, async () => {
    const name = h.p('backed');
    fs.writeFileSync(name, 'before\n');
    const r = await h.run('managed', { name, source: 'salt://motd', backup: 'minion' });
    assert.equal(r.result, true);
    const bkdir = path.join(h.cachedir, 'file_backup', path.dirname(name).slice(1));
    const kept = fs.readdirSync(bkdir).filter((f) => f.startsWith('backed_'));
    assert.equal(kept.length, 1);
    assert.match(kept[0]!, /^backed_\w{3}_\w{3}_\d{2}_\d{2}:\d{2}:\d{2}_\d{6}_\d{4}$/);
    assert.equal(fs.readFileSync(path.join(bkdir, kept[0]!), 'utf8'), 'before\n');
  });

  it('source_hash mismatch in test mode fails', T, async () => {
    const name = h.p('hashed');
    const r = await h.run('managed', { name, source: 'salt://motd', source_hash: 'sha256=' + '0'.repeat(64) }, true);
    assert.equal(r.result, false);
    assert.match(String(r.comment), /does not match actual checksum/);
  });

  it('check_cmd: the new file is checked before it goes in place', T, async () => {
    const name = h.p('checked');
    fs.writeFileSync(name, 'old\n');
    const bad = await h.run('managed', { name, source: 'salt://motd', check_cmd: 'grep -q nothing-like-this' });
    assert.equal(bad.result, false);
    assert.equal(bad.comment, 'check_cmd execution failed');
    assert.equal(bad['skip_watch'], true);
    assert.equal(fs.readFileSync(name, 'utf8'), 'old\n');
    const good = await h.run('managed', { name, source: 'salt://motd', check_cmd: 'grep -q hello' });
    assert.equal(good.result, true, String(good.comment));
    assert.equal(good.comment, `File ${name} updated`);
    assert.equal(fs.readFileSync(name, 'utf8'), 'hello\n');
    const same = await h.run('managed', { name, source: 'salt://motd', check_cmd: 'false' });
    assert.equal(same.comment, `File ${name} is in the correct state`, 'no change, so nothing to check');
  });

  it('path edge cases: ~ expansion, a symlink followed to its target, keep_source: False', T, async () => {
    const home = process.env['HOME'];
    process.env['HOME'] = h.dir;
    try {
      const r = await h.run('managed', { name: '~/in-home', contents: 'h' });
      assert.equal(r.name, h.p('in-home'));
      assert.equal(fs.readFileSync(h.p('in-home'), 'utf8'), 'h\n');
    } finally {
      process.env['HOME'] = home;
    }
    const target = h.p('real-target');
    fs.writeFileSync(target, 'before\n');
    const link = h.p('via-link');
    fs.symlinkSync(target, link);
    const r = await h.run('managed', { name: link, source: 'salt://motd' });
    assert.equal(r.result, true);
    assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link stays a link');
    assert.equal(fs.readFileSync(target, 'utf8'), 'hello\n');
    const cached = path.join(h.cachedir, 'files', 'base', 'motd');
    assert.ok(fs.existsSync(cached));
    await h.run('managed', { name: h.p('ks'), source: 'salt://motd', keep_source: false });
    assert.ok(!fs.existsSync(cached), 'keep_source: False drops the cached source');
  });

  it("mode: keep takes the source's mode", T, async () => {
    h.serve('script.sh', '#!/bin/sh\n');
    fs.chmodSync(path.join(h.srv, 'script.sh'), 0o750);
    const name = h.p('kept-mode.sh');
    const r = await h.run('managed', { name, source: 'salt://script.sh', mode: 'keep' });
    assert.equal(r.result, true, String(r.comment));
    assert.equal(fs.statSync(name).mode & 0o777, 0o750);
    assert.equal((await h.run('managed', { name, source: 'salt://script.sh', mode: 'keep' }, true)).result, true);
  });
});
