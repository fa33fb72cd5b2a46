import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkTag } from '../types.js';
import { chunk, FakeStates, resultOf, run, runOrder } from './fake-states.js';

const T = { timeout: 10_000 };
const changed = { changes: { diff: 'new' } };
const failed = { result: false, comment: 'nope' };

describe('run order and bookkeeping', () => {
  it('runs chunks in order and numbers them from 0', T, async () => {
    const s = new FakeStates();
    const [a, b, c] = [chunk('a'), chunk('b'), chunk('c')];
    const res = await run([a, b, c], s);
    assert.deepEqual(s.order(), ['a', 'b', 'c']);
    assert.deepEqual(Object.keys(res), [chunkTag(a), chunkTag(b), chunkTag(c)]);
    assert.deepEqual(runOrder(res), ['a', 'b', 'c']);
    const r = resultOf(res, b);
    assert.equal(r.__run_num__, 1);
    assert.equal(r.__id__, 'b');
    assert.equal(r.__sls__, 'web');
    assert.equal(r.comment, 'nop ran');
    assert.match(r.start_time, /^\d\d:\d\d:\d\d(\.\d{6})?$/);
    assert.equal(typeof r.duration, 'number');
    assert.ok(r.duration >= 0);
  });

  it('a requisite pulls a later chunk forward', T, async () => {
    const s = new FakeStates();
    const a = chunk('a', { require: [{ test: 'c' }] });
    const res = await run([a, chunk('b'), chunk('c')], s);
    assert.deepEqual(s.order(), ['c', 'a', 'b']);
    assert.deepEqual(runOrder(res), ['c', 'a', 'b']);
  });

  it('passes test mode to every call', T, async () => {
    const s = new FakeStates();
    await run([chunk('a'), chunk('b')], s, { test: true });
    assert.deepEqual(s.order(), ['a?', 'b?']);
  });

  it('turns an exception into a failed result', T, async () => {
    const s = new FakeStates().script('a', () => {
      throw new TypeError('boom\nsecond line');
    });
    const res = await run([chunk('a')], s);
    const r = resultOf(res, chunk('a'));
    assert.equal(r.result, false);
    assert.equal(r.comment, 'An exception occurred in this state: TypeError: boom');
    assert.deepEqual(r.changes, {});
    assert.equal(r.__run_num__, 0);
  });

  it('checks the shape of a return and joins list comments', T, async () => {
    const s = new FakeStates()
      .script('a', { comment: ['one', 'two'], result: 1 as unknown as boolean })
      .script('b', () => ({ changes: 'x' as unknown as Record<string, unknown> }));
    const res = await run([chunk('a'), chunk('b')], s);
    assert.equal(resultOf(res, chunk('a')).comment, 'one\ntwo');
    assert.equal(resultOf(res, chunk('a')).result, true);
    assert.equal(
      resultOf(res, chunk('b')).comment,
      "An exception occurred in this state: 'Changes' should be a dictionary.",
    );
    assert.equal(resultOf(res, chunk('b')).result, false);
  });

  it('reports a state function that does not exist', T, async () => {
    const s = new FakeStates();
    s.missing.add('test.nope');
    const c = chunk('a', { fun: 'nope' });
    const r = resultOf(await run([c], s), c);
    assert.equal(r.result, false);
    assert.equal(r.comment, "State 'test.nope' was not found in SLS 'web'\n");
    assert.equal(s.calls.length, 0);
  });

  it('skips disabled state functions', T, async () => {
    const s = new FakeStates();
    const res = await run([chunk('a'), chunk('b', { fun: 'other' })], s, { disabled: ['test.o*'] });
    assert.deepEqual(s.order(), ['a']);
    const r = resultOf(res, chunk('b', { fun: 'other' }));
    assert.equal(r.result, false);
    assert.equal(
      r.comment,
      'The state function "test.other" is currently disabled by "test.o*", to re-enable, run state.enable test.o*.',
    );
  });

  it('adds the results a state reports in sub_state_run', T, async () => {
    const sub = chunk('inner', { state: 'file', fun: 'managed', name: '/tmp/x' });
    const s = new FakeStates().script('a', { sub_state_run: [{ low: sub, changes: { x: 1 }, result: true }] });
    const res = await run([chunk('a'), chunk('b')], s);
    const r = res[chunkTag(sub)];
    assert.ok(r);
    assert.equal(r.result, true);
    assert.deepEqual(r.changes, { x: 1 });
    assert.equal(r.__id__, 'a');
    assert.equal(r.__run_num__, 1);
    assert.equal(resultOf(res, chunk('b')).__run_num__, 2);
    assert.equal(resultOf(res, chunk('a')).sub_state_run, undefined);
  });
});

