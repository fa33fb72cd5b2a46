import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { executionModulePlugins } from '../index.js';
import { FileClient } from '../fileclient/client.js';
import { LocalFileBackend } from '../fileclient/local-backend.js';

/*
 * The state.* execution functions end to end in one process: a real
 * module registry, the file client over a temp file_roots (file_client:
 * local), the compiler, the runner and the test/file state modules.
 */

const T = { timeout: 30_000 };
const log = silentLogger();

type Run = Record<
  string,
  { result: boolean | null; changes: Record<string, unknown>; comment: unknown; __id__: string }
>;

describe('state.* over a local file_roots', () => {
  let dir: string;
  let roots: string;
  let reg: Registry;
  const call = async (fun: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) =>
    reg.call(fun, args, kwargs, { jid: '20261203101010123456' });
  const byId = (ret: unknown): Run => {
    assert.ok(ret && typeof ret === 'object' && !Array.isArray(ret), JSON.stringify(ret));
    return Object.fromEntries(Object.values(ret as Run).map((v) => [v.__id__, v]));
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-state-mod-'));
    roots = path.join(dir, 'srv');
    fs.mkdirSync(path.join(roots, 'web'), { recursive: true });
    fs.writeFileSync(path.join(roots, 'top.sls'), "base:\n  '*':\n    - web\n");
    fs.writeFileSync(
      path.join(roots, 'web', 'init.sls'),
      `index:
  file.managed:
    - name: ${dir}/out/index.html
    - contents: {{ pillar.get('greeting', 'hello') }} from {{ grains['id'] }}
    - makedirs: True

noted:
  test.succeed_with_changes:
    - require:
      - file: index
`,
    );
    fs.writeFileSync(path.join(roots, 'bad.sls'), 'broken:\n  test.fail_without_changes: []\n');
    fs.writeFileSync(
      path.join(roots, 'odd.sls'),
      'x:\n  nope.fun: []\ny:\n  file.symlink:\n    - name: /tmp/tsalt-no-link\n',
    );
    const cachedir = path.join(dir, 'cache');
    const fileClient = new FileClient(new LocalFileBackend({ base: [roots] }, 'sha256'), { cachedir, log });
    const opts = { ...minionConfig(), id: 'm-state', cachedir, file_client: 'local', file_roots: { base: [roots] } };
    reg = new Registry(
      { kind: 'module', opts, grains: { id: 'm-state' }, log, services: { fileClient } },
      executionModulePlugins(),
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('state.show_top and state.show_lowstate', T, async () => {
    assert.deepEqual((await call('state.show_top')).return, { base: ['web'] });
    const low = (await call('state.show_lowstate')).return as { __id__: string; state: string; fun: string }[];
    assert.deepEqual(
      low.map((c) => `${c.state}.${c.fun} ${c.__id__}`),
      ['file.managed index', 'test.succeed_with_changes noted'],
    );
  });

  it('state.apply runs the highstate, then changes nothing; highstate outputter, retcode 0', T, async () => {
    const r = await call('state.apply');
    assert.equal(r.outputter, 'highstate');
    assert.equal(r.retcode, 0);
    const res = byId(r.return);
    assert.equal(res['index']?.result, true);
    assert.equal(fs.readFileSync(path.join(dir, 'out', 'index.html'), 'utf8').trim(), 'hello from m-state');
    const again = byId((await call('state.apply', ['web'])).return);
    assert.deepEqual(again['index']?.changes, {});
  });

  it('test=True reports the change as None and writes nothing; pillar= overrides', T, async () => {
    const r = await call('state.apply', [], { test: true, pillar: { greeting: 'hi' } });
    const res = byId(r.return);
    assert.equal(res['index']?.result, null);
    assert.equal(fs.readFileSync(path.join(dir, 'out', 'index.html'), 'utf8').trim(), 'hello from m-state');
    await call('state.sls', ['web'], { pillar: { greeting: 'hi' } });
    assert.equal(fs.readFileSync(path.join(dir, 'out', 'index.html'), 'utf8').trim(), 'hi from m-state');
  });

  it('a failed state sets retcode 2; a missing SLS is a list and retcode 1', T, async () => {
    const bad = await call('state.sls', ['bad']);
    assert.equal(bad.retcode, 2);
    assert.equal(byId(bad.return)['broken']?.result, false);
    const none = await call('state.sls', ['nosuch']);
    assert.equal(none.retcode, 1);
    assert.match(JSON.stringify(none.return), /No matching sls found for 'nosuch' in env 'base'/);
  });

  it('an unknown state function and a missing parameter fail their state with a reason', T, async () => {
    const res = byId((await call('state.sls', ['odd'])).return);
    assert.equal(res['x']?.result, false);
    assert.match(String(res['x']?.comment), /State 'nope.fun' was not found in SLS 'odd'/);
    assert.equal(res['y']?.result, false);
    assert.match(String(res['y']?.comment), /Missing parameter/);
  });

  it('state.single and state.sls_id', T, async () => {
    const s = await call('state.single', ['test.succeed_with_changes', 'one']);
    assert.equal(s.retcode, 0);
    assert.deepEqual(Object.keys(s.return as object), ['test_|-one_|-one_|-succeed_with_changes']);
    const bad = await call('state.single', ['nodot', 'x']);
    assert.equal(bad.return, 'Invalid function passed');
    assert.equal(bad.retcode, 1);
    const id = byId((await call('state.sls_id', ['noted', 'web'])).return);
    assert.deepEqual(Object.keys(id).sort(), ['index', 'noted'], 'the id and the state it requires');
    await assert.rejects(call('state.sls_id', ['nope', 'web']), /No matches for ID 'nope' found in SLS 'web'/);
  });

  it('state.running is empty when nothing else runs', T, async () => {
    assert.deepEqual((await call('state.running')).return, []);
  });
});
