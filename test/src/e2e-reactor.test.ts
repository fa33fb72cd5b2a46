import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { EventListener, fireMasterEvent, type BusEvent } from '@tsalt/events';
import { cluster, REPO, waitFor, type Cluster } from './harness.js';

/** Collects every event under `prefixes` from the master bus into `seen`, until closed. */
async function collect(sockDir: string, prefixes: string[], seen: BusEvent[]): Promise<EventListener> {
  const l = new EventListener({ sockDir, prefixes });
  await l.ready(5000);
  void (async () => {
    for await (const ev of l.events()) seen.push(ev);
  })();
  return l;
}

function write(dir: string, name: string, text: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** The reactor with real processes: the shipped auth.sls, a start reaction, broken files, storms. */
describe('reactor', { timeout: 120_000 }, () => {
  let c: Cluster;
  let listener: EventListener | undefined;
  const seen: BusEvent[] = [];
  const errors = (): Record<string, unknown>[] => seen.filter((e) => e.tag === 'salt/reactor/error').map((e) => e.data);

  before(async () => {
    c = await cluster();
    const dir = path.join(c.root, 'srv', 'reactor');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(REPO, 'reactor', 'auth.sls'), path.join(dir, 'auth.sls'));
    write(
      dir,
      'start.sls',
      `started:\n  local.cmd.run:\n    - tgt: {{ data['id'] }}\n    - args:\n      - cmd: touch ${c.root}/started-{{ data['id'] }}\n`,
    );
    write(dir, 'bad-jinja.sls', "# a comment\nbroken:\n  local.test.ping:\n    - tgt: {{ data['id'].endswith( }}\n");
    write(dir, 'bad-yaml.sls', 'broken:\n  local.test.ping:\n   - tgt: [a,\n  - b\n');
    write(
      dir,
      'good.sls',
      `good:\n  caller.cmd.run:\n    - args:\n      - cmd: touch ${c.root}/good-{{ data['n'] }}\n`,
    );
    write(dir, 'loop.sls', 'again:\n  caller.event.send:\n    - args:\n      - myco/loop\n');
    write(
      dir,
      'minion-loop.sls',
      "again:\n  local.event.send:\n    - tgt: {{ data['id'] }}\n    - args:\n      - myco/mloop\n",
    );
    await c.startMaster(
      [
        'reactor:',
        `  - 'salt/auth': [${dir}/auth.sls]`,
        `  - 'salt/minion/*/start': [${dir}/start.sls]`,
        `  - 'myco/broken': [${dir}/bad-jinja.sls, ${dir}/bad-yaml.sls, ${dir}/good.sls]`,
        `  - 'myco/loop': ${dir}/loop.sls`,
        `  - 'myco/mloop': ${dir}/minion-loop.sls`,
        'reactor_max_depth: 5',
        'reactor_storm_limit: 5',
        'reactor_storm_window: 3',
      ].join('\n'),
    );
    await waitFor('the master to finish starting', () => /tsalt-master started/.test(c.master!.output()));
    listener = await collect(
      path.join(c.root, 'var/run/tsalt/master'),
      ['salt/reactor/', 'salt/key', 'myco/', 'salt/job/'],
      seen,
    );
  });
  after(async () => {
    listener?.close();
    await c?.cleanup();
  });

  test('salt/auth: the _web minion is accepted by the reactor, the other stays pending', async () => {
    await c.startMinion('app1_web');
    await c.startMinion('app2_db');
    await c.waitKey('app1_web', 'minions');
    await c.waitKey('app2_db', 'minions_pre');
    await c.waitPing('app1_web');
    assert.equal(fs.existsSync(c.pki('minions', 'app2_db')), false);
    await waitFor('the salt/key event', () =>
      seen.some((e) => e.tag === 'salt/key' && e.data['id'] === 'app1_web' && e.data['act'] === 'accept'),
    );
  });

  test('salt/minion/<id>/start: a local.cmd.run reaction runs on that minion', async () => {
    await waitFor('the file the reaction touched', () => fs.existsSync(path.join(c.root, 'started-app1_web')), 20_000);
    assert.equal(fs.existsSync(path.join(c.root, 'started-app2_db')), false);
  });

  test('broken SLS files fire salt/reactor/error with file and line; the good one still runs', async () => {
    await fireMasterEvent(path.join(c.root, 'var/run/tsalt/master'), 'myco/broken', { id: 'x', n: 1 });
    await waitFor('the good reaction (caller.cmd.run on the master)', () => fs.existsSync(path.join(c.root, 'good-1')));
    await waitFor('two error events', () => errors().filter((e) => e['tag'] === 'myco/broken').length === 2);
    const errs = errors().filter((e) => e['tag'] === 'myco/broken');
    const bySls = Object.fromEntries(errs.map((e) => [path.basename(String(e['sls'])), e]));
    assert.equal(bySls['bad-jinja.sls']!['line'], 4);
    assert.equal(bySls['bad-jinja.sls']!['kind'], 'render');
    assert.match(String(bySls['bad-jinja.sls']!['error']), /bad-jinja\.sls: line 4: Jinja syntax error/);
    assert.equal(typeof bySls['bad-yaml.sls']!['line'], 'number');
    assert.match(String(bySls['bad-yaml.sls']!['error']), /bad-yaml\.sls: line \d+ \(rendered\): YAML error/);
    await waitFor('the file and line in the master log', () =>
      /bad-jinja\.sls: line 4: Jinja syntax error/.test(c.master!.output()),
    );
  });

  test('a reaction firing its own tag stops at reactor_max_depth', async () => {
    await fireMasterEvent(path.join(c.root, 'var/run/tsalt/master'), 'myco/loop', { n: 0 });
    await waitFor('the storm report', () => errors().some((e) => e['tag'] === 'myco/loop' && e['kind'] === 'storm'));
    // No pause needed: the chain is sequential (each event comes from the reaction to the one
    // before), and the report is fired for the 6th event in place of its reaction, after the
    // 6th went out on the bus (the listener gets both in bus order): nothing is left in flight.
    // The first event, then one per reaction: 5 deep.
    assert.equal(seen.filter((e) => e.tag === 'myco/loop').length, 6);
    assert.equal(errors().filter((e) => e['tag'] === 'myco/loop').length, 1);
    assert.match(String(errors().find((e) => e['tag'] === 'myco/loop')!['error']), /reaction chain too deep/);
  });

  test('a loop through a minion (event.send back) is stopped by the rate guard', async () => {
    await fireMasterEvent(path.join(c.root, 'var/run/tsalt/master'), 'myco/mloop', { id: 'app1_web' });
    await waitFor(
      'the storm report',
      () => errors().some((e) => e['tag'] === 'myco/mloop' && e['kind'] === 'storm'),
      20_000,
    );
    const at = seen.filter((e) => e.tag === 'myco/mloop').length;
    // Not a fixed pause: every reaction is a local.event.send job to app1_web, and its
    // myco/mloop is on the bus before the job's return. Once each such job published has
    // returned, no reaction is in flight.
    const sends = (kind: 'new' | 'ret'): Set<string> =>
      new Set(
        seen
          .filter((e) =>
            kind === 'new'
              ? /^salt\/job\/\d{20}\/new$/.test(e.tag) && e.data['fun'] === 'event.send'
              : /^salt\/job\/\d{20}\/ret\/app1_web$/.test(e.tag),
          )
          .map((e) => String(e.data['jid'])),
      );
    await waitFor(
      'every event.send reaction job to return',
      () => sends('new').size > 0 && [...sends('new')].every((jid) => sends('ret').has(jid)),
      20_000,
      { alive: [c.master, c.minions.get('app1_web')] },
    );
    // At most the reaction in flight when it tripped comes back; then the loop is dead.
    assert.ok(seen.filter((e) => e.tag === 'myco/mloop').length <= at + 1);
    assert.match(
      String(errors().find((e) => e['tag'] === 'myco/mloop')!['error']),
      /reaction storm: .*minion-loop\.sls reacted to myco\/mloop from app1_web more than 5 times in 3 s/,
    );
  });
});