describe('aggregation and pause', () => {
  it('hands the first chunk of an aggregated module to mod_aggregate, once', T, async () => {
    const s = new FakeStates();
    const seen: string[] = [];
    const p1 = chunk('p1', { state: 'pkg', fun: 'installed' });
    const p2 = chunk('p2', { state: 'pkg', fun: 'installed', require: [{ test: 'a' }] });
    await run([p1, chunk('a'), p2], s, {
      stateAggregate: ['pkg'],
      hasState: (f) => f === 'pkg.mod_aggregate' || s.hasState(f),
      aggregate: (low, chunks) => {
        seen.push(low.__id__);
        // What pkg.mod_aggregate does: mark the others and take their packages.
        for (const c of chunks) if (c.state === 'pkg' && c !== low) c.__agg__ = true;
        return Promise.resolve({ ...low, pkgs: ['p1', 'p2'] });
      },
    });
    assert.deepEqual(seen, ['p1']);
    assert.deepEqual(s.calls[0]?.chunk.pkgs, ['p1', 'p2']);
    assert.deepEqual(s.order(), ['p1', 'a', 'p2']);
  });

  it("checkPause 'kill' ends the run", T, async () => {
    const s = new FakeStates();
    const res = await run([chunk('a'), chunk('b'), chunk('c')], s, {
      checkPause: (low) => Promise.resolve(low.__id__ === 'b' ? 'kill' : 'run'),
    });
    assert.deepEqual(s.order(), ['a']);
    assert.equal(Object.keys(res).length, 1);
  });
});

describe('disabled_requisites', () => {
  it('ignores the named kinds', T, async () => {
    const s = new FakeStates().script('a', failed);
    const b = chunk('b', { require: [{ test: 'a' }], onchanges: [{ test: 'a' }] });
    const res = await run([chunk('a'), b], s, { disabledRequisites: ['require', 'onchanges'] });
    assert.equal(resultOf(res, b).comment, 'nop ran');
  });
});

describe('reloads after a state', () => {
  it('reload_* keys and package states with changes reload what Salt reloads', T, async () => {
    const seen: string[] = [];
    const refresh = (what: string) => {
      seen.push(what);
      return Promise.resolve();
    };
    const s = new FakeStates().script('p', changed).script('g', changed);
    await run(
      [
        chunk('p', { state: 'pkg', fun: 'installed' }),
        chunk('q', { state: 'pkg', fun: 'installed' }),
        chunk('g', { reload_grains: true }),
        chunk('m', { reload_modules: true }),
        chunk('f', { force_reload_modules: true }),
        chunk('x', { reload_pillar: true }),
      ],
      s,
      { refresh },
    );
    assert.deepEqual(seen, ['modules', 'grains', 'modules', 'modules', 'pillar']);
  });
});

