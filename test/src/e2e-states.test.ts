import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, REPO, cluster, run, waitFor, type Cluster } from './harness.js';
import { installed, pickPackage, purge, serviceSkipReason, sh, throwawayService } from './host-fixtures.js';

/*
 * The state system between tsalt-master and tsalt-minion, with real
 * processes: the seeds' chain (a minion starts, reactor/start.sls runs its
 * highstate from the example tree in states/), requisites, failures and
 * their exit codes, test=True, a traversal refused, masterless tsalt-call.
 * The chain changes the host (a package, a user, a group): as root only,
 * on throwaway names, undone in `after`.
 */

const isRoot = process.getuid?.() === 0;
const rootSkip = isRoot ? false : 'not root: the example tree adds a user, a group and a package';
const pick = isRoot ? pickPackage() : { skip: 'not root' };
const PKG = 'pkg' in pick ? pick.pkg : undefined;
const tag = crypto.randomBytes(3).toString('hex');
const ADMIN = `tsalt-e2e-${tag}`;
const svc = throwawayService();
const serviceSkip = serviceSkipReason();

type Results = Record<
  string,
  { result: boolean | null; changes: Record<string, unknown>; comment: unknown; __id__: string; __run_num__: number }
>;

describe('states between tsalt-master and tsalt-minion', { timeout: 600_000 }, () => {
  let c: Cluster;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-states-'));
  const base = path.join(work, 'srv', 'salt');
  const pillarRoot = path.join(work, 'srv', 'pillar');
  const out = path.join(work, 'out');
  const motd = path.join(out, 'motd');
  const stamp = path.join(out, 'stamp');

  /** `tsalt m1 <args> --out json`: m1's return and the exit code. */
  async function m1(args: string[], timeoutS = 120): Promise<{ code: number | null; ret: unknown; stderr: string }> {
    const r = await c.tsalt(
      ['m1', ...args, '--out', 'json', '--static', '-t', String(timeoutS)],
      (timeoutS + 30) * 1000,
    );
    assert.ok(r.stdout.trim(), `no output from ${args.join(' ')} (exit ${r.code}): ${r.stderr}`);
    return { code: r.code, ret: (JSON.parse(r.stdout) as Record<string, unknown>)['m1'], stderr: r.stderr };
  }
  /** A run's results by state id. */
  function byId(ret: unknown): Results {
    assert.ok(
      ret && typeof ret === 'object' && !Array.isArray(ret),
      `not a state run's result: ${JSON.stringify(ret)}`,
    );
    const outMap: Results = {};
    for (const v of Object.values(ret as Results)) outMap[v.__id__] = v;
    return outMap;
  }

  before(async () => {
    fs.mkdirSync(out, { recursive: true });
    fs.cpSync(path.join(REPO, 'states'), base, { recursive: true });
    fs.mkdirSync(path.join(base, 'e2e'));
    fs.mkdirSync(pillarRoot, { recursive: true });
    fs.writeFileSync(path.join(pillarRoot, 'top.sls'), "base:\n  '*':\n    - env_init\n");
    fs.writeFileSync(
      path.join(pillarRoot, 'env_init.sls'),
      `env_init:\n  motd: ${motd}\n  stamp_dir: ${stamp}\n  admin_group: ${ADMIN}\n  admin_user: ${ADMIN}\n  packages: ${JSON.stringify(PKG ? [PKG] : [])}\n`,
    );
    // Requisites: onchanges and watch fire only when conf changes (pillar ver); require and onfail.
    fs.writeFileSync(
      path.join(base, 'e2e', 'req.sls'),
      `conf:
  file.managed:
    - name: ${out}/req/app.conf
    - contents: {{ pillar.get('ver', 'v1') }}
    - makedirs: True

on_change:
  cmd.run:
    - name: echo changed >> ${out}/req/onchanges.log
    - onchanges:
      - file: conf

watcher:
  cmd.wait:
    - name: echo watched >> ${out}/req/watch.log
    - watch:
      - file: conf

after_conf:
  file.managed:
    - name: ${out}/req/after
    - contents: after
    - require:
      - file: conf
`,
    );
    fs.writeFileSync(
      path.join(base, 'e2e', 'fail.sls'),
      `broken:
  cmd.run:
    - name: 'exit 3'

needs_broken:
  cmd.run:
    - name: echo never > ${out}/fail-never
    - require:
      - cmd: broken

rescue:
  cmd.run:
    - name: echo rescued > ${out}/fail-rescued
    - onfail:
      - cmd: broken
`,
    );
    fs.writeFileSync(path.join(work, 'srv', 'secret'), 'not served\n');
    fs.writeFileSync(
      path.join(base, 'e2e', 'traverse.sls'),
      `leak:\n  file.managed:\n    - name: ${out}/leaked\n    - source: salt://../secret\n`,
    );
    fs.writeFileSync(path.join(base, 'e2e', 'slow.sls'), `slow:\n  cmd.run:\n    - name: sleep 4\n`);
    fs.writeFileSync(
      path.join(base, 'e2e', 'svc.sls'),
      `svc_conf:
  file.managed:
    - name: ${out}/svc.conf
    - contents: {{ pillar.get('ver', 'v1') }}

svc:
  service.running:
    - name: ${svc.name}
    - watch:
      - file: svc_conf
`,
    );
    c = await cluster(
      `auto_accept: True\nfile_roots:\n  base:\n    - ${base}\npillar_roots:\n  base:\n    - ${pillarRoot}\n` +
        `reactor:\n  - 'salt/minion/*/start':\n    - ${path.join(REPO, 'reactor', 'start.sls')}\n`,
    );
    await c.startMaster();
    await waitFor('the reactor to start', () => c.master?.output().includes('tsalt-master started'), 20_000, {
      alive: [c.master],
    });
    await c.startMinion('m1');
    await c.waitPing('m1');
  });
  after(async () => {
    await c?.cleanup();
    if (isRoot) {
      sh(['userdel', ADMIN]);
      sh(['groupdel', ADMIN]);
      if (PKG) purge(PKG);
    }
    if (!serviceSkip) svc.remove();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test(
    'the seeds chain: the start reactor runs the highstate of states/, and it takes effect',
    { skip: rootSkip },
    async () => {
      await waitFor(
        'the highstate to write the motd and the stamp dir',
        () => fs.existsSync(path.join(stamp, 'motd.changed')) && sh(['id', ADMIN]).code === 0,
        400_000,
        {
          alive: [c.master, c.minions.get('m1')],
        },
      );
      // Then for the run to end: its last state (the stamp dir's owner) comes after those.
      await waitFor(
        'the highstate run to end',
        async () => {
          const r = await m1(['saltutil.is_running', 'state.*']);
          return Array.isArray(r.ret) && r.ret.length === 0;
        },
        400_000,
      );
      assert.match(fs.readFileSync(motd, 'utf8'), /^Welcome to m1 \(/);
      assert.equal((fs.statSync(motd).mode & 0o777).toString(8), '644');
      assert.equal(sh(['getent', 'group', ADMIN]).code, 0);
      assert.match(sh(['id', '-nG', ADMIN]).stdout, new RegExp(`\\b${ADMIN}\\b`));
      if (PKG) assert.ok(installed(PKG), `${PKG} was installed`);
      const owner = fs.statSync(stamp).uid;
      assert.equal(String(owner), sh(['id', '-u', ADMIN]).stdout.trim());
    },
  );

  test('a second state.apply changes nothing, and the onchanges command does not run', { skip: rootSkip }, async () => {
    const before = fs.readFileSync(path.join(stamp, 'motd.changed'), 'utf8');
    const r = await m1(['state.apply'], 300);
    assert.equal(r.code, 0, JSON.stringify(r.ret));
    const res = byId(r.ret);
    for (const [id, v] of Object.entries(res)) {
      assert.equal(v.result, true, `${id}: ${JSON.stringify(v)}`);
      assert.deepEqual(v.changes, {}, `${id} changed nothing`);
    }
    assert.match(String(res['motd_changed']?.comment), /onchanges/);
    assert.equal(fs.readFileSync(path.join(stamp, 'motd.changed'), 'utf8'), before);
    // The human form: the highstate outputter's summary.
    const text = await c.tsalt(['m1', 'state.apply', '-t', '300'], 330_000);
    assert.equal(text.code, 0, text.stdout + text.stderr);
    assert.match(text.stdout, /Summary for m1/);
    assert.match(text.stdout, /Failed:\s+0/);
  });

  test('test=True reports the pending change and changes nothing', { skip: rootSkip }, async () => {
    fs.writeFileSync(motd, 'edited by hand\n');
    const r = await m1(['state.apply', 'test=True'], 300);
    const res = byId(r.ret);
    assert.equal(res['motd']?.result, null, JSON.stringify(res['motd']));
    assert.ok(Object.keys(res['motd']?.changes ?? {}).length > 0, 'the pending change is reported');
    assert.equal(fs.readFileSync(motd, 'utf8'), 'edited by hand\n');
    const fix = await m1(['state.apply', 'init.motd'], 300);
    assert.equal(byId(fix.ret)['motd']?.result, true);
    assert.match(fs.readFileSync(motd, 'utf8'), /^Welcome to m1/);
  });

  test('requisites: onchanges and watch fire only on change, require orders', async () => {
    const log = (f: string): number =>
      fs.existsSync(path.join(out, 'req', f))
        ? fs
            .readFileSync(path.join(out, 'req', f), 'utf8')
            .split('\n')
            .filter(Boolean).length
        : 0;
    const first = await m1(['state.sls', 'e2e.req', 'pillar={"ver": "v1"}']);
    assert.equal(first.code, 0, JSON.stringify(first.ret));
    const res = byId(first.ret);
    assert.ok((res['conf']?.__run_num__ ?? 9) < (res['after_conf']?.__run_num__ ?? -1), 'require runs conf first');
    assert.equal(log('onchanges.log'), 1);
    assert.equal(log('watch.log'), 1);
    await m1(['state.sls', 'e2e.req', 'pillar={"ver": "v1"}']);
    assert.equal(log('onchanges.log'), 1, 'no change, no onchanges');
    assert.equal(log('watch.log'), 1, 'no change, no watch');
    await m1(['state.sls', 'e2e.req', 'pillar={"ver": "v2"}']);
    assert.equal(fs.readFileSync(path.join(out, 'req', 'app.conf'), 'utf8').trim(), 'v2');
    assert.equal(log('onchanges.log'), 2);
    assert.equal(log('watch.log'), 2);
  });

  test('a failed state: retcode 2, tsalt exits non-zero, require skips, onfail runs', async () => {
    const r = await m1(['state.sls', 'e2e.fail']);
    assert.notEqual(r.code, 0);
    const res = byId(r.ret);
    assert.equal(res['broken']?.result, false);
    assert.equal(res['needs_broken']?.result, false);
    assert.match(String(res['needs_broken']?.comment), /One or more requisite failed/);
    assert.equal(res['rescue']?.result, true);
    assert.ok(!fs.existsSync(path.join(out, 'fail-never')));
    assert.equal(fs.readFileSync(path.join(out, 'fail-rescued'), 'utf8'), 'rescued\n');
    const text = await c.tsalt(['m1', 'state.sls', 'e2e.fail', '-t', '60'], 90_000);
    assert.notEqual(text.code, 0);
    assert.match(text.stdout, /Failed:\s+2/);
  });

  test('a missing SLS is a compile error naming it, retcode 1', async () => {
    const r = await m1(['state.sls', 'e2e.nosuch']);
    assert.notEqual(r.code, 0);
    assert.ok(Array.isArray(r.ret), JSON.stringify(r.ret));
    assert.match(String((r.ret as string[]).join('\n')), /No matching sls found for 'e2e.nosuch' in env 'base'/);
  });

  test('a salt:// source out of the roots is refused and nothing is written', async () => {
    const r = await m1(['state.sls', 'e2e.traverse']);
    assert.notEqual(r.code, 0);
    assert.equal(byId(r.ret)['leak']?.result, false);
    assert.ok(!fs.existsSync(path.join(out, 'leaked')));
  });

  test('a second state run while one runs is refused as Salt refuses it', async () => {
    const slow = c.tsalt(['m1', 'state.sls', 'e2e.slow', '--out', 'json', '-t', '60'], 90_000);
    await waitFor(
      'the slow run to start',
      async () => {
        const r = await m1(['saltutil.is_running', 'state.*']);
        return Array.isArray(r.ret) && r.ret.length > 0;
      },
      20_000,
    );
    const second = await m1(['state.apply', 'e2e.slow']);
    assert.notEqual(second.code, 0);
    assert.match(
      JSON.stringify(second.ret),
      /The function \\"state.sls\\" is running as PID \d+ and was started at .* with jid \d{20}/,
    );
    assert.equal((await slow).code, 0);
  });

  test('watch restarts a service through mod_watch when its config changes', { skip: serviceSkip }, async () => {
    svc.install();
    const first = await m1(['state.sls', 'e2e.svc', 'pillar={"ver": "v1"}']);
    assert.equal(first.code, 0, JSON.stringify(first.ret));
    assert.ok(fs.existsSync(svc.state), 'service.running started it');
    const n = svc.actions().length;
    await m1(['state.sls', 'e2e.svc', 'pillar={"ver": "v1"}']);
    assert.equal(svc.actions().length, n, 'no change, no restart');
    await m1(['state.sls', 'e2e.svc', 'pillar={"ver": "v2"}']);
    assert.equal(svc.actions().at(-1), 'restart');
  });

  test('state.show_top and state.show_sls', async () => {
    assert.deepEqual((await m1(['state.show_top'])).ret, { base: ['init.env_init'] });
    const high = (await m1(['state.show_sls', 'e2e.req'])).ret as Record<string, Record<string, unknown>>;
    assert.equal(high['conf']?.['__sls__'], 'e2e.req');
  });
});

describe('masterless: tsalt-call --local state.apply', { timeout: 120_000 }, () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-masterless-'));
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('applies the local tree, then changes nothing', async () => {
    const tree = path.join(work, 'tree');
    fs.mkdirSync(path.join(tree, 'local'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'top.sls'), "base:\n  '*':\n    - local\n");
    fs.writeFileSync(
      path.join(tree, 'local', 'init.sls'),
      `greeting:\n  file.managed:\n    - name: ${work}/greeting\n    - contents: hello from {{ grains['id'] }}\n`,
    );
    const conf = path.join(work, 'etc');
    fs.mkdirSync(conf);
    fs.writeFileSync(path.join(conf, 'minion'), `id: solo\nroot_dir: ${work}/root\nlog_level: warning\n`);
    const apply = (): Promise<{ code: number | null; stdout: string; stderr: string }> =>
      run(BIN.call, ['-c', conf, '--local', '--file-root', tree, 'state.apply', '--out', 'json'], {
        timeoutMs: 60_000,
      });
    const first = await apply();
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(fs.readFileSync(path.join(work, 'greeting'), 'utf8').trim(), 'hello from solo');
    const second = await apply();
    const res = Object.values((JSON.parse(second.stdout) as { local: Results }).local);
    assert.equal(res.length, 1);
    assert.equal(res[0]?.result, true);
    assert.deepEqual(res[0]?.changes, {});
  });
});
