import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { startedCluster, type Cluster } from './harness.js';
import { installed, pickPackage, purge, serviceSkipReason, throwawayService } from './host-fixtures.js';

/*
 * pkg.* and service.* through `tsalt` against a real minion, changing the
 * real host: as root only, and everything done is undone in `after`.
 */

const pick = pickPackage();
const svc = throwawayService();
const SVC = svc.name;
const SCRIPT = svc.script;
const STATE = svc.state;
const serviceSkip = serviceSkipReason();

describe('pkg and service end to end (real host)', { timeout: 900_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await startedCluster(['m1']);
  });
  after(async () => {
    if ('pkg' in pick) purge(pick.pkg);
    if (!serviceSkip) svc.remove();
    await c?.cleanup();
  });

  /** One minion's return of `tsalt m1 <fun> <args>` as JSON, with the exit code. */
  async function m1(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; ret: unknown }> {
    const r = await c.tsalt(['m1', ...args, '--out', 'json', '-t', String(timeoutMs / 1000)], timeoutMs + 10_000);
    assert.ok(r.stdout.trim(), `no output from ${args.join(' ')}: ${r.stderr}`);
    return { code: r.code, ret: (JSON.parse(r.stdout) as Record<string, unknown>)['m1'] };
  }

  test('pkg and service are listed by sys.list_modules', async () => {
    const r = await m1(['sys.list_modules']);
    assert.ok(Array.isArray(r.ret) && r.ret.includes('pkg') && r.ret.includes('service'), JSON.stringify(r.ret));
  });

  test(
    "pkg.install / version / list_pkgs / remove with Salt's {name: {old, new}}",
    { skip: 'skip' in pick && pick.skip },
    async () => {
      const pkg = 'pkg' in pick ? pick.pkg : '';
      assert.deepEqual((await m1(['pkg.version', pkg])).ret, '');
      const inst = await m1(['pkg.install', pkg], 600_000);
      assert.equal(inst.code, 0);
      const ch = (inst.ret as Record<string, { old: string; new: string }>)[pkg];
      assert.ok(ch, JSON.stringify(inst.ret));
      assert.equal(ch.old, '');
      assert.match(ch.new, /^\S+$/);
      assert.equal((await m1(['pkg.version', pkg])).ret, ch.new);
      const both = (await m1(['pkg.version', pkg, 'dpkg'])).ret as Record<string, string>;
      assert.equal(both[pkg], ch.new);
      assert.match(both['dpkg'] ?? '', /^\d/);
      const list = (await m1(['pkg.list_pkgs'])).ret as Record<string, string>;
      assert.equal(list[pkg], ch.new);
      assert.equal(typeof list['dpkg'], 'string');
      assert.deepEqual((await m1(['pkg.install', pkg], 600_000)).ret, {}, 'installing again changes nothing');
      assert.equal((await m1(['pkg.owner', `/usr/share/doc/${pkg}/copyright`])).ret, pkg);
      const held = (await m1(['pkg.hold', pkg])).ret as Record<string, { result: boolean; comment: string }>;
      assert.equal(held[pkg]?.comment, `Package ${pkg} is now being held.`);
      await m1(['pkg.unhold', pkg]);

      const rm = await m1(['pkg.remove', pkg], 600_000);
      assert.equal(rm.code, 0);
      assert.deepEqual(rm.ret, { [pkg]: { old: ch.new, new: '' } });
      assert.equal((await m1(['pkg.version', pkg])).ret, '');
      assert.ok(!installed(pkg));
    },
  );

  test(
    "pkg.install of a package apt does not know: Salt's ERROR and retcode 1",
    { skip: 'skip' in pick && pick.skip },
    async () => {
      const r = await m1(['pkg.install', `tsalt-no-such-pkg-${crypto.randomBytes(3).toString('hex')}`], 300_000);
      assert.equal(r.code, 1);
      assert.match(String(r.ret), /^ERROR: Problem encountered installing package\(s\)\. Additional info follows:/);
      assert.match(String(r.ret), /Unable to locate package/);
    },
  );

  test('service.* against a throwaway init script', { skip: serviceSkip }, async () => {
    svc.install();
    assert.equal((await m1(['service.available', SVC])).ret, true);
    assert.equal((await m1(['service.missing', SVC])).ret, false);
    assert.ok(((await m1(['service.get_all'])).ret as string[]).includes(SVC));
    assert.equal((await m1(['service.status', SVC])).ret, false);
    assert.equal((await m1(['service.start', SVC])).ret, true);
    assert.ok(fs.existsSync(STATE));
    assert.equal((await m1(['service.status', SVC])).ret, true);
    assert.deepEqual((await m1(['service.status', `${SVC.slice(0, -2)}*`])).ret, { [SVC]: true });
    assert.equal((await m1(['service.restart', SVC])).ret, true);
    assert.equal((await m1(['service.reload', SVC])).ret, true);
    assert.equal((await m1(['service.stop', SVC])).ret, true);
    assert.equal((await m1(['service.status', SVC])).ret, false);

    assert.equal((await m1(['service.enabled', SVC])).ret, false);
    assert.equal((await m1(['service.enable', SVC])).ret, true);
    assert.equal((await m1(['service.enabled', SVC])).ret, true);
    assert.equal((await m1(['service.disabled', SVC])).ret, false);
    assert.ok(((await m1(['service.get_enabled'])).ret as string[]).includes(SVC));
    assert.equal((await m1(['service.disable', SVC])).ret, true);
    assert.equal((await m1(['service.enabled', SVC])).ret, false);
    assert.ok(((await m1(['service.get_disabled'])).ret as string[]).includes(SVC));

    const nope = await m1(['service.start', '../../bin/true']);
    assert.equal(nope.code, 1);
    assert.match(String(nope.ret), /^ERROR executing 'service.start': Invalid service name/);
    fs.rmSync(SCRIPT);
    assert.equal((await m1(['service.available', SVC])).ret, false);
  });
});