describe('require', () => {
  it('a failed requisite fails the chunk without calling it', T, async () => {
    const s = new FakeStates().script('a', failed);
    const b = chunk('b', { require: [{ test: 'a' }] });
    const res = await run([chunk('a'), b], s);
    assert.deepEqual(s.order(), ['a']);
    const r = resultOf(res, b);
    assert.equal(r.result, false);
    assert.equal(r.comment, 'One or more requisite failed: web.a');
    assert.deepEqual(r.changes, {});
    assert.equal(r.__run_num__, 1);
    assert.equal(r.name, 'b');
  });

  it('a failure two levels down is named by the chunk that failed', T, async () => {
    const s = new FakeStates().script('a', failed);
    const b = chunk('b', { require: [{ test: 'a' }] });
    const c = chunk('c', { require: [{ test: 'b' }] });
    const res = await run([c, b, chunk('a')], s);
    assert.equal(resultOf(res, c).comment, 'One or more requisite failed: web.b');
    assert.deepEqual(runOrder(res), ['a', 'b', 'c']);
  });

  it('require_any runs when one target succeeds and fails when none does', T, async () => {
    const s = new FakeStates().script('a', failed).script('b', failed);
    const c = chunk('c', { require_any: [{ test: 'a' }, { test: 'd' }] });
    const e = chunk('e', { require_any: [{ test: 'a' }, { test: 'b' }] });
    const res = await run([chunk('a'), chunk('b'), c, chunk('d'), e], s);
    assert.equal(resultOf(res, c).comment, 'nop ran');
    assert.equal(resultOf(res, e).result, false);
    assert.equal(resultOf(res, e).comment, 'One or more requisite failed: web.a, web.b');
  });

  it('matches refs by id, by name, by glob, by sls, by id: and with a function in the key', T, async () => {
    const motd = chunk('motd', { state: 'file', fun: 'managed', name: '/etc/motd' });
    const other = chunk('other', { __sls__: 'db' });
    const refs = [
      [{ file: '/etc/motd' }],
      [{ file: 'mo*' }],
      [{ 'file.managed': 'motd' }],
      [{ id: 'motd' }],
      ['motd'],
      [{ sls: 'db' }],
      [{ sls: 'd?' }],
    ];
    for (const ref of refs) {
      const s = new FakeStates();
      const w = chunk('w', { require: ref as never });
      await run([w, motd, other], s);
      const first = ref[0] as Record<string, string> | string;
      const expected = typeof first !== 'string' && 'sls' in first ? 'other' : 'motd';
      assert.equal(s.order()[0], expected, JSON.stringify(ref));
      assert.equal(s.order()[1], 'w', JSON.stringify(ref));
    }
  });

  it('a ref names a chunk of its own state module only', T, async () => {
    const s = new FakeStates();
    const w = chunk('w', { require: [{ pkg: 'motd' }] });
    const r = resultOf(await run([w, chunk('motd')], s), w);
    assert.equal(r.result, false);
    assert.match(String(r.comment), /^The following requisites were not found:/);
  });

  it('an sls ref waits for every chunk of the SLS', T, async () => {
    const s = new FakeStates().script('d2', failed);
    const w = chunk('w', { require: [{ sls: 'db' }] });
    const res = await run([w, chunk('d1', { __sls__: 'db' }), chunk('d2', { __sls__: 'db' })], s);
    assert.deepEqual(s.order(), ['d1', 'd2']);
    assert.equal(resultOf(res, w).comment, 'One or more requisite failed: db.d2');
  });

  it("reports requisites that name nothing with Salt's text", T, async () => {
    const s = new FakeStates();
    const five = chunk('five', {
      require: [{ test: 'nonexist' }, { sls: 'nosls' }],
      onchanges: [{ file: 'x' }],
    });
    const res = await run([chunk('one'), five], s);
    const r = resultOf(res, five);
    assert.equal(r.result, false);
    assert.equal(
      r.comment,
      'The following requisites were not found:\n' +
        '                   require:\n' +
        '                       test: nonexist\n' +
        '                       sls: nosls\n' +
        '                   onchanges:\n' +
        '                       file: x\n',
    );
    assert.equal(r.__run_num__, 1);
    assert.deepEqual(s.order(), ['one']);
  });

  it('a requisite loop ends in "Recursive requisite found"', T, async () => {
    const s = new FakeStates();
    const a = chunk('a', { require: [{ test: 'b' }] });
    const b = chunk('b', { require: [{ test: 'a' }] });
    const res = await run([a, b], s);
    assert.equal(s.calls.length, 0);
    assert.equal(resultOf(res, b).comment, 'Recursive requisite found');
    assert.equal(resultOf(res, b).result, false);
    assert.equal(resultOf(res, a).comment, 'One or more requisite failed: web.b');
  });

  it('a chunk that requires itself is a recursive requisite', T, async () => {
    const s = new FakeStates();
    const a = chunk('a', { require: [{ test: 'a' }] });
    const r = resultOf(await run([a], s), a);
    assert.equal(r.result, false);
    assert.equal(r.comment, 'Recursive requisite found');
    assert.equal(s.calls.length, 0);
  });
});

