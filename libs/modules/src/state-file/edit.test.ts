import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { StateHarness } from './harness.js';

const T = { timeout: 20_000 };
const read = (p: string): string => fs.readFileSync(p, 'utf8');

describe('file state: editing functions', () => {
  let h: StateHarness;
  before(() => {
    h = new StateHarness({ grains: { id: 'edit1' } });
    h.serve('block.j2', 'served by {{ grains.id }}\n');
  });
  after(() => h.close());

  it('line: test mode leaves the file, a real run edits it, a second run changes nothing', T, async () => {
    const name = h.p('hosts');
    fs.writeFileSync(name, 'a\nb\n');
    const args = { name, content: 'c', after: 'a', mode: 'ensure' };
    const t = await h.run('line', args, true);
    assert.equal(t.result, null);
    assert.equal(t.comment, 'Changes would be made');
    assert.equal(t.changes['diff'], '--- \n+++ \n@@ -1,2 +1,3 @@\n a\n+c\n b\n');
    assert.equal(read(name), 'a\nb\n');
    const r = await h.run('line', args);
    assert.equal(r.result, true);
    assert.equal(r.comment, 'Changes were made');
    assert.equal(read(name), 'a\nc\nb\n');
    const again = await h.run('line', args);
    assert.equal(again.comment, 'No changes needed to be made');
    assert.deepEqual(again.changes, {});
    assert.equal(
      (await h.run('line', { name, content: 'x' })).comment,
      'Mode was not defined. How to process the file?',
    );
    assert.equal(
      (await h.run('line', { name, mode: 'insert' })).comment,
      "Content can only be empty if mode is ['delete']",
    );
    const missing = await h.run('line', { name: h.p('nope'), content: 'x', mode: 'ensure', after: 'a' });
    assert.equal(missing.comment, `${h.p('nope')}: file not found`);
    const created = await h.run('line', {
      name: h.p('new'),
      content: 'x',
      mode: 'insert',
      location: 'start',
      create: true,
    });
    assert.equal(created.result, true, String(created.comment));
    assert.equal(read(h.p('new')), 'x\n');
  });

  it('replace: dry run in test mode, then a real edit with a .bak', T, async () => {
    const name = h.p('conf');
    fs.writeFileSync(name, 'LogLevel warn\n');
    const args = { name, pattern: 'LogLevel warn', repl: 'LogLevel info' };
    const t = await h.run('replace', args, true);
    assert.equal(t.result, null);
    assert.equal(t.comment, 'Changes would have been made');
    assert.equal(read(name), 'LogLevel warn\n');
    const r = await h.run('replace', args);
    assert.equal(r.comment, 'Changes were made');
    assert.equal(t.changes['diff'], r.changes['diff']);
    assert.equal(read(name), 'LogLevel info\n');
    assert.equal(read(`${name}.bak`), 'LogLevel warn\n');
    assert.equal((await h.run('replace', args)).comment, 'No changes needed to be made');
    const gone = await h.run('replace', { ...args, name: h.p('gone'), ignore_if_missing: true });
    assert.equal(gone.result, true);
    assert.equal(gone.comment, 'No changes needed to be made');
    assert.equal((await h.run('replace', { ...args, name: h.p('gone') })).comment, `${h.p('gone')}: file not found`);
  });

  it('blockreplace: content, then a templated source, test mode first', T, async () => {
    const name = h.p('block');
    fs.writeFileSync(name, 'top\n#-- start managed zone --\nold\n#-- end managed zone --\nbottom\n');
    const t = await h.run('blockreplace', { name, content: 'new' }, true);
    assert.equal(t.result, null);
    assert.equal(t.comment, 'Changes would be made');
    assert.match(String(read(name)), /old/);
    const r = await h.run('blockreplace', { name, content: 'new' });
    assert.equal(r.comment, 'Changes were made');
    assert.equal(read(name), 'top\n#-- start managed zone --\nnew\n#-- end managed zone --\nbottom\n');
    assert.equal((await h.run('blockreplace', { name, content: 'new' })).comment, 'No changes needed to be made');
    const s = await h.run('blockreplace', { name, source: 'salt://block.j2' });
    assert.equal(s.result, true, String(s.comment));
    assert.equal(read(name), 'top\n#-- start managed zone --\nserved by edit1\n#-- end managed zone --\nbottom\n');
    const noMarkers = await h.run('blockreplace', { name: h.p('conf'), content: 'x' });
    assert.equal(noMarkers.result, false);
    assert.match(String(noMarkers.comment), /^Encountered error managing block: Cannot edit marked block/);
  });

  it('comment and uncomment', T, async () => {
    const name = h.p('cm');
    fs.writeFileSync(name, 'foo=1\nbar=2\n');
    const t = await h.run('comment', { name, regex: '^bar' }, true);
    assert.equal(t.result, null);
    assert.deepEqual(t.changes, { [name]: 'updated' });
    assert.equal(t.comment, `File ${name} is set to be updated`);
    const r = await h.run('comment', { name, regex: '^bar' });
    assert.equal(r.result, true);
    assert.equal(r.comment, 'Commented lines successfully');
    assert.equal(read(name), 'foo=1\n#bar=2\n');
    assert.equal(r.changes['diff'], '--- \n+++ \n@@ -1,2 +1,2 @@\n foo=1\n-bar=2\n+#bar=2\n');
    assert.equal((await h.run('comment', { name, regex: '^bar' })).comment, 'Pattern already commented');
    assert.equal((await h.run('comment', { name, regex: '^baz' })).comment, 'baz: Pattern not found');
    assert.equal((await h.run('comment', { name, regex: '^baz', ignore_missing: true })).result, true);
    const u = await h.run('uncomment', { name, regex: 'bar' });
    assert.equal(u.comment, 'Uncommented lines successfully');
    assert.equal(read(name), 'foo=1\nbar=2\n');
    assert.equal((await h.run('uncomment', { name, regex: 'bar' })).comment, 'Pattern already uncommented');
  });

  it('append: only missing lines, whitespace aside; test mode; makes the file', T, async () => {
    const name = h.p('ap');
    fs.writeFileSync(name, 'one\ntwo  words\n');
    const t = await h.run('append', { name, text: ['two words', 'three'] }, true);
    assert.equal(t.result, null);
    assert.equal(t.comment, `File ${name} is set to be updated`);
    assert.equal(t.changes['diff'], '--- \n\n+++ \n\n@@ -1,2 +1,3 @@\n\n one\n two  words\n+three');
    const r = await h.run('append', { name, text: ['two words', 'three'] });
    assert.equal(r.result, true);
    assert.equal(r.comment, 'Appended 1 lines');
    assert.equal(read(name), 'one\ntwo  words\nthree\n');
    const again = await h.run('append', { name, text: ['two words', 'three'] });
    assert.equal(again.comment, `File ${name} is in correct state`);
    assert.deepEqual(again.changes, {});
    const fresh = h.p('sub', 'ap2');
    const made = await h.run('append', { name: fresh, text: 'x', makedirs: true });
    assert.equal(made.result, true, String(made.comment));
    assert.equal(read(fresh), 'x\n');
    const tpl = await h.run('append', { name: fresh, source: 'salt://block.j2' });
    assert.equal(tpl.comment, 'Appended 1 lines');
    assert.equal(read(fresh), 'x\nserved by edit1\n');
  });

  it('prepend: lines on top, header mode compares the first lines', T, async () => {
    const name = h.p('pp');
    fs.writeFileSync(name, 'body\n');
    const t = await h.run('prepend', { name, text: '# head' }, true);
    assert.equal(t.result, null);
    assert.equal(t.changes['diff'], '--- \n+++ \n@@ -1 +1,2 @@\n+# head\n body\n');
    const r = await h.run('prepend', { name, text: '# head' });
    assert.equal(r.comment, 'Prepended 1 lines');
    assert.equal(read(name), '# head\nbody\n');
    assert.equal((await h.run('prepend', { name, text: '# head' })).comment, `File ${name} is in correct state`);
    assert.equal(
      (await h.run('prepend', { name, text: '# head', header: true })).comment,
      `File ${name} is in correct state`,
    );
  });
});
