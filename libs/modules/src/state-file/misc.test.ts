import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { StateHarness } from './harness.js';

const T = { timeout: 20_000 };
const me = os.userInfo().username;

describe('file state: absent, symlink, touch, copy', () => {
  let h: StateHarness;
  before(() => {
    h = new StateHarness();
  });
  after(() => h.close());

  it('absent: a file and a directory, test mode, already absent, refusals', T, async () => {
    const f = h.p('gone.txt');
    fs.writeFileSync(f, 'x');
    const t = await h.run('absent', { name: f }, true);
    assert.deepEqual(t, { name: f, changes: { removed: f }, result: null, comment: `File ${f} is set for removal` });
    assert.ok(fs.existsSync(f));
    const r = await h.run('absent', { name: f });
    assert.deepEqual(r, { name: f, changes: { removed: f }, result: true, comment: `Removed file ${f}` });
    assert.ok(!fs.existsSync(f));
    assert.deepEqual(await h.run('absent', { name: f }), {
      name: f,
      changes: {},
      result: true,
      comment: `File ${f} is not present`,
    });
    const d = h.p('gonedir');
    fs.mkdirSync(`${d}/sub`, { recursive: true });
    assert.equal((await h.run('absent', { name: d }, true)).comment, `Directory ${d} is set for removal`);
    assert.equal((await h.run('absent', { name: d })).comment, `Removed directory ${d}`);
    assert.ok(!fs.existsSync(d));
    assert.equal((await h.run('absent', { name: '/' })).comment, 'Refusing to make "/" absent');
    assert.equal((await h.run('absent', { name: 'rel' })).comment, 'Specified file rel is not an absolute path');
  });

  it('symlink: created (test mode first), present, retargeted, a file in the way', T, async () => {
    const target = h.p('target');
    fs.writeFileSync(target, 'x');
    const name = h.p('link');
    const t = await h.run('symlink', { name, target }, true);
    assert.equal(t.result, null);
    assert.deepEqual(t.changes, { new: name });
    assert.equal(t.comment, `Symlink ${name} to ${target} is set for creation`);
    assert.ok(!fs.existsSync(name));
    const r = await h.run('symlink', { name, target });
    assert.equal(r.result, true, String(r.comment));
    assert.equal(r.comment, `Created new symlink ${name} -> ${target}`);
    assert.equal(fs.readlinkSync(name), target);
    const again = await h.run('symlink', { name, target });
    assert.equal(again.result, true);
    assert.deepEqual(again.changes, {});
    assert.match(String(again.comment), new RegExp(`^Symlink ${name} is present and owned by ${me}:`));
    assert.equal((await h.run('symlink', { name, target }, true)).comment, `The symlink ${name} is present`);
    const other = h.p('other');
    const moved = await h.run('symlink', { name, target: other }, true);
    assert.equal(moved.comment, `Link ${name} target is set to be changed to ${other}`);
    assert.equal((await h.run('symlink', { name, target: other })).result, true);
    assert.equal(fs.readlinkSync(name), other);

    const file = h.p('plain');
    fs.writeFileSync(file, 'x');
    const blocked = await h.run('symlink', { name: file, target });
    assert.equal(blocked.result, false);
    assert.equal(blocked.comment, `File exists where the symlink ${file} should be`);
    const forced = await h.run('symlink', { name: file, target, force: true });
    assert.equal(forced.result, true);
    assert.equal(fs.readlinkSync(file), target);
    const deep = h.p('l1', 'l2', 'link');
    assert.equal(
      (await h.run('symlink', { name: deep, target })).comment,
      `Directory ${h.p('l1', 'l2')} for symlink is not present`,
    );
    assert.equal((await h.run('symlink', { name: deep, target, makedirs: true })).result, true);
    assert.equal(fs.readlinkSync(deep), target);
  });

  it('touch: creates, updates times, test mode', T, async () => {
    const name = h.p('touched');
    const t = await h.run('touch', { name }, true);
    assert.deepEqual(t, { name, changes: { new: name }, result: null, comment: `File ${name} is set to be created` });
    const r = await h.run('touch', { name });
    assert.deepEqual(r, { name, changes: { new: name }, result: true, comment: `Created empty file ${name}` });
    const times = await h.run('touch', { name, atime: 1000, mtime: 2000 });
    assert.equal(times.comment, `Updated times on file ${name}`);
    assert.equal(fs.statSync(name).mtimeMs, 2_000_000);
    assert.equal((await h.run('touch', { name, atime: 1000, mtime: 2000 }, true)).result, true);
    assert.equal(
      (await h.run('touch', { name, mtime: 3000 }, true)).comment,
      `Times set to be updated on file ${name}`,
    );
    const deep = h.p('t1', 't2');
    assert.equal((await h.run('touch', { name: deep })).comment, `Directory not present to touch file ${deep}`);
    assert.equal((await h.run('touch', { name: deep, makedirs: true })).result, true);
  });

  it('copy: copies once, keeps an existing target without force, preserve, makedirs', T, async () => {
    const src = h.p('csrc');
    fs.writeFileSync(src, 'data\n');
    fs.chmodSync(src, 0o640);
    const name = h.p('cdst');
    const t = await h.run('copy', { name, source: src }, true);
    assert.equal(t.result, null);
    assert.equal(t.comment, `File "${src}" is set to be copied to "${name}"`);
    const r = await h.run('copy', { name, source: src });
    assert.equal(r.result, true, String(r.comment));
    assert.deepEqual(r.changes, { [name]: src });
    assert.equal(r.comment, `Copied "${src}" to "${name}"`);
    assert.equal(fs.readFileSync(name, 'utf8'), 'data\n');
    assert.equal(fs.statSync(name).mode & 0o777, 0o640);
    const kept = await h.run('copy', { name, source: src });
    assert.equal(kept.comment, `The target file "${name}" exists and will not be overwritten`);
    assert.deepEqual(kept.changes, {});
    fs.writeFileSync(src, 'newer\n');
    assert.equal((await h.run('copy', { name, source: src, force: true })).result, true);
    assert.equal(fs.readFileSync(name, 'utf8'), 'newer\n');
    const p = await h.run('copy', { name: h.p('pres'), source: src, preserve: true });
    assert.equal(p.result, true);
    const deep = h.p('c1', 'c2', 'f');
    assert.equal(
      (await h.run('copy', { name: deep, source: src })).comment,
      `The target directory ${h.p('c1', 'c2')} is not present`,
    );
    assert.equal((await h.run('copy', { name: deep, source: src, makedirs: true })).result, true);
    assert.equal(
      (await h.run('copy', { name, source: h.p('none') })).comment,
      `Source file "${h.p('none')}" is not present`,
    );
  });

  it('exists, missing, rename', T, async () => {
    const f = h.p('present');
    fs.writeFileSync(f, 'x');
    assert.deepEqual(await h.run('exists', { name: f }), {
      name: f,
      changes: {},
      result: true,
      comment: `Path ${f} exists`,
    });
    assert.equal(
      (await h.run('exists', { name: h.p('nope') })).comment,
      `Specified path ${h.p('nope')} does not exist`,
    );
    assert.equal((await h.run('missing', { name: h.p('nope') })).comment, `Path ${h.p('nope')} is missing`);
    assert.equal((await h.run('missing', { name: f })).result, false);
    const to = h.p('renamed');
    const t = await h.run('rename', { name: to, source: f }, true);
    assert.equal(t.result, null);
    assert.equal(t.comment, `File "${f}" is set to be moved to "${to}"`);
    assert.ok(fs.existsSync(f));
    const r = await h.run('rename', { name: to, source: f });
    assert.deepEqual(r, { name: to, changes: { [to]: f }, result: true, comment: `Moved "${f}" to "${to}"` });
    assert.equal(fs.readFileSync(to, 'utf8'), 'x');
    const again = await h.run('rename', { name: to, source: f });
    assert.equal(again.comment, `Source file "${f}" has already been moved out of place`);
    fs.writeFileSync(f, 'y');
    assert.equal(
      (await h.run('rename', { name: to, source: f })).comment,
      `The target file "${to}" exists and will not be overwritten`,
    );
    assert.equal((await h.run('rename', { name: to, source: f, force: true })).result, true);
    assert.equal(fs.readFileSync(to, 'utf8'), 'y');
  });

  it('hardlink: created (test mode first), already there, a file in the way', T, async () => {
    const target = h.p('hl-target');
    fs.writeFileSync(target, 'x');
    const name = h.p('hl');
    const t = await h.run('hardlink', { name, target }, true);
    assert.equal(t.result, null);
    assert.equal(t.comment, `Hard link ${name} to ${target} is set for creation`);
    assert.ok(!fs.existsSync(name));
    const r = await h.run('hardlink', { name, target });
    assert.deepEqual(r, {
      name,
      changes: { new: name },
      result: true,
      comment: `Created new hard link ${name} -> ${target}`,
    });
    assert.equal(fs.statSync(name).ino, fs.statSync(target).ino);
    assert.equal(
      (await h.run('hardlink', { name, target })).comment,
      `Target of hard link ${name} is already pointing to ${target}`,
    );
    assert.equal(
      (await h.run('hardlink', { name, target }, true)).comment,
      `The hard link ${name} is presently targetting ${target}`,
    );
    const plain = h.p('hl-plain');
    fs.writeFileSync(plain, 'p');
    assert.equal(
      (await h.run('hardlink', { name: plain, target })).comment,
      `File exists where the hard link ${plain} should be`,
    );
    const forced = await h.run('hardlink', { name: plain, target, force: true });
    assert.equal(forced.result, true);
    assert.equal(forced.changes['forced'], 'File for hard link was forcibly replaced');
    assert.equal(
      (await h.run('hardlink', { name: h.p('hl2'), target: h.dir })).comment,
      `Unable to hard link from directory ${h.dir}`,
    );
  });
});