describe('watch', () => {
  const svc = (extra = {}) =>
    chunk('svc', { state: 'service', fun: 'running', name: 'nginx', watch: [{ test: 'conf' }], ...extra });

  it('calls mod_watch after the function when a watched chunk changed', T, async () => {
    const s = new FakeStates().script('conf', changed).script('svc.mod_watch', { changes: { restarted: true } });
    const w = svc();
    const res = await run([chunk('conf'), w], s);
    assert.deepEqual(s.order(), ['conf', 'svc', 'svc.mod_watch']);
    const call = s.calls[2];
    assert.ok(call);
    assert.equal(call.chunk.sfun, 'running');
    assert.equal(call.chunk.fun, 'mod_watch');
    const reqs = call.chunk.__reqs__ as Record<string, { __id__: string }[]>;
    assert.deepEqual(
      reqs.watch?.map((c) => c.__id__),
      ['conf'],
    );
    const r = resultOf(res, w);
    assert.deepEqual(r.changes, { restarted: true });
    assert.equal(r.__run_num__, 2, 'the normal call took number 1');
  });

  it('skips mod_watch when the function itself changed something', T, async () => {
    const s = new FakeStates().script('conf', changed).script('svc', { changes: { started: true } });
    const res = await run([chunk('conf'), svc()], s);
    assert.deepEqual(s.order(), ['conf', 'svc']);
    assert.deepEqual(resultOf(res, svc()).changes, { started: true });
  });

  it('skips mod_watch when an unless check said skip', T, async () => {
    const s = new FakeStates().script('conf', changed);
    const res = await run([chunk('conf'), svc({ unless: 'true' })], s);
    assert.deepEqual(s.order(), ['conf']);
    assert.equal(resultOf(res, svc()).comment, 'unless condition is true');
  });

  it('without changes it is a require', T, async () => {
    const s = new FakeStates();
    await run([chunk('conf'), svc()], s);
    assert.deepEqual(s.order(), ['conf', 'svc']);
  });

  it('a failed watched chunk fails the watcher', T, async () => {
    const s = new FakeStates().script('conf', failed);
    const r = resultOf(await run([chunk('conf'), svc()], s), svc());
    assert.equal(r.comment, 'One or more requisite failed: web.conf');
  });

  it('a state module without mod_watch treats watch as require', T, async () => {
    const s = new FakeStates().script('conf', changed);
    const w = chunk('w', { watch: [{ test: 'conf' }] });
    await run([w, chunk('conf')], s);
    assert.deepEqual(s.order(), ['conf', 'w']);
    const s2 = new FakeStates().script('conf', failed);
    const r = resultOf(await run([w, chunk('conf')], s2), w);
    assert.equal(r.comment, 'One or more requisite failed: web.conf');
  });

  it('watch_any fires on one changed target and ignores a failed one', T, async () => {
    const s = new FakeStates().script('b', changed).script('a', failed);
    const w = svc({ watch: undefined, watch_any: [{ test: 'a' }, { test: 'b' }] });
    const res = await run([chunk('a'), chunk('b'), w], s);
    assert.deepEqual(s.order(), ['a', 'b', 'svc', 'svc.mod_watch']);
    assert.equal(resultOf(res, w).result, true);
  });

  it('passes test mode to mod_watch', T, async () => {
    const s = new FakeStates().script('conf', { ...changed, result: null });
    await run([chunk('conf'), svc()], s, { test: true });
    assert.deepEqual(s.order(), ['conf?', 'svc?', 'svc.mod_watch?']);
  });
});

