import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startedCluster, type Cluster } from './harness.js';
import { parseJsonOut, salt, saltSkipReason, tempRoot, writeSaltMinionConfig } from './salt-peer.js';

/** The shape of a value: keys of dicts (recursively), the element shape of lists, the type of scalars. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, shape(x)]));
  return v === null ? 'null' : typeof v;
}

/** network.*, status.* and disk.* through tsalt against a real minion on this host: Salt's return shapes. */
describe(
  'network, status and disk end to end',
  { timeout: 240_000, skip: process.platform !== 'linux' && 'Linux only' },
  () => {
    let c: Cluster;
    const got: Record<string, unknown> = {};
    const run = async (fun: string, ...args: string[]): Promise<unknown> => {
      const r = await c.tsalt(['m1', fun, ...args, '--out', 'json'], 60_000);
      assert.equal(r.code, 0, `${fun}: ${r.stdout}${r.stderr}`);
      const v = (JSON.parse(r.stdout) as Record<string, unknown>)['m1'];
      if (args.length === 0) got[fun] = v;
      return v;
    };
    before(async () => {
      c = await startedCluster(['m1']);
    });
    after(async () => c?.cleanup());

    test('sys.list_modules lists network, status and disk', async () => {
      const mods = (await run('sys.list_modules')) as string[];
      for (const m of ['disk', 'network', 'status']) assert.ok(mods.includes(m), m);
    });

    test('network.interfaces: {iface: {up, hwaddr, inet: [{address, netmask, broadcast, label}], inet6}}', async () => {
      const ifaces = (await run('network.interfaces')) as Record<string, Record<string, unknown>>;
      for (const name of Object.keys(os.networkInterfaces())) assert.ok(name in ifaces, name);
      const lo = ifaces['lo'];
      assert.ok(lo);
      assert.equal(lo['up'], true);
      assert.deepEqual(lo['inet'], [{ address: '127.0.0.1', netmask: '255.0.0.0', broadcast: null, label: 'lo' }]);
      for (const info of Object.values(ifaces)) {
        for (const a of (info['inet'] ?? []) as Record<string, unknown>[])
          assert.deepEqual(Object.keys(a), ['address', 'netmask', 'broadcast', 'label']);
        for (const a of (info['inet6'] ?? []) as Record<string, unknown>[])
          assert.deepEqual(Object.keys(a), ['address', 'prefixlen', 'scope']);
      }
    });

    test('network.ip_addrs: a sorted list of IPv4 strings, loopback only on request', async () => {
      const addrs = (await run('network.ip_addrs')) as string[];
      assert.ok(Array.isArray(addrs));
      assert.ok(!addrs.includes('127.0.0.1'));
      for (const a of addrs) assert.match(a, /^\d+\.\d+\.\d+\.\d+$/);
      const withLo = (await run('network.ip_addrs', 'include_loopback=True')) as string[];
      assert.ok(withLo.includes('127.0.0.1'));
      assert.deepEqual(await run('network.ip_addrs', 'cidr=127.0.0.0/8', 'include_loopback=True'), ['127.0.0.1']);
    });

    test('status.uptime and status.loadavg', async () => {
      const up = (await run('status.uptime')) as Record<string, unknown>;
      for (const k of ['seconds', 'since_iso', 'since_t', 'days', 'time']) assert.ok(k in up, k);
      assert.equal(typeof up['seconds'], 'number');
      assert.match(String(up['since_iso']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
      const load = (await run('status.loadavg')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(load), ['1-min', '5-min', '15-min']);
      for (const v of Object.values(load)) assert.equal(typeof v, 'number');
    });

    test('disk.usage: {mount: {filesystem, 1K-blocks, used, available, capacity}}', async () => {
      const usage = (await run('disk.usage')) as Record<string, Record<string, unknown>>;
      assert.ok(usage['/'], 'the root mount');
      for (const u of Object.values(usage))
        assert.deepEqual(Object.keys(u), ['filesystem', '1K-blocks', 'used', 'available', 'capacity']);
    });

    test("wrong arguments: Salt's messages, retcode 1", async () => {
      // An unknown keyword is refused before the call, in Salt 3006.8's words.
      const r = await c.tsalt(['m1', 'network.ip_addrs', 'bogus=1']);
      assert.equal(r.code, 1);
      assert.match(
        r.stdout,
        /ERROR executing 'network\.ip_addrs': The following keyword arguments are not valid: bogus=1/,
      );
      const extra = await c.tsalt(['m1', 'network.get_hostname', 'one', 'two']);
      assert.equal(extra.code, 1);
      assert.match(extra.stdout, /Passed invalid arguments to network\.get_hostname: /);
    });

    test(
      'the same shapes as real Salt 3006.8 (salt-call --local) on this host',
      { skip: saltSkipReason() },
      async () => {
        const dir = tempRoot('tsalt-salt-call-');
        try {
          writeSaltMinionConfig(dir, 'local-peer', { publish: 1, ret: 2 });
          fs.appendFileSync(path.join(dir, 'minion'), 'file_client: local\n');
          for (const fun of [
            'network.interfaces',
            'network.ip_addrs',
            'status.uptime',
            'status.loadavg',
            'disk.usage',
          ]) {
            const r = await salt('salt-call', ['-c', dir, '--local', fun, '--out', 'json'], 120_000);
            assert.equal(r.code, 0, `${fun}: ${r.stderr}`);
            const theirs = parseJsonOut(r.stdout)['local'];
            const ours = got[fun] ?? (await run(fun));
            if (fun === 'network.interfaces' || fun === 'network.ip_addrs') assert.deepEqual(ours, theirs, fun);
            else if (fun === 'disk.usage')
              assert.deepEqual(Object.keys(ours as object).sort(), Object.keys(theirs as object).sort());
            else assert.deepEqual(shape(ours), shape(theirs), fun);
          }
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  },
);
