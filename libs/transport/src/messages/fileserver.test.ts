import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFileHash, parseFileList, parseFoundFile, parseMasterOpts, parseServedChunk } from './fileserver.js';

describe('file-server replies', () => {
  test('lists keep strings only', () => {
    assert.deepEqual(parseFileList(['a', 1, 'b/c']), ['a', 'b/c']);
    assert.deepEqual(parseFileList(''), []);
  });
  test("_file_hash: Salt's '' and {} mean no such file", () => {
    assert.deepEqual(parseFileHash({ hsum: 'ab', hash_type: 'sha256' }), { hsum: 'ab', hash_type: 'sha256' });
    assert.equal(parseFileHash(''), undefined);
    assert.equal(parseFileHash({}), undefined);
  });
  test('_serve_file: bytes or text, gzip level kept, a missing file is empty', () => {
    const c = parseServedChunk({ data: new Uint8Array([104, 105]), dest: 'x.txt' });
    assert.equal(Buffer.from(c.data).toString(), 'hi');
    assert.equal(c.dest, 'x.txt');
    assert.equal(parseServedChunk({ data: 'hi', dest: 'x', gzip: 5 }).gzip, 5);
    assert.deepEqual(parseServedChunk({ data: '', dest: '' }), { data: Buffer.alloc(0), dest: '' });
    assert.equal(parseServedChunk(null).data.length, 0);
  });
  test('_file_find and _master_opts', () => {
    assert.deepEqual(parseFoundFile({ path: '/srv/a', rel: 'a', stat: [33188, 1] }), {
      path: '/srv/a',
      rel: 'a',
      stat: [33188, 1],
    });
    assert.equal(parseFoundFile({ path: '', rel: '' }), undefined);
    assert.deepEqual(parseMasterOpts({ file_roots: {} }), { file_roots: {} });
    assert.deepEqual(parseMasterOpts('x'), {});
  });
});
