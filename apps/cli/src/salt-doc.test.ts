import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliExit } from './common.js';
import { docArgs, docFlag, wantsDoc } from './salt-doc.js';

test("docArgs: Salt's defaults, `*` as the target and sys.doc as the function", () => {
  assert.deepEqual(docArgs([]), { target: '*', fun: 'sys.doc', rest: [] });
  assert.deepEqual(docArgs(['web*']), { target: 'web*', fun: 'sys.doc', rest: [] });
  assert.deepEqual(docArgs(['*', 'test.ping']), { target: '*', fun: 'sys.doc', rest: ['test.ping'] });
  assert.deepEqual(docArgs(['*', 'sys.doc', 'test']), { target: '*', fun: 'sys.doc', rest: ['test'] });
  assert.throws(() => docArgs(['*', 'test.ping', 'test.echo']), CliExit);
});

test('wantsDoc and docFlag: -d, --doc and --documentation', () => {
  assert.equal(wantsDoc(['node', 'tsalt', '-d']), true);
  assert.equal(wantsDoc(['node', 'tsalt', '*', 'test.ping']), false);
  assert.deepEqual(docFlag(['node', 'tsalt-run', '--documentation', 'jobs']), ['node', 'tsalt-run', '--doc', 'jobs']);
});