describe('reactor queue across a master crash', { timeout: 60_000 }, () => {
  let c: Cluster;
  after(async () => c?.cleanup());

  test('reactions queued behind a busy worker run after the master is killed and restarted', async () => {
    c = await cluster();
    const dir = path.join(c.root, 'srv', 'reactor');
    write(dir, 'slow.sls', 'wait:\n  caller.test.sleep:\n    - args: [3]\n');
    write(
      dir,
      'mark.sls',
      `mark:\n  caller.cmd.run:\n    - args:\n      - cmd: touch ${c.root}/mark-{{ data['n'] }}\n`,
    );
    const conf = `reactor:\n  - 'myco/slow': [${dir}/slow.sls]\n  - 'myco/mark': [${dir}/mark.sls]\nreactor_worker_threads: 1\n`;
    await c.startMaster(conf);
    // The bus is up a little before the reactor subscribes; events before that are not the reactor's.
    await waitFor('the master to finish starting', () => /tsalt-master started/.test(c.master!.output()));
    const sockDir = path.join(c.root, 'var/run/tsalt/master');
    await fireMasterEvent(sockDir, 'myco/slow', {});
    for (let n = 0; n < 5; n++) await fireMasterEvent(sockDir, 'myco/mark', { n });
    // Not a fixed pause: wait until the kill below tests what it should, the slow job taken by
    // the worker (in the running journal) and the five marks queued behind it (in the
    // spool's segments; records are msgpack, so tags show as plain bytes).
    const queueDir = path.join(c.root, 'var/cache/tsalt/master/reactor_queue');
    const occurrences = (file: string, text: string): number =>
      fs.readFileSync(path.join(queueDir, file)).toString('latin1').split(text).length - 1;
    await waitFor(
      'the slow job running and the five marks queued',
      () => {
        const files = fs.readdirSync(queueDir);
        const marks = files.filter((f) => f.endsWith('.spool')).reduce((n, f) => n + occurrences(f, 'myco/mark'), 0);
        return files.includes('running.log') && occurrences('running.log', 'myco/slow') > 0 && marks >= 5;
      },
      10_000,
      { alive: [c.master] },
    );
    const marks = (): string[] =>
      fs
        .readdirSync(c.root)
        .filter((f) => f.startsWith('mark-'))
        .sort();
    assert.deepEqual(marks(), [], 'the only worker is busy sleeping');
    c.master!.proc.kill('SIGKILL');
    await c.master!.exited;
    await c.startMaster(conf);
    await waitFor('the five queued reactions', () => marks().length === 5, 20_000);
    assert.deepEqual(marks(), ['mark-0', 'mark-1', 'mark-2', 'mark-3', 'mark-4']);
    await waitFor('the interrupted job reported as run again', () =>
      /interrupted by the last stop run again/.test(c.master!.output()),
    );
  });
});
