import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@tsalt/core';
import { Registry } from '@tsalt/loader';
import rawfileJson, { defaultEventsFile } from './rawfile_json.js';

const T = { timeout: 5_000 };
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-rawfile-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const reg = (opts: Record<string, unknown>) =>
  new Registry({ kind: 'returner', opts, log: silentLogger() }, [rawfileJson]);
const lines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const ret = {
  id: 'm1',
  jid: '20250101000000000001',
  fun: 'test.ping',
  fun_args: [],
  return: true,
  retcode: 0,
  success: true,
};

describe('rawfile_json returner', () => {
  it('appends one JSON line per return to /var/log/tsalt/events under root_dir', T, async () => {
    const r = reg({ root_dir: root });
    await r.call('rawfile_json.returner', [ret]);
    await r.call('rawfile_json.returner', [{ ...ret, id: 'm2' }]);
    const file = path.join(root, 'var/log/tsalt/events');
    assert.equal(defaultEventsFile({ root_dir: root }), file);
    assert.deepEqual(
      lines(file).map((l) => l['id']),
      ['m1', 'm2'],
    );
    assert.deepEqual(lines(file)[0], ret);
    assert.equal(fs.statSync(file).mode & 0o777, 0o640);
  });

  it('rawfile_json.filename, --return_config and --return_kwargs choose the file', T, async () => {
    const a = path.join(root, 'a.json');
    const b = path.join(root, 'b.json');
    const c = path.join(root, 'c.json');
    const r = reg({ root_dir: root, 'rawfile_json.filename': a, 'alt.rawfile_json.filename': b });
    await r.call('rawfile_json.returner', [ret]);
    await r.call('rawfile_json.returner', [{ ...ret, ret_config: 'alt' }]);
    await r.call('rawfile_json.returner', [{ ...ret, ret_config: 'alt', ret_kwargs: { filename: c } }]);
    assert.equal(lines(a).length, 1);
    assert.equal(lines(b).length, 1);
    assert.equal(lines(c).length, 1);
  });

  it('event_return writes one line per event; an empty list creates nothing', T, async () => {
    const file = path.join(root, 'events.json');
    const r = reg({ 'rawfile_json.filename': file });
    await r.call('rawfile_json.event_return', [[]]);
    assert.equal(fs.existsSync(file), false);
    await r.call('rawfile_json.event_return', [
      [
        { tag: 'a', data: { x: 1 } },
        { tag: 'b', data: {} },
      ],
    ]);
    assert.deepEqual(lines(file), [
      { tag: 'a', data: { x: 1 } },
      { tag: 'b', data: {} },
    ]);
  });

  it('an unwritable file is an error naming the file', T, async () => {
    const dir = path.join(root, 'adir');
    fs.mkdirSync(dir);
    const r = reg({ 'rawfile_json.filename': dir });
    await assert.rejects(r.call('rawfile_json.returner', [ret]), /Could not write to rawfile_json file .*adir/);
  });
});
