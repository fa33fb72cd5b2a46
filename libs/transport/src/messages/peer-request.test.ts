import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadMessageError } from '../errors.js';
import { parsePeerPublish, parsePeerRun, parsePubRet } from './peer-request.js';

test("parsePeerPublish reads Salt 3006.8's minion_pub load", () => {
  const r = parsePeerPublish({
    cmd: 'minion_pub',
    fun: 'cmd.run',
    arg: ['hostname'],
    tgt: '*',
    tgt_type: 'glob',
    ret: '',
    tok: 'x',
    tmo: 5,
    form: 'clean',
    id: 'm1',
    no_parse: [],
  });
  assert.deepEqual(r, {
    fun: 'cmd.run',
    arg: ['hostname'],
    tgt: '*',
    tgt_type: 'glob',
    ret: '',
    timeout: 5,
    badTimeout: undefined,
    form: 'clean',
    noParse: [],
  });
});

test('parsePeerPublish: a comma list is a compound call, each argument split on whitespace', () => {
  const r = parsePeerPublish({ fun: 'test.ping,cmd.run', arg: ['', 'cat /proc/cpuinfo'], tgt: '*', ret: '' });
  assert.deepEqual(r.fun, ['test.ping', 'cmd.run']);
  assert.deepEqual(r.arg, [[], ['cat', '/proc/cpuinfo']]);
  assert.equal(r.tgt_type, 'glob');
});

test('parsePeerPublish refuses what Salt refuses, naming the field; a bad timeout is reported', () => {
  const field = (load: Record<string, unknown>): string | undefined => {
    try {
      parsePeerPublish(load);
      return undefined;
    } catch (err) {
      assert.ok(err instanceof BadMessageError);
      return err.field;
    }
  };
  assert.equal(field({ arg: [], tgt: '*', ret: '' }), 'fun');
  assert.equal(field({ fun: 'test.ping', tgt: '*', ret: '' }), 'arg');
  assert.equal(field({ fun: 'test.ping', arg: [], ret: '' }), 'tgt');
  assert.equal(field({ fun: 'test.ping', arg: [], tgt: '*' }), 'ret');
  assert.equal(parsePeerPublish({ fun: 'a.b', arg: [], tgt: '*', ret: '', timeout: 'soon' }).badTimeout, 'soon');
  assert.equal(parsePeerPublish({ fun: 'a.b', arg: [], tgt: '*', ret: '', timeout: '7' }).timeout, 7);
});

test('parsePeerRun and parsePubRet', () => {
  assert.deepEqual(parsePeerRun({ fun: 'jobs.list_jobs', arg: [], tmo: 5 }), {
    fun: 'jobs.list_jobs',
    arg: [],
    noParse: [],
  });
  assert.throws(() => parsePeerRun({ fun: 'jobs.list_jobs' }), BadMessageError);
  assert.deepEqual(parsePubRet({ jid: '20260101000000000000' }), { jid: '20260101000000000000' });
  assert.throws(() => parsePubRet({}), BadMessageError);
});
