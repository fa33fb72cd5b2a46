import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { genJid } from '@tsalt/job';
import type { MinionDataService } from '@tsalt/modules';
import { JobRunner } from './job-runner.js';
import { replaceContents } from '@tsalt/modules';
import type { PublishLoad } from '@tsalt/transport';

const T = { timeout: 30_000 };
let root = '';

function load(fun: string, arg: unknown[] = []): PublishLoad {
  return { fun, arg, jid: genJid(), tgt: 'm1', tgt_type: 'glob', user: 'root', ret: '' };
}

before(() => void (root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-jobdata-'))));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** Grains and pillar in job processes: given at fork, replaced by the daemon's pushes, refreshed on a job's request. */
describe('grains and pillar in job processes', () => {
  it('a job sees the grains and pillar the daemon holds, and a refresh it asked for', T, async () => {
    const grains: Record<string, unknown> = { id: 'm1', role: 'web' };
    const pillar: Record<string, unknown> = { secret: 1 };
    const ref: { runner?: JobRunner } = {};
    const data: MinionDataService = {
      refreshGrains: async () => {
        replaceContents(grains, { ...grains, role: 'refreshed' });
        ref.runner?.pushData();
        return true;
      },
      refreshPillar: async () => {
        replaceContents(pillar, { secret: 2 });
        ref.runner?.pushData();
        return true;
      },
      fetchPillar: async () => ({ fresh: true }),
    };
    const opts = minionConfig({
      id: 'm1',
      cachedir: fs.mkdtempSync(path.join(root, 'cache-')),
      config_dir: root,
      log_level: 'quiet',
      log_level_logfile: 'quiet',
      log_file: '',
    });
    const runner = new JobRunner({
      opts,
      grains,
      pillar,
      minionData: data,
      log: silentLogger(),
      fireEvent: async () => undefined,
    });
    ref.runner = runner;
    try {
      runner.warm();
      assert.equal((await runner.run(load('grains.get', ['role'])))?.return, 'web');
      assert.deepEqual((await runner.run(load('pillar.raw')))?.return, { secret: 1 });
      // A change in the daemon reaches the job processes.
      replaceContents(grains, { id: 'm1', role: 'db' });
      runner.pushData();
      assert.equal((await runner.run(load('grains.get', ['role'])))?.return, 'db');
      // A job's refresh runs in the daemon; the new data is there before the job goes on.
      assert.equal((await runner.run(load('saltutil.refresh_grains')))?.return, true);
      assert.equal((await runner.run(load('grains.get', ['role'])))?.return, 'refreshed');
      assert.equal((await runner.run(load('saltutil.refresh_pillar')))?.return, true);
      assert.deepEqual((await runner.run(load('pillar.raw')))?.return, { secret: 2 });
      assert.deepEqual((await runner.run(load('pillar.items')))?.return, { fresh: true });
      // grains.setval in a job process: the file, and the job's own grains at once.
      const set = await runner.run(load('grains.setval', ['color', 'blue']));
      assert.deepEqual(set?.return, { color: 'blue' });
      assert.equal(fs.readFileSync(path.join(root, 'grains'), 'utf8'), 'color: blue\n');
    } finally {
      await runner.stop();
    }
  });
});