describe('onchanges', () => {
  it('runs only when a target changed', T, async () => {
    const s = new FakeStates().script('a', changed);
    const x = chunk('x', { onchanges: [{ test: 'a' }] });
    const y = chunk('y', { onchanges: [{ test: 'b' }] });
    const res = await run([chunk('a'), chunk('b'), x, y], s);
    assert.deepEqual(s.order(), ['a', 'b', 'x']);
    const r = resultOf(res, y);
    assert.equal(r.result, true);
    assert.equal(r.comment, 'State was not run because none of the onchanges reqs changed');
    assert.equal(r.__state_ran__, false);
    assert.deepEqual(r.changes, {});
    assert.equal(r.__run_num__, 3);
  });

  it('onchanges and onchanges_any both fire when any target changed', T, async () => {
    const s = new FakeStates().script('a', changed);
    const x = chunk('x', { onchanges: [{ test: 'a' }, { test: 'b' }] });
    const y = chunk('y', { onchanges_any: [{ test: 'a' }, { test: 'b' }] });
    const res = await run([chunk('a'), chunk('b'), x, y], s);
    // Salt: onchanges fires when any target changed (onchangesmet wins over onchanges).
    assert.equal(resultOf(res, x).comment, 'nop ran');
    assert.equal(resultOf(res, y).comment, 'nop ran');
  });

  it('a failed target fails an onchanges chunk; onchanges_any forgives it when another changed', T, async () => {
    const s = new FakeStates().script('a', failed).script('b', changed);
    const x = chunk('x', { onchanges: [{ test: 'a' }] });
    const y = chunk('y', { onchanges_any: [{ test: 'a' }, { test: 'b' }] });
    const res = await run([chunk('a'), chunk('b'), x, y], s);
    assert.equal(resultOf(res, x).comment, 'One or more requisite failed: web.a');
    assert.equal(resultOf(res, y).comment, 'nop ran');
  });

  it('a state that did not run does not count as met for require', T, async () => {
    const s = new FakeStates();
    const x = chunk('x', { onchanges: [{ test: 'a' }] });
    const y = chunk('y', { require: [{ test: 'x' }] });
    const res = await run([chunk('a'), x, y], s);
    // Salt: nothing is added for a target with __state_ran__ False, so the status falls through to met.
    assert.equal(resultOf(res, y).comment, 'nop ran');
  });
});

describe('onfail', () => {
  it('runs a handler only when its target failed', T, async () => {
    const s = new FakeStates().script('bad', failed);
    const h1 = chunk('h1', { onfail: [{ test: 'bad' }] });
    const h2 = chunk('h2', { onfail: [{ test: 'good' }] });
    const res = await run([chunk('bad'), chunk('good'), h1, h2], s);
    assert.deepEqual(s.order(), ['bad', 'good', 'h1']);
    const r = resultOf(res, h2);
    assert.equal(r.result, true);
    assert.equal(r.comment, 'State was not run because onfail req did not change');
    assert.equal(r.__state_ran__, false);
  });

  it('plain onfail and onfail_any run when one target failed; onfail_all only when all did', T, async () => {
    const s = new FakeStates().script('bad', failed).script('bad2', failed);
    const h1 = chunk('h1', { onfail: [{ test: 'bad' }, { test: 'good' }] });
    const h2 = chunk('h2', { onfail_any: [{ test: 'bad' }, { test: 'good' }] });
    const h3 = chunk('h3', { onfail_all: [{ test: 'bad' }, { test: 'good' }] });
    const h4 = chunk('h4', { onfail_all: [{ test: 'bad' }, { test: 'bad2' }] });
    const res = await run([chunk('bad'), chunk('bad2'), chunk('good'), h1, h2, h3, h4], s);
    assert.equal(resultOf(res, h1).comment, 'nop ran');
    assert.equal(resultOf(res, h2).comment, 'nop ran');
    assert.equal(resultOf(res, h3).comment, 'State was not run because onfail req did not change');
    assert.equal(resultOf(res, h4).comment, 'nop ran');
  });

  it('pulls onfail_all targets forward too', T, async () => {
    const s = new FakeStates().script('bad', failed);
    const h = chunk('h', { onfail_all: [{ test: 'bad' }] });
    const res = await run([h, chunk('bad')], s);
    assert.deepEqual(s.order(), ['bad', 'h']);
    assert.equal(resultOf(res, h).comment, 'nop ran');
  });
});

