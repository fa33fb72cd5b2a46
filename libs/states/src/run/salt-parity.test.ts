import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { chunkTag, type HighstateResult, type LowChunk, type StateReturn } from '../types.js';
import { shSalt } from './fake-states.js';
import { runChunks, type RunOptions } from './runner.js';
import {
  LOW,
  LOW_G,
  LOW_H,
  LOW_R,
  RESULT,
  RESULT_FAILHARD,
  RESULT_FAILHARD_TEST,
  RESULT_G,
  RESULT_G_TEST,
  RESULT_H,
  RESULT_H_TEST,
  RESULT_R,
  RESULT_R_TEST,
  RESULT_TEST,
} from './salt-parity.fixture.js';

/*
 * The runner against real Salt 3006.8: the same low chunks, with Salt's
 * `test` state module reimplemented here, must give Salt's results (all
 * but the timing keys).
 */

const T = { timeout: 20_000 };
const CHANGES = { testing: { old: 'Unchanged', new: 'Something pretended to change' } };

/** Salt's states/test.py, the functions the fixture uses. */
function testState(running: HighstateResult, c: LowChunk, test: boolean): StateReturn {
  const name = c.name;
  switch (c.fun) {
    case 'succeed_without_changes':
      return { name, changes: {}, result: true, comment: 'Success!' };
    case 'fail_without_changes':
      return {
        name,
        changes: {},
        result: false,
        comment: test ? "If we weren't testing, this would be a failure!" : 'Failure!',
      };
    case 'succeed_with_changes':
      return test
        ? {
            name,
            changes: CHANGES,
            result: null,
            comment: "If we weren't testing, this would be successful with changes",
          }
        : { name, changes: CHANGES, result: true, comment: 'Success!' };
    case 'fail_with_changes':
      return test
        ? { name, changes: CHANGES, result: null, comment: "If we weren't testing, this would be failed with changes" }
        : { name, changes: CHANGES, result: false, comment: 'Failure!' };
    case 'mod_watch': {
      const reqs = c.__reqs__ as Record<string, LowChunk[]> | undefined;
      const has = (reqs?.watch ?? [])
        .filter((r) => Object.keys(running[chunkTag(r)]?.changes ?? {}).length > 0)
        .map((r) => `${r.state}: ${r.__id__}`);
      return { name, result: true, comment: 'Watch statement fired.', changes: { 'Requisites with changes': has } };
    }
    default:
      throw new Error(`test.${c.fun} is not in the fixture`);
  }
}

function options(test: boolean, failhard: boolean): RunOptions {
  return {
    callState: (c, { test: t, running }) => Promise.resolve(testState(running, c, t)),
    hasState: (fun) => fun.startsWith('test.') && !fun.startsWith('test.mod_run_check'),
    salt: shSalt,
    test,
    failhard,
    log: silentLogger(),
  };
}

/**
 * The timing values as '*' (the fixture's), their keys kept in place.
 * Where Salt gives no timing (a prereq target's test result, a
 * Listen_Error) ours, at the end, is left out.
 */
function withoutTiming(
  result: HighstateResult,
  want: Record<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [tag, r] of Object.entries(result)) {
    const copy: Record<string, unknown> = { ...r };
    for (const key of ['start_time', 'duration']) {
      if (want[tag] !== undefined && !(key in want[tag])) delete copy[key];
      else if (key in copy) copy[key] = '*';
    }
    out[tag] = copy;
  }
  return out;
}

describe('parity with Salt 3006.8', () => {
  for (const [label, low, test, failhard, expected] of [
    ['e.sls, a real run,', LOW, false, false, RESULT],
    ['e.sls, a test run,', LOW, true, false, RESULT_TEST],
    ['e.sls with failhard, a real run,', LOW, false, true, RESULT_FAILHARD],
    ['e.sls with failhard, a test run,', LOW, true, true, RESULT_FAILHARD_TEST],
    ['g.sls, a real run,', LOW_G, false, false, RESULT_G],
    ['g.sls, a test run,', LOW_G, true, false, RESULT_G_TEST],
    ['h.sls, a real run,', LOW_H, false, false, RESULT_H],
    ['h.sls, a test run,', LOW_H, true, false, RESULT_H_TEST],
    ['r1.sls, a real run,', LOW_R, false, false, RESULT_R],
    ['r1.sls, a test run,', LOW_R, true, false, RESULT_R_TEST],
  ] as const) {
    it(`${label} gives Salt's results`, T, async () => {
      const want = expected as unknown as Record<string, Record<string, unknown>>;
      const got = withoutTiming(await runChunks(low as unknown as LowChunk[], options(test, failhard)), want);
      assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
      for (const tag of Object.keys(want)) {
        assert.deepEqual(got[tag], want[tag], tag);
        // Salt's JSON output keeps its dicts' insertion order; so does ours.
        assert.deepEqual(Object.keys(got[tag] ?? {}), Object.keys(want[tag] ?? {}), `key order of ${tag}`);
      }
    });
  }
});
