import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  TSALT,
  freePort,
  parseJsonOut,
  salt,
  saltSkipReason,
  sleep,
  startProc,
  startSaltMaster,
  tempRoot,
  waitFor,
  writeSaltMasterConfig,
  writeTsaltMinionConfig,
  type Proc,
} from './salt-peer.js';
import { run } from './harness.js';

/**
 * tsalt-minion on a real salt-master 3006.8: sign-in, jobs through the real
 * `salt` CLI, an event to the master bus, and nothing a Salt master does not
 * know (no `_presence`, no warning for Salt's None reply to a return).
 */

const skip = saltSkipReason();
const ID = 'ts-1';

describe('tsalt-minion on salt-master 3006.8', { skip, timeout: 240_000 }, () => {
  let root = '';
  let saltDir = '';
  let master: Proc | undefined;
  let minion: Proc | undefined;
  const cli = (args: string[], timeoutMs = 60_000) => salt('salt', ['-c', saltDir, ...args], timeoutMs);
  const diagnostics = (): string => {
    const log = path.join(saltDir, 'master.log');
    const masterLog = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-3000) : '';
    return `\n--- salt-master ---\n${master?.output().slice(-2000)}${masterLog}\n--- tsalt-minion ---\n${minion?.output().slice(-3000)}`;
  };

  before(async () => {
    root = tempRoot('tsalt-interop-s-');
    const ports = { publish: await freePort(), ret: await freePort() };
    saltDir = path.join(root, 'salt-master');
    writeSaltMasterConfig(saltDir, ports);
    // A pillar the Salt master compiles and sends in its send_private form: the tsalt-minion must read it.
    const pillarDir = path.join(saltDir, 'pillar');
    fs.mkdirSync(pillarDir, { recursive: true });
    fs.writeFileSync(path.join(pillarDir, 'top.sls'), "base:\n  '*':\n    - data\n");
    fs.writeFileSync(path.join(pillarDir, 'data.sls'), "interop:\n  secret: {{ grains['id'] }}-42\n");
    fs.appendFileSync(path.join(saltDir, 'master'), `pillar_roots:\n  base:\n    - ${pillarDir}\n`);
    master = await startSaltMaster(saltDir, ports.ret);
    // presence_interval 1 s: a _presence sent to a Salt master would show in its log at once.
    const minionDir = writeTsaltMinionConfig(root, ID, ports, `presence_interval: 1\nlog_level: info\n`);
    minion = startProc(process.execPath, [TSALT.minion, '-c', minionDir]);
    await waitFor('tsalt-minion to sign in', () => minion?.output().includes('minion authenticated'), 60_000).catch(
      (err: unknown) => {
        throw new Error(`${String(err)}${diagnostics()}`);
      },
    );
  });
  after(async () => {
    await minion?.stop();
    await master?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test('test.ping through the real salt CLI', async () => {
    // The SUB may join a moment after the sign-in: retry a few times.
    await waitFor(
      `${ID} to answer test.ping`,
      async () => parseJsonOut((await cli([ID, 'test.ping', '--out', 'json', '-t', '5'])).stdout)[ID] === true,
      60_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}${diagnostics()}`);
    });
  });

  test('cmd.run through the real salt CLI', async () => {
    const r = await cli([ID, 'cmd.run', 'echo interop-$((6*7))', '--out', 'json']);
    assert.equal(parseJsonOut(r.stdout)[ID], 'interop-42', r.stdout + r.stderr);
  });

  test('an event from the minion reaches the master bus', async () => {
    const watch = salt('salt-run', ['-c', saltDir, 'state.event', 'tagmatch=tsalt/interop/*', 'count=1'], 60_000);
    await sleep(4000); // salt-run's start-up and its subscription to the bus
    const r = await cli([ID, 'event.send', 'tsalt/interop/hello', 'foo=bar', '--out', 'json']);
    assert.equal(parseJsonOut(r.stdout)[ID], true, r.stdout + r.stderr);
    const ev = await watch;
    const line = ev.stdout.split('\n').find((l) => l.startsWith('tsalt/interop/hello'));
    assert.ok(line, ev.stdout + ev.stderr);
    const data = JSON.parse(line.slice(line.indexOf('\t') + 1)) as Record<string, unknown>;
    assert.equal(data['id'], ID);
    assert.deepEqual(data['data'], { foo: 'bar' });
  });

  test('pillar from the Salt master (send_private), and the master caches the grains sent in _pillar', async () => {
    const items = await cli([ID, 'pillar.items', '--out', 'json']);
    assert.deepEqual(parseJsonOut(items.stdout)[ID], { interop: { secret: `${ID}-42` } }, items.stdout + items.stderr);
    const raw = await cli([ID, 'pillar.get', 'interop:secret', '--out', 'json']);
    assert.equal(parseJsonOut(raw.stdout)[ID], `${ID}-42`, raw.stdout + raw.stderr);
    const refresh = await cli([ID, 'saltutil.refresh_pillar', '--out', 'json']);
    assert.equal(parseJsonOut(refresh.stdout)[ID], true, refresh.stdout + refresh.stderr);
    const cached = await salt('salt-run', ['-c', saltDir, 'cache.grains', `tgt=${ID}`, '--out', 'json'], 60_000);
    const grains = parseJsonOut(cached.stdout)[ID] as Record<string, unknown> | undefined;
    assert.equal(grains?.['id'], ID, cached.stdout + cached.stderr);
    assert.equal(grains?.['saltversion'], '3006.8');
  });

  test("the mine: mine.send lands in the Salt master's cache, mine.get reads it back, mine.flush empties it", async () => {
    const send = await cli([ID, 'mine.send', 'test.echo', 'mined', '--out', 'json']);
    assert.equal(parseJsonOut(send.stdout)[ID], true, send.stdout + send.stderr);
    const cached = await salt('salt-run', ['-c', saltDir, 'cache.mine', `tgt=${ID}`, '--out', 'json'], 60_000);
    assert.deepEqual(parseJsonOut(cached.stdout)[ID], { 'test.echo': 'mined' }, cached.stdout + cached.stderr);
    const get = await cli([ID, 'mine.get', ID, 'test.echo', '--out', 'json']);
    assert.deepEqual(parseJsonOut(get.stdout)[ID], { [ID]: 'mined' }, get.stdout + get.stderr);
    const flush = await cli([ID, 'mine.flush', '--out', 'json']);
    assert.equal(parseJsonOut(flush.stdout)[ID], true, flush.stdout + flush.stderr);
    const after = await cli([ID, 'mine.get', ID, 'test.echo', '--out', 'json']);
    assert.deepEqual(parseJsonOut(after.stdout)[ID], {}, after.stdout + after.stderr);
  });

  test('tsalt-call as ts-1: the pillar the Salt master compiles, and its return stored there as a job (jid req)', async () => {
    const dir = path.join(root, 'etc', 'minion');
    const p = await run(TSALT.call, ['-c', dir, 'pillar.items', '--out', 'json'], { timeoutMs: 60_000 });
    assert.equal(p.code, 0, p.stdout + p.stderr);
    assert.deepEqual(JSON.parse(p.stdout), { local: { interop: { secret: `${ID}-42` } } });
    const r = await run(TSALT.call, ['-c', dir, 'test.echo', 'from-tsalt-call', '--out', 'json'], {
      timeoutMs: 60_000,
    });
    assert.deepEqual(JSON.parse(r.stdout), { local: 'from-tsalt-call' }, r.stderr);
    await waitFor(
      'the req job in the Salt master job cache',
      async () => {
        const l = await salt('salt-run', [
          '-c',
          saltDir,
          'jobs.list_jobs',
          'search_function=test.echo',
          '--out',
          'json',
        ]);
        const jobs = parseJsonOut(l.stdout) as Record<string, Record<string, unknown>>;
        return Object.values(jobs).some((j) => j['Target'] === ID && j['Function'] === 'test.echo');
      },
      60_000,
    );
  });

  test('restart: with the Salt master key pinned, the token echo checks out and jobs work', async () => {
    await minion?.stop();
    const before = minion?.output() ?? '';
    assert.match(before, /minion authenticated/);
    minion = startProc(process.execPath, [TSALT.minion, '-c', path.join(root, 'etc', 'minion')]);
    await waitFor('tsalt-minion to sign in again', () => minion?.output().includes('minion authenticated'), 60_000);
    assert.ok(fs.existsSync(path.join(root, 'ts', 'etc/tsalt/pki/minion/minion_master.pub')));
    await waitFor(
      `${ID} to answer after its restart`,
      async () => parseJsonOut((await cli([ID, 'test.ping', '--out', 'json', '-t', '5'])).stdout)[ID] === true,
      60_000,
    );
  });

  test('nothing a Salt master does not know, and no warning for its None reply', async () => {
    await sleep(1500); // more than one presence_interval
    const log = fs.readFileSync(path.join(saltDir, 'master.log'), 'utf8');
    assert.doesNotMatch(log, /Requested method not exposed|Received function .* unavailable/);
    assert.doesNotMatch(minion?.output() ?? '', /master refused the return|presence|not acknowledged/);
  });
});