describe('prereq', () => {
  const svc = (extra = {}) =>
    chunk('svc', { state: 'service', fun: 'dead', name: 'nginx', prereq: [{ file: 'conf' }], ...extra });
  const conf = chunk('conf', { state: 'file', fun: 'managed', name: '/etc/nginx.conf' });

  it('runs the prereq-ing state first when its target would change', T, async () => {
    for (const order of [
      [svc(), conf],
      [conf, svc()],
    ]) {
      const s = new FakeStates().script('conf', (_c, test) =>
        test ? { result: null, changes: { diff: 'x' } } : { changes: { diff: 'x' } },
      );
      const res = await run(order, s);
      assert.deepEqual(s.order(), ['conf?', 'svc', 'conf']);
      assert.deepEqual(runOrder(res), ['svc', 'conf']);
      assert.deepEqual(resultOf(res, conf).changes, { diff: 'x' });
      assert.equal(resultOf(res, svc()).__run_num__, 0);
    }
  });

  it('"No changes detected" when the target would not change', T, async () => {
    const s = new FakeStates();
    const res = await run([svc(), conf], s);
    assert.deepEqual(s.order(), ['conf?', 'conf']);
    const r = resultOf(res, svc());
    assert.equal(r.result, true);
    assert.equal(r.comment, 'No changes detected');
    assert.deepEqual(runOrder(res), ['svc', 'conf']);
  });

  it('a target whose test run fails fails the prereq-ing state; the target is shown without changes', T, async () => {
    const s = new FakeStates().script('conf', { result: false, changes: { diff: 'x' }, comment: 'bad source' });
    const res = await run([svc(), conf], s);
    assert.deepEqual(s.order(), ['conf?']);
    assert.equal(resultOf(res, svc()).comment, 'One or more requisite failed: web.conf');
    const r = resultOf(res, conf);
    assert.equal(r.result, false);
    assert.equal(r.comment, 'bad source');
    assert.deepEqual(r.changes, {});
    assert.equal(r.__run_num__, 1);
  });

  it('a target whose prereq-ing state failed is not run', T, async () => {
    const s = new FakeStates()
      .script('conf', (_c, test) => (test ? { result: null, changes: { diff: 'x' }, comment: 'would' } : changed))
      .script('svc', failed);
    const res = await run([svc(), conf], s);
    assert.deepEqual(s.order(), ['conf?', 'svc']);
    // Salt shows the target's test run, its changes dropped (real Salt 3006.8 does the same).
    const r = resultOf(res, conf);
    assert.equal(r.result, null);
    assert.equal(r.comment, 'would');
    assert.deepEqual(r.changes, {});
    assert.equal(r.__run_num__, 1);
  });

  it('in test mode both run in test mode, the prereq-ing state first', T, async () => {
    const s = new FakeStates().script('conf', { result: null, changes: { diff: 'x' } });
    const res = await run([conf, svc()], s, { test: true });
    assert.deepEqual(s.order(), ['conf?', 'svc?', 'conf?']);
    assert.deepEqual(runOrder(res), ['svc', 'conf']);
  });
});

describe('listen', () => {
  it('calls mod_watch at the end for listeners whose target changed', T, async () => {
    const s = new FakeStates().script('conf', changed).script('listener_svc.mod_watch', { comment: 'restarted' });
    const svc = chunk('svc', { state: 'service', fun: 'running', name: 'nginx', listen: [{ test: 'conf' }] });
    const quiet = chunk('quiet', { state: 'service', fun: 'running', listen: [{ test: 'other' }] });
    const res = await run([svc, chunk('conf'), quiet, chunk('other'), chunk('last')], s);
    assert.deepEqual(s.order(), ['svc', 'conf', 'quiet', 'other', 'last', 'listener_svc.mod_watch']);
    const tag = 'service_|-listener_svc_|-nginx_|-mod_watch';
    const r = res[tag];
    assert.ok(r);
    assert.equal(r.comment, 'restarted');
    assert.equal(r.__id__, 'listener_svc');
    assert.equal(r.__run_num__, 5);
    assert.equal(s.calls[5]?.chunk.sfun, 'running');
    assert.equal(s.calls[5]?.chunk.listen, undefined);
    assert.equal(res['service_|-listener_quiet_|-quiet_|-mod_watch'], undefined);
  });

  it('reports a listen target that does not exist', T, async () => {
    const s = new FakeStates();
    const lis = chunk('lis2', { listen: [{ test: 'nothere' }] });
    const res = await run([lis], s);
    const r = res['Listen_Error_|-listen_nothere_|-listen_test_|-Listen_Error'];
    assert.ok(r);
    assert.equal(r.result, false);
    assert.equal(r.comment, 'Referenced state test: nothere does not exist');
    assert.equal(r.name, 'listen_test:nothere');
    assert.equal(r.__run_num__, 1);
  });
});

