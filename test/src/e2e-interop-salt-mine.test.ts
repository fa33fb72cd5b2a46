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
  startTsaltMaster,
  writeTsaltMinionConfig,
  type Proc,
} from './salt-peer.js';
import { hostInterface } from './harness.js';

/**
 * The mine with an unmodified salt-minion 3006.8 on tsalt-master: its
 * `_mine` (mine.send), `_mine_get`, `_mine_delete` and `_mine_flush` loads
 * land in the master's minion data cache, and a tsalt-minion reads its mine.
 */

const skip = saltSkipReason();
const REAL = 'real-mine-1';
const TS = 'ts-mine-1';

const IF = hostInterface();

describe('the mine with salt-minion 3006.8 on tsalt-master', { skip, timeout: 240_000 }, () => {
  let root: string;
  let masterDir: string;
  let master: Proc;
  const procs: Proc[] = [];
  let ips: string[];
  const tsalt = async (args: string[]): Promise<Record<string, unknown>> => {
    const r = await tsaltRun(TSALT.tsalt, ['-c', masterDir, ...args, '--out', 'json', '-t', '30'], 60_000);
    try {
      return parseJsonOut(r.stdout);
    } catch {
      throw new Error(`${args.join(' ')}: ${r.stdout}${r.stderr}`);
    }
  };
  const cacheMine = async (): Promise<Record<string, Record<string, unknown>>> => {
    const r = await tsaltRun(TSALT.run, ['-c', masterDir, 'cache.mine', '--out', 'json']);
    return JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
  };
  const pings = async (id: string): Promise<boolean> => {
    try {
      return (await tsalt([id, 'test.ping']))[id] === true;
    } catch {
      return false;
    }
  };

  before(async () => {
    root = tempRoot('tsalt-interop-mine-');
    const ports = { publish: await freePort(), ret: await freePort() };
    ({ dir: masterDir, proc: master } = await startTsaltMaster(
      root,
      ports,
      'auto_accept: true\ntokless_returns: targeted',
    ));
    procs.push(master);
    const saltDir = path.join(root, 'salt-minion');
    writeSaltMinionConfig(saltDir, REAL, ports);
    procs.push(startProc(SALT_SH, ['salt-minion', '-c', saltDir, '-l', 'info']));
    const tsDir = writeTsaltMinionConfig(root, TS, ports, 'log_level: info\n');
    procs.push(startProc(process.execPath, [TSALT.minion, '-c', tsDir]));
    await waitFor(`${REAL} to answer test.ping`, () => pings(REAL), 90_000);
    await waitFor(`${TS} to answer test.ping`, () => pings(TS), 30_000);
    ips = (await tsalt([REAL, 'network.ip_addrs', `interface=${IF}`]))[REAL] as string[];
    assert.ok(Array.isArray(ips), String(ips));
  });
  after(async () => {
    for (const p of procs.reverse()) await p.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test("salt-minion's mine.send lands in tsalt-master's cache", async () => {
    assert.deepEqual(await tsalt([REAL, 'mine.send', 'network.ip_addrs', `interface=${IF}`]), { [REAL]: true });
    // Salt's minion sends the _mine load from its main process after the job returned: wait for it.
    await waitFor('the mine in the cache', async () => (await cacheMine())[REAL]?.['network.ip_addrs'], 15_000);
    assert.deepEqual((await cacheMine())[REAL], { 'network.ip_addrs': ips });
    assert.doesNotMatch(master.output(), /refused AES command outside the allow-list/);
  });

  test("salt-minion's mine.get reads tsalt-master's mine; a tsalt-minion reads the salt-minion's", async () => {
    assert.deepEqual(await tsalt([TS, 'mine.send', 'network.ip_addrs', `interface=${IF}`]), { [TS]: true });
    assert.deepEqual(await tsalt([REAL, 'mine.get', '*', 'network.ip_addrs']), {
      [REAL]: { [REAL]: ips, [TS]: ips },
    });
    assert.deepEqual(await tsalt([TS, 'mine.get', REAL, 'network.ip_addrs']), { [TS]: { [REAL]: ips } });
    assert.deepEqual(await tsalt([REAL, 'mine.get', '*', 'nosuch.fun']), { [REAL]: {} });
  });

  test("salt-minion's mine.delete and mine.flush", async () => {
    assert.deepEqual(await tsalt([REAL, 'mine.send', 'test.ping']), { [REAL]: true });
    await waitFor('test.ping in the mine', async () => (await cacheMine())[REAL]?.['test.ping'], 15_000);
    await tsalt([REAL, 'mine.delete', 'test.ping']);
    await waitFor('test.ping out of the mine', async () => !('test.ping' in ((await cacheMine())[REAL] ?? {})), 15_000);
    await tsalt([REAL, 'mine.flush']);
    await waitFor(
      'the mine flushed',
      async () => Object.keys((await cacheMine())[REAL] ?? { x: 1 }).length === 0,
      15_000,
    );
    assert.deepEqual(await tsalt([TS, 'mine.get', '*', 'network.ip_addrs']), { [TS]: { [TS]: ips } });
  });
});
