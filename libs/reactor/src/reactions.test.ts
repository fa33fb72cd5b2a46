import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileReactions } from './reactions.js';
import { parseYaml as parseRendered } from '@tsalt/render';
import { StormGuard } from './storm-guard.js';

const compile = (yaml: string) => compileReactions('r.sls', parseRendered(yaml, 'r.sls'));

describe('compiling rendered reactions', () => {
  test('wheel.key.accept with the new args syntax', () => {
    const [r, ...rest] = compile('accept:\n  wheel.key.accept:\n    - args:\n      - match: web1\n');
    assert.equal(rest.length, 0);
    assert.deepEqual(
      { ...r, sls: undefined },
      {
        name: 'accept',
        sls: undefined,
        kind: 'wheel',
        fun: 'key.accept',
        arg: [],
        kwarg: { match: 'web1' },
        warnings: [],
      },
    );
  });

  test('local.cmd.run: target, tgt_type, kwargs from args, ret', () => {
    const [r] = compile(
      "run:\n  local.cmd.run:\n    - tgt: 'G@os:Debian'\n    - tgt_type: compound\n    - ret: syslog\n    - args:\n      - cmd: touch /tmp/x\n",
    );
    assert.equal(r!.kind, 'local');
    assert.equal(r!.fun, 'cmd.run');
    assert.equal(r!.tgt, 'G@os:Debian');
    assert.equal(r!.tgt_type, 'compound');
    assert.equal(r!.ret, 'syslog');
    assert.deepEqual(r!.arg, []);
    assert.deepEqual(r!.kwarg, { cmd: 'touch /tmp/x' });
  });

  test('a plain args list is positional; legacy arg/kwarg and expr_form still work', () => {
    const [a, b] = compile(
      'a:\n  local.test.echo:\n    - tgt: m1\n    - args: [hello, 2]\nb:\n  cmd.test.arg:\n    - tgt: [m1, m2]\n    - expr_form: list\n    - arg: [x]\n    - kwarg: {k: v}\n',
    );
    assert.deepEqual([a!.arg, a!.kwarg, a!.tgt_type], [['hello', 2], {}, 'glob']);
    assert.deepEqual([b!.kind, b!.arg, b!.kwarg, b!.tgt_type], ['local', ['x'], { k: 'v' }, 'list']);
  });

  test("args wins over arg/kwarg, with Salt's warning", () => {
    const [r] = compile('a:\n  runner.jobs.list_jobs:\n    - arg: [1]\n    - args:\n      - search_target: web*\n');
    assert.deepEqual(r!.kwarg, { search_target: 'web*' });
    assert.match(r!.warnings[0]!, /ignoring 'arg' param \[1\] due to presence of 'args' param/);
  });

  test('legacy runner/wheel: the SLS keys are the keyword arguments', () => {
    const [r] = compile('a:\n  wheel.key.delete:\n    - match: old*\n');
    assert.deepEqual(r!.kwarg, { match: 'old*' });
    assert.equal(r!.looseKwarg, true);
  });

  test('an empty render is no reaction; bad shapes are BAD_REACTION naming the id', () => {
    assert.deepEqual(compile(''), []);
    assert.deepEqual(compile('# nothing today\n'), []);
    assert.throws(() => compile('a:\n  local.cmd.run:\n    - arg: [ls]\n'), {
      code: 'BAD_REACTION',
      message: /reaction 'a': local reactions need 'tgt'/,
    });
    assert.throws(() => compile('a:\n  shell.cmd.run: []\n'), {
      code: 'BAD_REACTION',
      message: /unknown reaction type 'shell'/,
    });
    assert.throws(() => compile('a:\n  local: []\n'), { code: 'BAD_REACTION', message: /does not name a function/ });
    assert.throws(() => compile('- a\n- b\n'), { code: 'BAD_REACTION', message: /must render to a mapping/ });
  });

  test('YAML errors carry the rendered line; big integers stay exact', () => {
    assert.throws(
      () => parseRendered('a:\n  b: [1,\n c: d\n', 'r.sls'),
      (e: Error & { line?: number; code?: string }) =>
        e.code === 'RENDER_YAML' && typeof e.line === 'number' && /r\.sls: line \d+ \(rendered\)/.test(e.message),
    );
    assert.deepEqual(parseRendered('jid: 20250101120000123456\nn: 5\nyes_: yes\n', 'r.sls'), {
      jid: '20250101120000123456',
      n: 5,
      yes_: true,
    });
  });
});

describe('storm guard', () => {
  test('depth comes from the marker or a remembered jid; deep chains are cut and reported once', () => {
    let now = 0;
    const g = new StormGuard({ maxDepth: 3, limit: 0, windowMs: 1000, now: () => now });
    assert.equal(g.depthOf('x', {}), 0);
    assert.equal(g.depthOf('x', { _reactor_depth: 2 }), 2);
    g.noteJid('20250101120000123456', 1);
    assert.equal(g.depthOf('salt/job/20250101120000123456/ret/m1', {}), 2);
    assert.equal(g.depthOf('20250101120000123456', {}), 2);
    assert.deepEqual(g.admit('s', 't', {}, 2), { ok: true });
    const cut = g.admit('s', 't', {}, 3);
    assert.equal(cut.ok, false);
    assert.equal(cut.ok === false && cut.report, true);
    const again = g.admit('s', 't', {}, 3);
    assert.equal(again.ok === false && again.report, false);
    now = 1000;
    const later = g.admit('s', 't', {}, 3);
    assert.equal(later.ok === false && later.report, true);
  });

  test('rate: past the limit one (sls, tag, sender) is suppressed until quiet for a window', () => {
    let now = 0;
    const g = new StormGuard({ maxDepth: 10, limit: 3, windowMs: 1000, now: () => now });
    const ok = (id = 'm1'): boolean => g.admit('s', 'loop', { id }, 0).ok;
    assert.deepEqual([ok(), ok(), ok()], [true, true, true]);
    const tripped = g.admit('s', 'loop', { id: 'm1' }, 0);
    assert.equal(tripped.ok === false && tripped.report, true);
    assert.equal(ok('m2'), true, 'another sender is not affected');
    now = 900;
    assert.equal(ok(), false);
    now = 1800;
    assert.equal(ok(), false, 'still busy: the quiet period restarts');
    now = 2900;
    assert.equal(ok(), true, 'quiet for a window: allowed again');
  });
});
