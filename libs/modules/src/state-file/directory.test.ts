import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { StateHarness } from './harness.js';

const T = { timeout: 20_000 };
const mode = (p: string): number => fs.statSync(p).mode & 0o7777;

describe('file.directory state', () => {
  let h: StateHarness;
  before(() => {
    h = new StateHarness();
  });
  after(() => h.close());

  it('creates a directory (test mode first), then reports it in the correct state', T, async () => {
    const name = h.p('d1');
    const t = await h.run('directory', { name, dir_mode: 750 }, true);
    assert.equal(t.result, null);
    assert.deepEqual(t.changes, { [name]: { directory: 'new' } });
    assert.equal(t.comment, `The following files will be changed:\n${name}: directory - new\n`);
    assert.ok(!fs.existsSync(name));
    const r = await h.run('directory', { name: `${name}/`, dir_mode: 750 });
    assert.equal(r.result, true);
    assert.equal(r.name, `${name}/`);
    assert.deepEqual(r.changes, { [name]: { directory: 'new' } });
    assert.equal(mode(name), 0o750);
    const again = await h.run('directory', { name, dir_mode: '0750' });
    assert.equal(again.result, true);
    assert.deepEqual(again.changes, {});
    assert.equal(again.comment, `The directory ${name} is in the correct state`);
  });

  it('fixes a mode, with a test-mode preview', T, async () => {
    const name = h.p('d2');
    fs.mkdirSync(name, { mode: 0o700 });
    fs.chmodSync(name, 0o700);
    const t = await h.run('directory', { name, dir_mode: '0755' }, true);
    assert.equal(t.result, null);
    assert.deepEqual(t.changes, { [name]: { mode: '0755' } });
    assert.equal(mode(name), 0o700);
    const r = await h.run('directory', { name, dir_mode: '0755' });
    assert.equal(r.result, true);
    assert.equal(r.comment, `Directory ${name} updated`);
    assert.equal(r.changes['mode'], '0755');
    assert.equal(mode(name), 0o755);
  });

  it('makedirs, a missing parent, a file in the way, force', T, async () => {
    const deep = h.p('x', 'y', 'z');
    const no = await h.run('directory', { name: deep });
    assert.equal(no.result, false);
    assert.equal(no.comment, `No directory to create ${deep} in`);
    const yes = await h.run('directory', { name: deep, makedirs: true });
    assert.equal(yes.result, true);
    assert.ok(fs.statSync(deep).isDirectory());
    const f = h.p('afile');
    fs.writeFileSync(f, 'x');
    const inWay = await h.run('directory', { name: f });
    assert.equal(inWay.comment, `Specified location ${f} exists and is a file`);
    const forced = await h.run('directory', { name: f, force: true });
    assert.equal(forced.result, true);
    assert.equal(forced.changes['forced'], 'File was forcibly replaced');
    assert.ok(fs.statSync(f).isDirectory());
    assert.equal(
      (await h.run('directory', { name: 'rel/dir' })).comment,
      'Specified file rel/dir is not an absolute path',
    );
  });

  it('recurse: [mode] sets file_mode and dir_mode below', T, async () => {
    const name = h.p('rec');
    fs.mkdirSync(`${name}/sub`, { recursive: true });
    fs.writeFileSync(`${name}/sub/f`, 'x');
    fs.chmodSync(`${name}/sub/f`, 0o600);
    const args = { name, recurse: ['mode'], dir_mode: '0755', file_mode: '0644' };
    const t = await h.run('directory', args, true);
    assert.equal(t.result, null);
    assert.deepEqual(t.changes[`${name}/sub/f`], { mode: '0644' });
    assert.equal(mode(`${name}/sub/f`), 0o600);
    const r = await h.run('directory', args);
    assert.equal(r.result, true, String(r.comment));
    assert.equal(mode(`${name}/sub/f`), 0o644);
    assert.equal((await h.run('directory', args)).comment, `The directory ${name} is in the correct state`);
    const bad = await h.run('directory', { name, recurse: ['colour'] });
    assert.equal(bad.result, false);
    assert.match(String(bad.comment), /Types for "recurse" limited to "user", "group", "mode"/);
  });

  it('clean removes what is not required; exclude_pat spares matches', T, async () => {
    const name = h.p('cl');
    fs.mkdirSync(`${name}/keepdir`, { recursive: true });
    fs.writeFileSync(`${name}/keep.txt`, '');
    fs.writeFileSync(`${name}/junk.txt`, '');
    fs.writeFileSync(`${name}/spare.log`, '');
    fs.writeFileSync(`${name}/keepdir/inner`, '');
    const args = { name, clean: true, require: [{ file: `${name}/keep.txt` }], exclude_pat: '*.log' };
    const t = await h.run('directory', args, true);
    assert.equal(t.result, null);
    assert.deepEqual(t.changes[`${name}/junk.txt`], { removed: 'Removed due to clean' });
    assert.ok(fs.existsSync(`${name}/junk.txt`));
    const r = await h.run('directory', args);
    assert.equal(r.comment, `Files cleaned from directory ${name}`);
    assert.deepEqual([...(r.changes['removed'] as string[])].sort(), [`${name}/junk.txt`, `${name}/keepdir`]);
    assert.deepEqual(fs.readdirSync(name).sort(), ['keep.txt', 'spare.log']);
    const again = await h.run('directory', args);
    assert.deepEqual(again.changes, {});
    assert.equal(
      (await h.run('directory', { name, clean: true, max_depth: 1 })).comment,
      'Cannot specify both max_depth and clean',
    );
  });
});

