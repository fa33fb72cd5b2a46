import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { whitespaceSplitRegex } from './append.js';
import { expandUser, normalizeMode, splitLines, strList } from './common.js';
import { unifySources } from './edit.js';
import { cleanDir, includeExclude, walk } from './walk.js';

describe('file state helpers', () => {
  it("build_whitespace_split_regex, as Salt's (shlex words, any whitespace between)", () => {
    assert.equal(whitespaceSplitRegex('a  b'), '(?m)^(?:[\\s]+)?a(?:[\\s]+)?b(?:[\\s]+)?$');
    // The outputs of Salt 3006.8's own function: a double quote alone is no quote character to shlex here.
    assert.equal(whitespaceSplitRegex('x.y "q r"'), '(?m)^(?:[\\s]+)?x\\.y(?:[\\s]+)?"q(?:[\\s]+)?r"(?:[\\s]+)?$');
    assert.equal(whitespaceSplitRegex('a"b c"d e'), '(?m)^(?:[\\s]+)?a"b(?:[\\s]+)?c"d(?:[\\s]+)?e(?:[\\s]+)?$');
    assert.equal(whitespaceSplitRegex('l1\nl2'), '(?m)^(?:[\\s]+)?l1(?:[\\s]+)?(?:[\\s]+)?l2(?:[\\s]+)?$');
  });
  it('normalize_mode, splitlines, _validate_str_list, expanduser', () => {
    assert.equal(normalizeMode(644), '0644');
    assert.equal(normalizeMode('0o750'), '0750');
    assert.equal(normalizeMode(null), null);
    assert.deepEqual(splitLines('a\r\nb\rc\n'), ['a', 'b', 'c']);
    assert.deepEqual(splitLines('a\nb', true), ['a\n', 'b']);
    assert.deepEqual(strList(['a', 1, true]), ['a', '1', 'True']);
    assert.deepEqual(strList('x'), ['x']);
    assert.equal(expandUser('~/x'), path.join(os.homedir(), 'x'));
    assert.equal(expandUser('/abs'), '/abs');
  });
  it('_unify_sources_and_hashes', () => {
    assert.deepEqual(unifySources('salt://a', 'h', null, null), [true, '', [['salt://a', 'h']]]);
    assert.deepEqual(unifySources(null, null, ['s1', 's2'], ['h1']), [
      true,
      '',
      [
        ['s1', 'h1'],
        ['s2', null],
      ],
    ]);
    assert.equal(unifySources('a', null, ['b'], null)[1], 'source and sources are mutually exclusive');
  });
  it('check_include_exclude: globs and E@ regexes', () => {
    assert.equal(includeExclude('a/b.txt', '*.txt', null), true);
    assert.equal(includeExclude('a/b.log', '*.txt', null), false);
    assert.equal(includeExclude('a/b.log', null, 'E@\\.log$'), false);
    assert.equal(includeExclude('a/b.log', null, null), true);
  });
});

describe('walk and clean', () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-walk-'));
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a', 'b', 'f'), '');
    fs.writeFileSync(path.join(dir, 'top'), '');
    fs.symlinkSync(path.join(dir, 'a'), path.join(dir, 'link'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('walks top-down, links to directories listed but not entered, max_depth cuts', () => {
    const w = walk(dir);
    assert.deepEqual(w[0], { root: dir, dirs: ['a', 'link'], files: ['top'] });
    assert.deepEqual(
      w.map((e) => e.root),
      [dir, path.join(dir, 'a'), path.join(dir, 'a', 'b')],
    );
    assert.equal(walk(dir, 1).length, 2);
    assert.deepEqual(walk(dir, 1)[1], { root: path.join(dir, 'a'), dirs: [], files: [] });
  });
  it('clean in test mode lists everything unkept and removes nothing; then removes (not entering what it removed)', () => {
    const keep = [path.join(dir, 'a', 'b', 'f')];
    const preview = cleanDir(dir, keep, null, true).sort();
    assert.deepEqual(preview, [path.join(dir, 'link'), path.join(dir, 'top')]);
    assert.ok(fs.existsSync(path.join(dir, 'top')));
    const all = cleanDir(dir, [], null, true).sort();
    assert.equal(all.length, 5);
    const removed = cleanDir(dir, [], 'top', false).sort();
    assert.deepEqual(removed, [path.join(dir, 'a'), path.join(dir, 'link')]);
    assert.deepEqual(fs.readdirSync(dir), ['top']);
  });
});
