import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  SALT_SH,
  TSALT,
  freePort,
  parseJsonOut,
  saltSkipReason,
  startProc,
  tempRoot,
  tsaltRun,
  waitFor,
  writeSaltMinionConfig,
  type Proc,
  type RunResult,
} from './salt-peer.js';

/*
 * Two unmodified salt-minions 3006.8 with different custom grains on
 * tsalt-master: their first `_pillar` carries their real grains, which the
 * master keeps in its minion data cache (Salt's data.p), so grain targets
 * wait only for the minions that match.
 */

const skip = saltSkipReason();
const IDS = { web: 'salty-web', db: 'salty-db' } as const;

describe('targeting salt-minions 3006.8 by the grains they sent', { skip, timeout: 300_000 }, () => {
  let root: string;
  let masterDir: string;
  let master: Proc;
  const minions: Proc[] = [];
  const tsalt = (args: string[]): Promise<RunResult> => tsaltRun(TSALT.tsalt, ['-c', masterDir, ...args], 60_000);
  const run = (args: string[]): Promise<RunResult> => tsaltRun(TSALT.run, ['-c', masterDir, ...args], 60_000);

  before(async () => {
    root = tempRoot('tsalt-target-salt-');
    const ports = { publish: await freePort(), ret: await freePort() };
    masterDir = path.join(root, 'etc', 'master');
    fs.mkdirSync(masterDir, { recursive: true });
    fs.writeFileSync(
      path.join(masterDir, 'master'),
      `root_dir: ${root}\ninterface: 127.0.0.1\npublish_port: ${ports.publish}\nret_port: ${ports.ret}\n` +
        `loop_interval: 1\nlog_level: info\nauto_accept: true\ntokless_returns: targeted\ngather_job_timeout: 3\n`,
    );
    master = startProc(process.execPath, [TSALT.master, '-c', masterDir]);
    await waitFor('tsalt-master to start', () => master.output().includes('tsalt-master started'), 20_000);
    for (const [role, id] of Object.entries(IDS)) {
      const dir = path.join(root, id);
      writeSaltMinionConfig(dir, id, ports);
      fs.appendFileSync(path.join(dir, 'minion'), `grains:\n  role: ${role}\n  tier:\n    name: t-${role}\n`);
      minions.push(startProc(SALT_SH, ['salt-minion', '-c', dir, '-l', 'info']));
    }
    await waitFor(
      'both salt-minions to reach the minion data cache',
      async () => {
        const r = await run(['cache.grains', 'tgt=salty-*', '--out', 'json']);
        try {
          return Object.keys(parseJsonOut(r.stdout)).length === 2;
        } catch {
          return false;
        }
      },
      90_000,
    );
  });
  after(async () => {
    for (const m of minions) await m.stop();
    await master?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test('the master cached the real grains each salt-minion sent in _pillar', async () => {
    const r = await run(['cache.grains', 'tgt=salty-web', '--out', 'json']);
    const grains = parseJsonOut(r.stdout)[IDS.web] as Record<string, unknown>;
    assert.equal(grains['role'], 'web');
    assert.equal(grains['id'], IDS.web);
    assert.equal(grains['saltversion'], '3006.8');
    assert.equal(fs.existsSync(path.join(root, 'var/cache/tsalt/master/minions', IDS.db, 'data.p')), true);
  });

  test('-G and -C G@ wait only for the matching salt-minion', async () => {
    await waitFor(
      'salty-web to answer a grain target alone',
      async () => {
        const r = await tsalt(['-G', 'role:web', 'test.ping', '--out', 'json', '--static', '-t', '5']);
        return r.code === 0 && JSON.stringify(parseJsonOut(r.stdout)) === JSON.stringify({ [IDS.web]: true });
      },
      60_000,
    );
    const c = await tsalt(['-C', 'G@tier:name:t-db or E@nomatch', 'test.ping', '--out', 'json', '--static']);
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(parseJsonOut(c.stdout), { [IDS.db]: true });
    const d = await tsalt(['-G', 'tier|name|t-web', '--delimiter', '|', 'test.ping', '--out', 'json', '--static']);
    assert.equal(d.code, 0, d.stderr);
    assert.deepEqual(parseJsonOut(d.stdout), { [IDS.web]: true });
  });
});
