import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger, type Logger } from '@tsalt/core';
import { masterConfig, type MasterOptions } from '@tsalt/config';
import { Reactor, REACTOR_ERROR_TAG } from './reactor.js';
import type { CallClient, LocalPublish, ReactorClients, ReactorDeps } from './types.js';

const T = { timeout: 15_000 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

interface Ev {
  tag: string;
  data: Record<string, unknown>;
}

/** The master bus as the reactor sees it: synchronous in-process delivery, every event recorded. */
class FakeBus {
  readonly events: Ev[] = [];
  private readonly handlers = new Set<(tag: string, data: Record<string, unknown>) => void>();
  subscribe = (h: (tag: string, data: Record<string, unknown>) => void): (() => void) => {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  };
  fire = (tag: string, data: Record<string, unknown>): void => {
    this.events.push({ tag, data });
    for (const h of this.handlers) h(tag, data);
  };
  errors(): Record<string, unknown>[] {
    return this.events.filter((e) => e.tag === REACTOR_ERROR_TAG).map((e) => e.data);
  }
}

function recordingLog(lines: string[]): Logger {
  const log = silentLogger();
  const rec = log as unknown as Record<string, unknown>;
  for (const level of ['info', 'warn', 'error'] as const) {
    rec[level] = (...args: unknown[]) =>
      lines.push(`${level} ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
  }
  rec['child'] = () => log;
  return log;
}

let root: string;
let open: Reactor[] = [];
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-reactor-'));
});
afterEach(async () => {
  for (const r of open) await r.stop(100);
  open = [];
  fs.rmSync(root, { recursive: true, force: true });
});

function sls(name: string, text: string): string {
  const file = path.join(root, name);
  fs.writeFileSync(file, text);
  return file;
}

function reactor(
  bus: FakeBus,
  reactorOpt: unknown,
  clients: Partial<ReactorClients>,
  extra: MasterOptions = {},
  lines: string[] = [],
): Reactor {
  const deps: ReactorDeps = {
    // The compiled config with the reactor list as given (unvalidated: some tests give a bad one).
    opts: { ...masterConfig({ cachedir: path.join(root, 'cache'), ...extra }), reactor: reactorOpt },
    log: recordingLog(lines),
    subscribe: bus.subscribe,
    fire: bus.fire,
    clients: { publish: async () => ({ jid: '', minions: [] }), ...clients },
  };
  const r = new Reactor(deps);
  open.push(r);
  r.start();
  return r;
}

const AUTH = `{% if 'act' in data and data['act'] == 'pend' and data['id'].endswith('_web') %}
accept:
  wheel.key.accept:
    - args:
      - match: {{ data['id'] }}
{% endif %}
`;

describe('Reactor', () => {
  test("auto-accept: the wheel runs for a matching id only, with Salt's user", T, async () => {
    const bus = new FakeBus();
    const calls: Array<[string, Record<string, unknown>, string]> = [];
    const wheel: CallClient = async (fun, _arg, kwarg, o) => (
      calls.push([fun, kwarg, o.user]),
      { return: {}, success: true }
    );
    reactor(bus, [{ 'salt/auth': [sls('auth.sls', AUTH)] }], { wheel });
    bus.fire('salt/auth', { result: true, act: 'pend', id: 'a_web', pub: 'K' });
    bus.fire('salt/auth', { result: true, act: 'pend', id: 'b_db', pub: 'K' });
    bus.fire('salt/auth', { result: true, act: 'accept', id: 'c_web', pub: 'K' });
    await until('the accept', () => calls.length === 1);
    await sleep(50);
    assert.deepEqual(calls, [['key.accept', { match: 'a_web' }, 'Reactor']]);
    assert.deepEqual(bus.errors(), []);
  });

  test('local reactions publish through the master; their job events count as caused by the reaction', T, async () => {
    const bus = new FakeBus();
    const loads: LocalPublish[] = [];
    const publish = async (load: LocalPublish) => (
      loads.push(load),
      { jid: '20990101000000000001', minions: ['m1'], missing: [] }
    );
    const start = sls(
      'start.sls',
      "touch:\n  local.cmd.run:\n    - tgt: {{ data['id'] }}\n    - args:\n      - cmd: touch /tmp/started-{{ data['id'] }}\n",
    );
    const r = reactor(
      bus,
      [{ 'salt/minion/*/start': start }, { 'salt/job/*/ret/*': start }],
      { publish },
      { reactor_max_depth: 1 },
    );
    bus.fire('salt/minion/m1/start', { id: 'm1', cmd: '_minion_event', data: 'Minion m1 started' });
    await until('the publish', () => loads.length === 1);
    assert.deepEqual(loads[0], {
      tgt: 'm1',
      tgt_type: 'glob',
      fun: 'cmd.run',
      arg: [{ __kwarg__: true, cmd: 'touch /tmp/started-m1' }],
      ret: '',
    });
    // The job's return is one level deeper: with reactor_max_depth 1 it is not reacted to.
    bus.fire('salt/job/20990101000000000001/ret/m1', { id: 'm1', jid: '20990101000000000001', return: '' });
    await until('the depth report', () => bus.errors().length === 1);
    assert.equal(bus.errors()[0]!['kind'], 'storm');
    assert.match(String(bus.errors()[0]!['error']), /reaction chain too deep/);
    assert.equal(loads.length, 1);
    assert.equal(r.stats().reactions, 1);
  });

  test('a broken SLS fires an error event with its line; the other SLS for the event still runs', T, async () => {
    const bus = new FakeBus();
    const ran: string[] = [];
    const caller: CallClient = async (fun) => (ran.push(fun), { return: true, success: true });
    const badJinja = sls('bad-jinja.sls', "ok:\n  caller.test.ping: []\n{{ data['id'].endswith( }}\n");
    const badYaml = sls('bad-yaml.sls', 'a:\n  caller.test.ping:\n   - [\n');
    const badRender = sls('bad-render.sls', "a:\n\n  caller.test.arg:\n    - args: [{{ data['nope'].upper() }}]\n");
    const good = sls('good.sls', 'good:\n  caller.test.echo:\n    - args: [hi]\n');
    const lines: string[] = [];
    reactor(bus, [{ 'myco/*': [badJinja, badYaml, badRender, good] }], { caller }, {}, lines);
    bus.fire('myco/deploy', { id: 'm1' });
    await until('the good reaction', () => ran.length === 1);
    await until('three errors', () => bus.errors().length === 3);
    assert.deepEqual(ran, ['test.echo']);
    const errs = bus.errors();
    assert.deepEqual(
      errs.map((e) => [path.basename(String(e['sls'])), e['line'], e['kind'], e['tag']]),
      [
        ['bad-jinja.sls', 3, 'render', 'myco/deploy'],
        ['bad-yaml.sls', 3, 'render', 'myco/deploy'],
        ['bad-render.sls', 4, 'render', 'myco/deploy'],
      ],
    );
    assert.match(String(errs[0]!['error']), /bad-jinja\.sls: line 3: Jinja syntax error/);
    assert.ok(
      lines.some((l) => l.startsWith('error') && l.includes('bad-render.sls: line 4: Jinja error')),
      lines.join('\n'),
    );
  });

  test('a failing reaction is reported and the next reaction of the SLS still runs', T, async () => {
    const bus = new FakeBus();
    const ran: string[] = [];
    const wheel: CallClient = async (fun) => (
      ran.push(fun),
      { return: 'Exception occurred in wheel key.accept: WheelError: bad match', success: false }
    );
    const runner: CallClient = async (fun) => (ran.push(fun), { return: [], success: true });
    const file = sls('two.sls', 'one:\n  wheel.key.accept:\n    - match: x\ntwo:\n  runner.jobs.list_jobs: []\n');
    reactor(bus, [{ go: file }], { wheel, runner });
    bus.fire('go', {});
    await until('both', () => ran.length === 2);
    await until('the error event', () => bus.errors().length === 1);
    const e = bus.errors()[0]!;
    assert.deepEqual([e['kind'], e['reaction'], e['fun']], ['reaction', 'one', 'wheel.key.accept']);
    assert.match(
      String(e['error']),
      /reaction 'one' \(wheel\.key\.accept\) in .*two\.sls failed: Exception occurred in wheel key\.accept: WheelError: bad match/,
    );
  });

  test('a reaction that fires its own tag stops at reactor_max_depth, reported once', T, async () => {
    const bus = new FakeBus();
    let calls = 0;
    const caller: CallClient = async (_fun, arg, _kwarg, o) => {
      calls++;
      await o.fire(String(arg[0]), { again: true });
      return { return: true, success: true };
    };
    const loop = sls('loop.sls', "again:\n  caller.event.send:\n    - args: ['myco/loop']\n");
    reactor(bus, [{ 'myco/loop': loop }], { caller }, { reactor_max_depth: 4 });
    bus.fire('myco/loop', {});
    await until('the storm report', () => bus.errors().length === 1);
    await sleep(50);
    assert.equal(calls, 4);
    assert.equal(bus.events.filter((e) => e.tag === 'myco/loop').length, 5);
    assert.equal(bus.errors().length, 1);
  });

  test("Salt's rule: events with user Reactor are not reacted to; nor the bus's sync pings", T, async () => {
    const bus = new FakeBus();
    let calls = 0;
    const runner: CallClient = async () => (calls++, { return: true, success: true });
    reactor(bus, [{ '*': sls('all.sls', 'r:\n  runner.jobs.active: []\n') }], { runner });
    bus.fire('salt/run/1/new', { user: 'Reactor' });
    bus.fire('tsalt/sync/abcd', {});
    bus.fire('other', { user: 'root' });
    await until('one reaction', () => calls === 1);
    await sleep(50);
    assert.equal(calls, 1);
  });

  test('a bounded pool; a restart re-runs what was queued or running, and skips finished reactions', T, async () => {
    const bus = new FakeBus();
    let running = 0;
    let peak = 0;
    const started: string[] = [];
    const slow: CallClient = async (fun, arg) => {
      started.push(`${fun}:${String(arg[0])}`);
      running++;
      peak = Math.max(peak, running);
      if (fun === 'test.first') {
        running--;
        return { return: true, success: true };
      }
      await new Promise(() => undefined); // never finishes: a master stopped in the middle
      return { return: true, success: true };
    };
    const file = sls(
      'work.sls',
      "first:\n  caller.test.first:\n    - args: [{{ data['n'] }}]\nsecond:\n  caller.test.second:\n    - args: [{{ data['n'] }}]\n",
    );
    const opts = { reactor_worker_threads: 2 };
    const first = reactor(bus, [{ 'job/*': file }], { caller: slow }, opts);
    for (let n = 0; n < 5; n++) bus.fire(`job/${n}`, { n });
    await until(
      'two jobs at their second reaction',
      () => started.filter((s) => s.startsWith('test.second')).length === 2,
    );
    await sleep(30);
    assert.equal(peak, 2);
    assert.deepEqual(first.stats().queued + first.stats().running, 5);
    await first.stop(50);

    const bus2 = new FakeBus();
    const again: string[] = [];
    const fast: CallClient = async (fun, arg) => (
      again.push(`${fun}:${String(arg[0])}`),
      { return: true, success: true }
    );
    const second = reactor(bus2, [{ 'job/*': file }], { caller: fast }, opts);
    await until('all five jobs', () => again.filter((s) => s.startsWith('test.second')).length === 5);
    await sleep(30);
    const firsts = again
      .filter((s) => s.startsWith('test.first'))
      .map((s) => s.split(':')[1])
      .sort();
    const ranFirstBefore = started.filter((s) => s.startsWith('test.first')).map((s) => s.split(':')[1]);
    // Jobs 0 and 1 had finished their first reaction: it does not run twice; the three queued run whole.
    assert.deepEqual(ranFirstBefore.sort(), ['0', '1']);
    assert.deepEqual(firsts, ['2', '3', '4']);
    assert.deepEqual(
      again
        .filter((s) => s.startsWith('test.second'))
        .map((s) => s.split(':')[1])
        .sort(),
      ['0', '1', '2', '3', '4'],
    );
    assert.equal(second.stats().queued, 0);
    await second.stop(500);
    assert.deepEqual(
      fs.readdirSync(path.join(root, 'cache', 'reactor_queue')).filter((f) => f.endsWith('.spool')),
      [],
    );
  });

  test('bad config entries are one log line each; the good ones work', T, async () => {
    const bus = new FakeBus();
    const lines: string[] = [];
    let calls = 0;
    const runner: CallClient = async () => (calls++, { return: true, success: true });
    reactor(
      bus,
      [{ a: 1 }, 'x', { b: ['/nope/missing.sls'] }, { ok: sls('ok.sls', 'r:\n  runner.x.y: []\n') }],
      { runner },
      {},
      lines,
    );
    const errs = lines.filter((l) => l.startsWith('error'));
    assert.equal(errs.length, 3, errs.join('\n'));
    assert.match(errs[0]!, /reactor entry 'a' ignored: expected an SLS path or a list of paths, got 1/);
    assert.match(errs[1]!, /reactor entry 2 ignored: "x" is not a map/);
    assert.match(errs[2]!, /\/nope\/missing\.sls does not exist/);
    bus.fire('ok', {});
    await until('the good entry', () => calls === 1);
    bus.fire('b', {});
    await until('the missing file report', () => bus.errors().length === 1);
    assert.match(String(bus.errors()[0]!['error']), /missing\.sls: cannot read the reactor SLS/);
  });

  test('without reactor entries nothing is opened', T, () => {
    const bus = new FakeBus();
    const r = reactor(bus, [], {});
    assert.equal(r.enabled, false);
    assert.equal(fs.existsSync(path.join(root, 'cache', 'reactor_queue')), false);
  });
});