describe('failhard', () => {
  it("a chunk's failhard stops the run; later chunks are left out", T, async () => {
    const s = new FakeStates().script('b', failed);
    const res = await run([chunk('a'), chunk('b', { failhard: true }), chunk('c')], s);
    assert.deepEqual(s.order(), ['a', 'b']);
    assert.deepEqual(runOrder(res), ['a', 'b']);
  });

  it('the global failhard stops at the first failure, listeners still run', T, async () => {
    const s = new FakeStates().script('a', changed).script('b', failed);
    const l = chunk('l', { state: 'service', listen: [{ test: 'a' }] });
    const res = await run([chunk('a'), chunk('b'), chunk('c'), l], s, { failhard: true });
    assert.deepEqual(s.order(), ['a', 'b', 'listener_l.mod_watch']);
    assert.equal(Object.keys(res).length, 3);
  });

  it('a failed requisite of a failhard chunk stops the run', T, async () => {
    const s = new FakeStates().script('a', failed);
    const b = chunk('b', { require: [{ test: 'a' }] });
    const res = await run([b, chunk('x'), chunk('a')], s, { failhard: true });
    assert.deepEqual(s.order(), ['a']);
    assert.deepEqual(runOrder(res), ['a']);
  });

  it('does not stop in test mode or on a pending (None) result', T, async () => {
    const s = new FakeStates().script('b', failed);
    await run([chunk('a'), chunk('b'), chunk('c')], s, { failhard: true, test: true });
    assert.deepEqual(s.order(), ['a?', 'b?', 'c?']);
    const s2 = new FakeStates().script('b', { result: null });
    await run([chunk('a'), chunk('b', { failhard: true }), chunk('c')], s2);
    assert.deepEqual(s2.order(), ['a', 'b', 'c']);
  });
});

describe('retry', () => {
  it('calls again until the result matches, and says so in the comment', T, async () => {
    let n = 0;
    const slept: number[] = [];
    const s = new FakeStates().script('a', () => (++n === 1 ? { result: false, comment: 'no' } : { comment: 'yes' }));
    const a = chunk('a', { retry: { attempts: 3, interval: 2 } });
    const res = await run([a, chunk('b')], s, {
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    });
    const r = resultOf(res, a);
    assert.equal(r.result, true);
    assert.equal(r.comment, 'Attempt 1: Returned a result of "False", with the following comment: "no"\nyes');
    assert.deepEqual(slept, [2000]);
    assert.ok(r.duration >= 2000);
    assert.equal(n, 2);
    assert.equal(r.__run_num__, 1, 'each attempt takes a run number');
  });

  it('stops after the attempts', T, async () => {
    const s = new FakeStates().script('a', failed);
    const res = await run([chunk('a', { retry: { attempts: 2, interval: 0, until: true } })], s);
    assert.equal(s.calls.length, 2);
    assert.equal(
      resultOf(res, chunk('a')).comment,
      'Attempt 1: Returned a result of "False", with the following comment: "nope"\nnope',
    );
  });

  it('in test mode only says it would retry', T, async () => {
    const s = new FakeStates().script('a', { result: null, comment: 'would' });
    const res = await run([chunk('a', { retry: { attempts: 2, interval: 1, until: false } })], s, { test: true });
    assert.equal(s.calls.length, 1);
    assert.equal(
      resultOf(res, chunk('a')).comment,
      'would  The state would be retried every 1 seconds (with a splay of up to 0 seconds) ' +
        'a maximum of 2 times or until a result of False is returned',
    );
  });
});

describe('parallel', () => {
  it('runs parallel chunks together and waits for them where required', T, async () => {
    const events: string[] = [];
    const slow = (id: string, ms: number) => async () => {
      events.push(`start ${id}`);
      await new Promise((r) => setTimeout(r, ms));
      events.push(`end ${id}`);
      return { changes: { id } };
    };
    const s = new FakeStates().script('p1', slow('p1', 150)).script('p2', slow('p2', 50));
    const p1 = chunk('p1', { parallel: true });
    const p2 = chunk('p2', { parallel: true });
    const after = chunk('after', { require: [{ test: 'p1' }] });
    const t0 = Date.now();
    const res = await run([p1, p2, after], s);
    assert.ok(Date.now() - t0 < 1000);
    assert.deepEqual(events, ['start p1', 'start p2', 'end p2', 'end p1']);
    assert.deepEqual(s.order(), ['p1', 'p2', 'after']);
    const r = resultOf(res, p1);
    assert.equal(r.__parallel__, true);
    assert.deepEqual(r.changes, { id: 'p1' });
    assert.equal(r.__run_num__, 0);
    assert.ok(r.duration >= 100);
    assert.deepEqual(resultOf(res, p2).changes, { id: 'p2' });
  });
});
