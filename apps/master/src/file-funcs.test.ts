import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { masterConfig } from '@tsalt/config';
import { FileServer } from '@tsalt/fileserver';
import { parseFileRequest } from '@tsalt/transport';
import { serveFileRequest } from './file-funcs.js';

/* The file client requests answered in Salt's shapes, bad fields answered empty. */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-file-funcs-'));
fs.mkdirSync(path.join(dir, 'base', 'sub'), { recursive: true });
fs.writeFileSync(path.join(dir, 'base', 'sub', 'a.txt'), 'A\n');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const opts = masterConfig({ file_roots: { base: [path.join(dir, 'base')], prod: [] } });
const fsrv = new FileServer({ file_roots: opts.file_roots, hash_type: opts.hash_type });
const ask = (load: Record<string, unknown>): Promise<unknown> =>
  serveFileRequest(parseFileRequest(load, String(load['cmd'])), fsrv, opts);

test('lists, hash, find and serve in Salt shapes', async () => {
  assert.deepEqual(await ask({ cmd: '_file_list', saltenv: 'base', prefix: '' }), ['sub/a.txt']);
  assert.deepEqual(await ask({ cmd: '_dir_list', saltenv: 'base', prefix: '' }), ['sub']);
  assert.deepEqual(await ask({ cmd: '_file_list_emptydirs', saltenv: 'base' }), []);
  assert.deepEqual(await ask({ cmd: '_file_list' }), []);
  const hash = (await ask({ cmd: '_file_hash', saltenv: 'base', path: 'sub/a.txt' })) as Record<string, unknown>;
  assert.equal(hash['hash_type'], 'sha256');
  assert.equal(await ask({ cmd: '_file_hash', saltenv: 'base', path: '../x' }), '');
  const [h, st] = (await ask({ cmd: '_file_hash_and_stat', saltenv: 'base', path: 'sub/a.txt' })) as unknown[];
  assert.deepEqual(h, hash);
  assert.equal((st as number[]).length, 10);
  const fnd = (await ask({ cmd: '_file_find', path: 'sub/a.txt' })) as Record<string, unknown>;
  assert.equal(fnd['rel'], 'sub/a.txt');
  assert.equal(fnd['back'], 'roots');
  assert.deepEqual(await ask({ cmd: '_file_find', path: '/etc/passwd' }), { path: '', rel: '' });
  assert.deepEqual(await ask({ cmd: '_serve_file', saltenv: 'base', path: 'sub/a.txt', loc: 0 }), {
    data: 'A\n',
    dest: 'sub/a.txt',
  });
  assert.deepEqual(await ask({ cmd: '_serve_file', saltenv: 'base', path: 'sub/a.txt' }), { data: '', dest: '' });
  assert.deepEqual(await ask({ cmd: '_file_envs' }), ['base', 'prod']);
  assert.deepEqual(await ask({ cmd: '_ext_nodes' }), {});
  assert.deepEqual(await ask({ cmd: '_master_tops', id: 'm1', tok: 'x' }), {});
});

test('_master_opts: Salt subset, saltenvs without the master paths', async () => {
  const mo = (await ask({ cmd: '_master_opts' })) as Record<string, unknown>;
  assert.deepEqual(mo['file_roots'], { base: [], prod: [] });
  assert.equal(mo['state_top'], 'top.sls');
  assert.equal(mo['top_file_merging_strategy'], 'merge');
  const envOnly = (await ask({ cmd: '_master_opts', env_only: true })) as Record<string, unknown>;
  assert.deepEqual(Object.keys(envOnly).sort(), [
    'default_top',
    'env_order',
    'file_roots',
    'top_file_merging_strategy',
  ]);
});
