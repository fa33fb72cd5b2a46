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
  startTsaltMaster,
  tempRoot,
  tsaltRun,
  waitFor,
  writeSaltMinionConfig,
  writeTsaltMinionConfig,
  type Proc,
} from './salt-peer.js';

/**
 * Peer publishing from an unmodified salt-minion 3006.8 through
 * tsalt-master: its publish module speaks `minion_pub`, then polls
 * `pub_ret`, and `minion_runner` for publish.runner.
 */

const skip = saltSkipReason();
const REAL = 'real-1';
const TS = 't1';
const PEER = `peer:
  real-.*:
    - test.ping
    - cmd.run
  t1:
    - test.ping
peer_run:
  real-.*:
    - jobs.list_jobs
`;

describe('peer publishing from a salt-minion 3006.8 on tsalt-master', { skip, timeout: 240_000 }, () => {
  let root: string;
  let master: Proc;
  let real: Proc;
  let ts: Proc;
  let masterDir: string;
  const tsalt = (args: string[]) =>
    tsaltRun(TSALT.tsalt, ['-c', masterDir, ...args, '--out', 'json', '-t', '30'], 90_000);
  const answer = async (args: string[]): Promise<Record<string, unknown>> => parseJsonOut((await tsalt(args)).stdout);

  before(async () => {
    root = tempRoot('tsalt-peer-real-');
    const ports = { publish: await freePort(), ret: await freePort() };
    ({ dir: masterDir, proc: master } = await startTsaltMaster(
      root,
      ports,
      `auto_accept: true\ntokless_returns: targeted\n${PEER}`,
    ));
    const realDir = path.join(root, 'salt-minion');
    writeSaltMinionConfig(realDir, REAL, ports);
    real = startProc(SALT_SH, ['salt-minion', '-c', realDir, '-l', 'info']);
    const tsDir = writeTsaltMinionConfig(root, TS, ports, 'log_level: info\n');
    ts = startProc(process.execPath, [TSALT.minion, '-c', tsDir]);
    for (const id of [REAL, TS]) {
      await waitFor(`${id} to answer test.ping`, async () => (await answer([id, 'test.ping']))[id] === true, 90_000);
    }
  });
  after(async () => {
    await real?.stop();
    await ts?.stop();
    await master?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test("the salt-minion's publish.publish reaches itself and a tsalt-minion", async () => {
    assert.deepEqual(await answer([REAL, 'publish.publish', REAL, 'test.ping']), { [REAL]: { [REAL]: true } });
    assert.deepEqual(await answer([REAL, 'publish.publish', TS, 'test.ping']), { [REAL]: { [TS]: true } });
    const both = await answer([REAL, 'publish.publish', '*', 'cmd.run', 'echo peer']);
    assert.deepEqual(both, { [REAL]: { [REAL]: 'peer', [TS]: 'peer' } });
  });

  test("a tsalt-minion's publish.publish reaches the salt-minion", async () => {
    assert.deepEqual(await answer([TS, 'publish.publish', REAL, 'test.ping']), { [TS]: { [REAL]: true } });
  });

  test('outside the ACL the salt-minion gets {} and the master logs it', async () => {
    assert.deepEqual(await answer([REAL, 'publish.publish', TS, 'test.echo', 'no']), { [REAL]: {} });
    assert.match(master.output(), /peer publish refused: minion real-1 may not publish test\.echo/);
  });

  test("the salt-minion's publish.runner runs jobs.list_jobs on the master; manage.up is refused", async () => {
    const listed = (await answer([REAL, 'publish.runner', 'jobs.list_jobs']))[REAL] as Record<
      string,
      Record<string, unknown>
    >;
    assert.ok(
      Object.values(listed).some((j) => j['User'] === REAL && j['Function'] === 'cmd.run'),
      JSON.stringify(listed),
    );
    assert.deepEqual(await answer([REAL, 'publish.runner', 'manage.up']), { [REAL]: {} });
  });
});
