import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { silentLogger, type Logger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { MinionData } from './minion-data.js';

const T = { timeout: 10_000 };

function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const base = silentLogger();
  const log = Object.assign(Object.create(base) as Logger, {
    warn: (m: unknown) => void lines.push(String(m)),
    error: (m: unknown) => void lines.push(String(m)),
    child: () => log,
  });
  return { log, lines };
}

describe('MinionData', () => {
  it("sends Salt's _pillar load with the grains, installs the answer in place", T, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-mdata-'));
    fs.writeFileSync(path.join(dir, 'grains'), 'role: web\n');
    const loads: Record<string, unknown>[] = [];
    let changes = 0;
    const d = new MinionData({
      opts: minionConfig({ id: 'm1', config_dir: dir, grains: { tier: 'front' } }),
      log: silentLogger(),
      requestPillar: async (load) => (loads.push(load), { secret: 's1' }),
      changed: () => void changes++,
    });
    const grains = d.computeGrains();
    assert.equal(grains['role'], 'web');
    assert.equal(grains['tier'], 'front');
    const pillar = d.pillar;
    assert.equal(await d.refreshPillar(), true);
    assert.equal(d.pillar, pillar, 'same object, new contents');
    assert.deepEqual(pillar, { secret: 's1' });
    assert.deepEqual(Object.keys(loads[0]!).sort(), [
      'cmd',
      'extra_minion_data',
      'grains',
      'id',
      'pillar_override',
      'pillarenv',
      'saltenv',
      'ver',
    ]);
    assert.equal(loads[0]!['cmd'], '_pillar');
    assert.equal(loads[0]!['ver'], '2');
    assert.equal((loads[0]!['grains'] as Record<string, unknown>)['role'], 'web');
    fs.writeFileSync(path.join(dir, 'grains'), 'role: db\n');
    await d.refreshGrains(true);
    assert.equal(d.grains, grains);
    assert.equal(grains['role'], 'db');
    assert.equal((loads[1]!['grains'] as Record<string, unknown>)['role'], 'db', 'the master learns the new grains');
    await d.refreshGrains(false);
    assert.equal(loads.length, 2);
    assert.equal(changes, 4);
    fs.rmSync(dir, { recursive: true });
  });

  it('keeps its last pillar and logs one line when the master fails or answers garbage', T, async () => {
    const { log, lines } = capture();
    let answer: () => Promise<unknown> = async () => ({ a: 1 });
    const d = new MinionData({ opts: minionConfig({ id: 'm1' }), log, requestPillar: () => answer() });
    d.computeGrains();
    assert.equal(await d.refreshPillar(), true);
    answer = async () => {
      throw new Error('request timed out after 60000 ms');
    };
    assert.equal(await d.refreshPillar(), false);
    assert.deepEqual(d.pillar, { a: 1 });
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /keeping the last one: request timed out/);
    answer = async () => 'nope';
    assert.equal(await d.refreshPillar(), false);
    assert.deepEqual(d.pillar, { a: 1 });
    assert.match(lines[1] ?? '', /bad pillar/);
  });

  it('grains_refresh_every: refreshes the pillar only when the grains changed', T, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-mdata-'));
    let asked = 0;
    const d = new MinionData({
      opts: minionConfig({ id: 'm1', config_dir: dir }),
      log: silentLogger(),
      requestPillar: async () => (asked++, {}),
    });
    d.computeGrains();
    assert.equal(await d.refreshIfChanged(), false);
    fs.writeFileSync(path.join(dir, 'grains'), 'role: web\n');
    assert.equal(await d.refreshIfChanged(), true);
    assert.equal(asked, 1);
    fs.rmSync(dir, { recursive: true });
  });
});
