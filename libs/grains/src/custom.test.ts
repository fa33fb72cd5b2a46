import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { coreGrains } from './core-grains.js';
import { grainsFilePath, loadGrains, readGrainsFile, writeGrainsFile } from './custom.js';
import { GrainsFileError } from './errors.js';
import { fakeHost } from './fake-host.js';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-grains-'));
}

describe('custom grains', () => {
  it('core grains never throw: a failing collector gives no grain', () => {
    const host = {
      ...fakeHost({}),
      read: () => {
        throw new Error('boom');
      },
    };
    const g = coreGrains({ id: 'm1', host, zmqversion: '4.3.5' });
    assert.equal(g['id'], 'm1');
    assert.equal(g['saltversion'], '3006.8');
    assert.deepEqual(g['saltversioninfo'], [3006, 8]);
    assert.equal(g['zmqversion'], '4.3.5');
    assert.equal(g['mem_total'], undefined);
    assert.equal(g['kernel'], 'Linux');
  });

  it('file grains override core ones, config grains override both', () => {
    const dir = tmpDir();
    fs.writeFileSync(grainsFilePath(dir), 'role: web\nos: FromFile\nnum_cpus: 99\n');
    const g = loadGrains({
      id: 'm1',
      host: fakeHost({}),
      configDir: dir,
      configured: { os: 'FromConfig' },
      log: silentLogger(),
    });
    assert.equal(g['role'], 'web');
    assert.equal(g['num_cpus'], 99);
    assert.equal(g['os'], 'FromConfig');
    fs.rmSync(dir, { recursive: true });
  });

  it('a grains file that is not YAML logs one line and is skipped', () => {
    const dir = tmpDir();
    fs.writeFileSync(grainsFilePath(dir), 'role: [web\n  : :\n');
    assert.throws(() => readGrainsFile(grainsFilePath(dir)), GrainsFileError);
    const lines: string[] = [];
    const log = { ...silentLogger(), warn: (m: unknown) => void lines.push(String(m)) } as ReturnType<
      typeof silentLogger
    >;
    const g = loadGrains({ id: 'm1', host: fakeHost({}), configDir: dir, log });
    assert.equal(g['id'], 'm1');
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /grains file/);
    fs.writeFileSync(grainsFilePath(dir), '- a\n- b\n');
    assert.throws(() => readGrainsFile(grainsFilePath(dir)), /must be a mapping/);
    fs.rmSync(dir, { recursive: true });
  });

  it('writes the file as block YAML and reads it back', () => {
    const dir = tmpDir();
    const file = grainsFilePath(dir);
    assert.deepEqual(readGrainsFile(file), {});
    writeGrainsFile(file, { role: 'web', roles: ['a', 'b'], nested: { k: 1 } });
    assert.match(fs.readFileSync(file, 'utf8'), /^role: web\nroles:\n {2}- a/);
    assert.deepEqual(readGrainsFile(file), { role: 'web', roles: ['a', 'b'], nested: { k: 1 } });
    fs.rmSync(dir, { recursive: true });
  });
});
