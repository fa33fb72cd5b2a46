import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { genJid } from '@tsalt/job';
import { SwarmExecutor } from './swarm-executor.js';
import type { PublishLoad } from '@tsalt/transport';

const opts = minionConfig({ id: 'swarm', cachedir: '/nonexistent-swarm-cache' });
const noEvents = async (): Promise<void> => undefined;
const load = (fun: string, arg: unknown[] = []): PublishLoad => ({
  fun,
  arg,
  jid: genJid(),
  tgt: '*',
  tgt_type: 'glob',
  user: 'root',
});

test("a swarm minion's find_job finds its own job while the return is on its way, and only then", async () => {
  const ex = new SwarmExecutor(opts, {}, silentLogger());
  const ping = load('test.ping');
  const jid = String(ping['jid']);
  assert.equal((await ex.run('swarm-1', ping, noEvents)).return, true);
  let acknowledge!: (ok: boolean) => void;
  const sending = ex.whileReturning('swarm-1', ping, () => new Promise<boolean>((res) => (acknowledge = res)));
  const mine = (await ex.run('swarm-1', load('saltutil.find_job', [jid]), noEvents)).return as Record<string, unknown>;
  assert.equal(mine['jid'], jid);
  assert.equal(mine['fun'], 'test.ping');
  assert.equal(mine['pid'], process.pid);
  // Another minion of the same process never sees it.
  assert.deepEqual((await ex.run('swarm-2', load('saltutil.find_job', [jid]), noEvents)).return, {});
  acknowledge(true);
  assert.equal(await sending, true);
  assert.deepEqual((await ex.run('swarm-1', load('saltutil.find_job', [jid]), noEvents)).return, {});
});

test('a swarm minion refuses functions outside test.*, sys.* and the job queries', async () => {
  const ex = new SwarmExecutor(opts, {}, silentLogger());
  const r = await ex.run('swarm-1', load('cmd.run', ['id']), noEvents);
  assert.equal(r.retcode, 1);
  assert.match(String(r.return), /'cmd.run' is not available on a tsalt-swarm minion/);
});