describe('file.recurse state', () => {
  let h: StateHarness;
  before(() => {
    h = new StateHarness({ grains: { id: 'm1' } });
    h.serve('site/index.html', '<p>{{ grains.id }}</p>\n');
    h.serve('site/css/main.css', 'body {}\n');
    fs.mkdirSync(`${h.srv}/site/empty`, { recursive: true });
  });
  after(() => h.close());

  it('copies a salt:// tree (test mode first), then is in the correct state', T, async () => {
    const name = h.p('www');
    const t = await h.run('recurse', { name, source: 'salt://site' }, true);
    assert.equal(t.result, null);
    assert.ok(!fs.existsSync(name));
    assert.deepEqual(t.changes[`${name}/index.html`], { newfile: `${name}/index.html` });
    const r = await h.run('recurse', { name, source: 'salt://site', file_mode: '0640', dir_mode: '0750' });
    assert.equal(r.result, true, String(r.comment));
    assert.equal(r.comment, `Recursively updated ${name}`);
    assert.equal(fs.readFileSync(`${name}/css/main.css`, 'utf8'), 'body {}\n');
    assert.equal(fs.readFileSync(`${name}/index.html`, 'utf8'), '<p>{{ grains.id }}</p>\n');
    assert.equal(mode(`${name}/index.html`), 0o640);
    assert.equal(mode(`${name}/css`), 0o750);
    assert.ok(!fs.existsSync(`${name}/empty`), 'empty directories only with include_empty');
    const again = await h.run('recurse', { name, source: 'salt://site', file_mode: '0640', dir_mode: '0750' });
    assert.equal(again.result, true);
    assert.deepEqual(again.changes, {});
    assert.equal(again.comment, `The directory ${name} is in the correct state`);
  });

  it('template, include_empty, clean', T, async () => {
    const name = h.p('www2');
    fs.mkdirSync(name);
    fs.writeFileSync(`${name}/stale`, 'x');
    const r = await h.run('recurse', {
      name,
      source: 'salt://site/',
      template: 'jinja',
      include_empty: true,
      clean: true,
    });
    assert.equal(r.result, true, String(r.comment));
    assert.equal(fs.readFileSync(`${name}/index.html`, 'utf8'), '<p>m1</p>\n');
    assert.ok(fs.statSync(`${name}/empty`).isDirectory());
    assert.ok(!fs.existsSync(`${name}/stale`));
    assert.deepEqual(r.changes['removed'], [`${name}/stale`]);
  });

  it('refuses a non-salt:// source, mode, and a missing directory', T, async () => {
    const name = h.p('www3');
    assert.equal(
      (await h.run('recurse', { name, source: '/srv/x' })).comment,
      "Invalid source '/srv/x' (must be a salt:// URI)",
    );
    assert.equal(
      (await h.run('recurse', { name, source: 'salt://site', mode: '0644' })).comment,
      "'mode' is not allowed in 'file.recurse'. Please use 'file_mode' and 'dir_mode'.",
    );
    const miss = await h.run('recurse', { name, source: 'salt://nothing' });
    assert.equal(miss.result, false);
    assert.match(String(miss.comment), /^Recurse failed: |does not exist on the salt fileserver/);
  });
});
