import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkTag, type HighstateResult, type StateResult } from '../types.js';
import { chunk } from './fake-states.js';
import { runFailed, runRetcode } from './retcode.js';

function res(...rs: [string, boolean | null][]): HighstateResult {
  const out: HighstateResult = {};
  rs.forEach(([id, result], i) => {
    const r: StateResult = {
      name: id,
      result,
      changes: {},
      comment: '',
      __id__: id,
      __sls__: 'web',
      __run_num__: i,
      start_time: '00:00:00',
      duration: 0,
    };
    out[chunkTag(chunk(id))] = r;
  });
  return out;
}

describe('runRetcode', () => {
  it('0 when nothing failed (None counts as success), 2 when a state failed, 1 for compile errors', () => {
    assert.equal(runRetcode(res(['a', true], ['b', null])), 0);
    assert.equal(runRetcode(res(['a', true], ['b', false])), 2);
    assert.equal(runRetcode(['Rendering SLS web failed']), 1);
    assert.equal(runFailed(res(['a', true])), false);
    assert.equal(runFailed(res(['a', false])), true);
  });

  it('an empty run is a failure, as check_result has it', () => {
    assert.equal(runRetcode({}), 2);
  });

  it('a failure handled by an onfail_stop: False handler that succeeded does not count', () => {
    const handler = chunk('h', { onfail: [{ test: 'a' }], onfail_stop: false });
    const chunks = [chunk('a'), handler];
    assert.equal(runRetcode(res(['a', false], ['h', true]), chunks), 0);
    assert.equal(runRetcode(res(['a', false], ['h', false]), chunks), 2);
    assert.equal(runRetcode(res(['a', false], ['h', true]), [chunk('a'), { ...handler, onfail_stop: true }]), 2);
  });
});
