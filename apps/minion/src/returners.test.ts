import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Logger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { definePlugin } from '@tsalt/loader';
import type { JobReturn } from './executor.js';
import { MinionReturners, returnerNamesFor, returnerRet } from './returners.js';

const T = { timeout: 5_000 };

/** A logger that keeps every line, so a test can count them. */
function recordingLogger(): { log: Logger; lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const make = (): Logger => {
    const at = (level: string) => (a: unknown, b?: unknown) =>
      void lines.push({ level, msg: String(typeof a === 'string' ? a : b) });
    return {
      error: at('error'),
      warn: at('warn'),
      info: at('info'),
      debug: at('debug'),
      trace: at('trace'),
      fatal: at('fatal'),
      child: () => make(),
    } as unknown as Logger;
  };
  return { log: make(), lines };
}

const ret: JobReturn = {
  cmd: '_return',
  id: 'm1',
  jid: '20250101000000000001',
  fun: 'test.ping',
  fun_args: [],
  return: true,
  retcode: 0,
  success: true,
};

describe('minion returners', () => {
  it('names come from the publish ret, then return:, then ext_job_cache, without duplicates', T, () => {
    assert.deepEqual(
      returnerNamesFor({ ret: 'redis, syslog' }, { return: ['syslog', 'local'], ext_job_cache: 'mysql' }),
      ['redis', 'syslog', 'local', 'mysql'],
    );
    assert.deepEqual(returnerNamesFor({ ret: '' }, { return: 'a,b' }), ['a', 'b']);
    assert.deepEqual(returnerNamesFor({}, { return: '', ext_job_cache: '' }), []);
  });

  it('the ret carries ret_config and ret_kwargs from the publish, and no cmd', T, () => {
    const r = returnerRet('m1', { ret_config: 'alt', ret_kwargs: { filename: '/x' } }, ret);
    assert.equal(r['cmd'], undefined);
    assert.equal(r['ret_config'], 'alt');
    assert.deepEqual(r['ret_kwargs'], { filename: '/x' });
    assert.equal(r['id'], 'm1');
  });

  it('calls each returner; a missing or failing one logs one line and the others still run', T, async () => {
    const got: unknown[] = [];
    let closed = 0;
    const plugins = [
      definePlugin({
        name: 'good',
        functions: { returner: { doc: 'x', params: ['ret'], fn: (_c, a) => void got.push(a['ret']) } },
        shutdown: () => void closed++,
      }),
      definePlugin({
        name: 'bad',
        functions: {
          returner: {
            doc: 'x',
            params: ['ret'],
            fn: () => {
              throw new Error('disk full');
            },
          },
        },
      }),
      definePlugin({
        name: 'absent',
        virtual: () => 'needs a thing',
        functions: { returner: { doc: 'x', fn: () => undefined } },
      }),
    ];
    const { log, lines } = recordingLogger();
    const r = new MinionReturners({ opts: minionConfig({ id: 'm1', return: 'good' }), grains: {}, log, plugins });
    assert.deepEqual(r.names(), ['bad', 'good']);
    await r.dispatch({ ret: 'nosuch,bad,absent,good', ret_kwargs: { a: 1 } }, ret);
    assert.equal(got.length, 1, 'good ran once although named twice');
    assert.deepEqual((got[0] as Record<string, unknown>)['ret_kwargs'], { a: 1 });
    const errors = lines.filter((l) => l.level === 'error').map((l) => l.msg);
    assert.equal(errors.length, 3);
    assert.match(errors[0]!, /^Returner 'nosuch' is not available$/);
    assert.match(errors[1]!, /returner 'bad': disk full/);
    assert.match(errors[2]!, /^Returner 'absent' is not available: needs a thing$/);
    await r.shutdown();
    assert.equal(closed, 1);
  });

  it('resume() calls resume_spool on the returners that have one', T, async () => {
    let resumed = 0;
    const plugins = [
      definePlugin({
        name: 'spooled',
        functions: {
          returner: { doc: 'x', fn: () => undefined },
          resume_spool: { doc: 'x', fn: () => void resumed++ },
        },
      }),
      definePlugin({ name: 'plain', functions: { returner: { doc: 'x', fn: () => undefined } } }),
    ];
    const r = new MinionReturners({
      opts: minionConfig({ id: 'm1' }),
      grains: {},
      log: recordingLogger().log,
      plugins,
    });
    r.resume();
    await new Promise((res) => setImmediate(res));
    assert.equal(resumed, 1);
  });
});
