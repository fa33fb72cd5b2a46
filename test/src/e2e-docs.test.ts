import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startedCluster, type Cluster } from './harness.js';

/** `tsalt -d` (sys.doc gathered from the minions, printed as Salt's CLI prints it) and `tsalt-run -d` (runner docs, here). */
describe('tsalt -d and tsalt-run -d', { timeout: 120_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await startedCluster(['d1']);
  });
  after(async () => {
    await c?.cleanup();
  });

  test("tsalt -d '*' test.ping prints `test.ping:`, its doc and a blank line", async () => {
    const r = await c.tsalt(['-d', '*', 'test.ping']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^test\.ping:\ntest\.ping\(\)\n\n[^\n]+/);
    assert.ok(r.stdout.endsWith('\n\n'));
    assert.doesNotMatch(r.stdout, /d1/);
  });

  test('tsalt -d alone asks every minion for every function, sorted', async () => {
    const r = await c.tsalt(['--doc']);
    assert.equal(r.code, 0, r.stderr);
    const funs = [...r.stdout.matchAll(/^([a-z_]+\.[a-z_]+):$/gm)].map((m) => m[1] ?? '');
    assert.ok(funs.includes('test.ping') && funs.includes('cmd.run') && funs.includes('sys.doc'), r.stdout);
    assert.deepEqual(funs, [...funs].sort());
  });

  test('tsalt -d with --out json prints each function as its own {fun: doc}', async () => {
    const r = await c.tsalt(['-d', 'd1', 'test.ping', '--out', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout)['test.ping'], /^test\.ping\(\)/);
  });

  test('tsalt -d for a target no minion matches: exit 2', async () => {
    const r = await c.tsalt(['-d', 'nobody', 'test.ping']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /No minions found to gather docs from/);
  });

  test('tsalt -d takes one function at most', async () => {
    const r = await c.tsalt(['-d', '*', 'test.ping', 'test.echo']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /You can only get documentation for one method at one time\./);
  });

  test('tsalt-run -d jobs prints each jobs.* runner with its doc; nothing runs', async () => {
    const r = await c.runner(['-d', 'jobs']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^jobs\.active:\njobs\.active\(/);
    assert.match(r.stdout, /\njobs\.list_jobs:\njobs\.list_jobs\(/);
    assert.doesNotMatch(r.stdout, /^manage\./m);
    const one = await c.runner(['--documentation', 'manage.up']);
    assert.match(one.stdout, /^manage\.up:\nmanage\.up\(/);
    assert.doesNotMatch(one.stdout, /manage\.down/);
  });
});
