/** network, status and disk against the real host (Linux): shapes, not values. */
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import { describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { InvalidArgumentsError, Registry } from '@tsalt/loader';
import { executionModulePlugins } from './index.js';
import { which } from './which.js';

const T = { timeout: 30_000 };
const linux = process.platform === 'linux';
const reg = new Registry({ kind: 'module', opts: minionConfig(), log: silentLogger() }, executionModulePlugins());
const call = async (fun: string, args: unknown[] = [], kw: Record<string, unknown> = {}): Promise<unknown> =>
  (await reg.call(fun, args, kw)).return;

describe('network, status, disk on this host', { skip: linux ? false : 'Linux only' }, () => {
  it('every function has a sys.doc text', T, () => {
    for (const mod of ['network', 'status', 'disk']) {
      const docs = reg.doc(mod);
      assert.ok(Object.keys(docs).length >= 4, mod);
      for (const [fun, text] of Object.entries(docs)) assert.match(text, /CLI Example/, fun);
    }
  });
  it('network.interfaces and ip_addrs agree with the kernel', T, async () => {
    const ifaces = (await call('network.interfaces')) as Record<string, Record<string, unknown>>;
    const kernel = os.networkInterfaces();
    for (const name of Object.keys(kernel)) assert.ok(name in ifaces, `${name} in network.interfaces`);
    for (const info of Object.values(ifaces)) assert.equal(typeof info['up'], 'boolean');
    const v4 = Object.values(kernel)
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address)
      .sort();
    assert.deepEqual([...((await call('network.ip_addrs')) as string[])].sort(), [...new Set(v4)].sort());
    assert.ok(((await call('network.ip_addrs', [], { include_loopback: true })) as string[]).includes('127.0.0.1'));
    assert.deepEqual(await call('network.ip_addrs', [], { cidr: '127.0.0.0/8', include_loopback: true }), [
      '127.0.0.1',
    ]);
    assert.equal(await call('network.in_subnet', ['not-a-cidr']), false);
    assert.equal(await call('network.ip_in_subnet', ['10.1.2.3', '10.0.0.0/8']), true);
    assert.match(
      String(await call('network.hw_addr', ['no-such-if0'])),
      /^Interface "no-such-if0" not in available interfaces: "/,
    );
  });
  it('network.connect: a listening port, a closed one', T, async () => {
    const srv = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      assert.deepEqual(await call('network.connect', ['127.0.0.1', port]), {
        result: true,
        comment: `Successfully connected to 127.0.0.1 (127.0.0.1) on tcp port ${port}`,
      });
    } finally {
      await new Promise((r) => srv.close(r));
    }
    const r = (await call('network.connect', ['127.0.0.1', port], { timeout: 2 })) as { result: boolean };
    assert.equal(r.result, false);
    assert.deepEqual(await call('network.connect', ['127.0.0.1']), {
      result: false,
      comment: 'Required argument, port, is missing.',
    });
  });
  it('routes, active_tcp, netstat give lists and dicts', T, async () => {
    assert.ok(Array.isArray(await call('network.routes')));
    assert.ok(Array.isArray(await call('network.default_route', ['inet'])));
    await assert.rejects(call('network.routes', ['ipx']), /Invalid address family ipx/);
    assert.equal(typeof (await call('network.active_tcp')), 'object');
    assert.ok(Array.isArray(await call('network.netstat')));
    assert.equal(await call('network.get_hostname'), os.hostname());
  });
  it('dig and ping name the missing binary', T, async () => {
    for (const [fun, bin] of [
      ['network.dig', 'dig'],
      ['network.ping', 'ping'],
    ] as const) {
      if (which(bin, process.env['PATH']) !== null) continue;
      await assert.rejects(call(fun, ['localhost']), new RegExp(`The '${bin}' binary was not found in \\$PATH`));
    }
  });
  it('wrong arguments are Salt\'s "Passed invalid arguments"', T, async () => {
    await assert.rejects(reg.call('network.ip_addrs', [], { bogus: 1 }), InvalidArgumentsError);
    await assert.rejects(reg.call('status.loadavg', [1]), /Passed invalid arguments to status.loadavg/);
  });
  it('status: uptime, loadavg and the /proc readers', T, async () => {
    const up = (await call('status.uptime')) as Record<string, unknown>;
    for (const k of ['seconds', 'since_iso', 'since_t', 'days', 'time']) assert.ok(k in up, k);
    assert.equal(typeof up['seconds'], 'number');
    assert.match(String(up['time']), /^\d+:\d+$/);
    assert.deepEqual(Object.keys((await call('status.loadavg')) as object), ['1-min', '5-min', '15-min']);
    const mem = (await call('status.meminfo')) as Record<string, { value: string }>;
    assert.match(mem['MemTotal']?.value ?? '', /^\d+$/);
    assert.ok('cpu' in ((await call('status.cpustats')) as object));
    assert.ok('lo' in ((await call('status.netdev')) as object));
    const du = (await call('status.diskusage', ['/'])) as Record<string, { total: number }>;
    assert.ok((du['/']?.total ?? 0) > 0);
    const procs = (await call('status.procs')) as Record<string, { user: string; cmd: string }>;
    assert.ok(Object.keys(procs).length > 0);
    const all = (await call('status.all_status')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(all).sort(), [
      'cpuinfo',
      'cpustats',
      'diskstats',
      'diskusage',
      'loadavg',
      'meminfo',
      'netdev',
      'netstats',
      'uptime',
      'vmstats',
      'w',
    ]);
  });
  it('disk: usage, inodeusage, percent, blkid', T, async () => {
    const usage = (await call('disk.usage')) as Record<string, Record<string, string>>;
    assert.deepEqual(Object.keys(usage['/'] ?? {}), ['filesystem', '1K-blocks', 'used', 'available', 'capacity']);
    assert.match(String(await call('disk.percent', ['/'])), /^\d+%$/);
    assert.deepEqual(await call('disk.percent', ['/no/such/mount']), {});
    assert.ok('/' in ((await call('disk.inodeusage')) as object));
    await assert.rejects(call('disk.usage', ['x;']), /Invalid flag passed to disk.usage/);
    if (which('blkid', process.env['PATH']) !== null) assert.equal(typeof (await call('disk.blkid')), 'object');
  });
});
