import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startedCluster, type Cluster } from './harness.js';

/*
 * pkg.* and service.* through `tsalt` against a real minion, changing the
 * real host: as root only, and everything done is undone in `after`.
 */

/** Small Debian packages with no dependencies beyond libc; the first one not installed and installable is used. */
const CANDIDATES = ['hello', 'sl', 'cowsay'];

function sh(argv: string[], timeoutMs = 120_000): { code: number | null; stdout: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, LC_ALL: 'C' },
  });
  return { code: r.status, stdout: r.stdout ?? '' };
}

function installed(pkg: string): boolean {
  return sh(['dpkg-query', '-W', '-f', '${db:Status-Status}', pkg]).stdout === 'installed';
}

/** A package to install, or why this host cannot run the pkg test. */
function pickPackage(): { pkg: string } | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: 'not root' };
  if (sh(['sh', '-c', 'command -v apt-get && command -v dpkg-query']).code !== 0)
    return { skip: 'no apt-get/dpkg here' };
  const policy = (p: string): string => /Candidate: (\S+)/.exec(sh(['apt-cache', 'policy', p]).stdout)?.[1] ?? '(none)';
  if (CANDIDATES.every((p) => policy(p) === '(none)')) sh(['apt-get', '-q', 'update'], 300_000); // empty lists
  const pkg = CANDIDATES.find((p) => !installed(p) && policy(p) !== '(none)');
  if (!pkg) return { skip: `none of ${CANDIDATES.join(', ')} is installable and absent` };
  // Reachability: the download alone, into a throwaway folder.
  const dir = fs.mkdtempSync('/tmp/tsalt-apt-');
  const dl = spawnSync('apt-get', ['download', pkg], { cwd: dir, timeout: 120_000, stdio: 'ignore' });
  fs.rmSync(dir, { recursive: true, force: true });
  return dl.status === 0 ? { pkg } : { skip: 'apt cannot reach its repositories' };
}

const pick = pickPackage();
const SVC = `tsalt-e2e-${crypto.randomBytes(3).toString('hex')}`;
const SCRIPT = path.join('/etc/init.d', SVC);
const STATE = path.join('/run', `${SVC}.state`);
const serviceSkip =
  process.getuid?.() !== 0
    ? 'not root'
    : fs.existsSync('/run/systemd/system')
      ? 'systemd is running: the init-script test would touch real units'
      : sh(['sh', '-c', 'command -v update-rc.d']).code !== 0
        ? 'no update-rc.d here'
        : false;

/** An LSB init script whose "daemon" is a state file under /run: nothing keeps running. */
const INIT_SCRIPT = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          ${SVC}
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: tsalt e2e throwaway service
### END INIT INFO
case "$1" in
  start|restart|reload|force-reload) touch ${STATE} ;;
  stop) rm -f ${STATE} ;;
  status) [ -e ${STATE} ] && exit 0 || exit 3 ;;
  *) echo "Usage: $0 {start|stop|restart|reload|status}" >&2; exit 2 ;;
esac
exit 0
`;

describe('pkg and service end to end (real host)', { timeout: 900_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await startedCluster(['m1']);
  });
  after(async () => {
    if ('pkg' in pick && installed(pick.pkg)) sh(['apt-get', '-q', '-y', 'purge', pick.pkg], 300_000);
    if (!serviceSkip) {
      sh(['update-rc.d', '-f', SVC, 'remove']);
      fs.rmSync(SCRIPT, { force: true });
      fs.rmSync(STATE, { force: true });
    }
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
    fs.writeFileSync(SCRIPT, INIT_SCRIPT, { mode: 0o755 });
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
