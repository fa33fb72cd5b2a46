import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCliArgs } from '@tsalt/loader';
import { highstateOptions, printOut } from './common.js';
import { saltProgram } from './salt-cli.js';
import { callProgram } from './call-cli.js';

const STATE = {
  'web-1': {
    'test_|-a_|-a_|-succeed_without_changes': {
      name: 'a',
      result: true,
      changes: {},
      comment: 'Success!',
      __run_num__: 0,
      __id__: 'a',
      __sls__: 'base',
      start_time: '10:00:00.000001',
      duration: 0.5,
    },
    'test_|-b_|-b_|-fail_without_changes': {
      name: 'b',
      result: false,
      changes: {},
      comment: 'Failure!',
      __run_num__: 1,
      __id__: 'b',
      __sls__: 'base',
      start_time: '10:00:00.000002',
      duration: 0.25,
    },
  },
};

test('highstateOptions: config keys, then --state-output/--state-verbose/--output-diff, then exclude=/terse=', () => {
  const opts = { state_output: 'full', state_verbose: true, state_output_profile: false, other: 1 };
  assert.deepEqual(highstateOptions(opts, {}), {
    state_output: 'full',
    state_verbose: true,
    state_output_profile: false,
  });
  assert.deepEqual(
    highstateOptions(opts, { stateOutput: 'terse', stateVerbose: 'False', outputDiff: true }, parseCliArgs(['x'])),
    {
      state_output: 'terse',
      state_verbose: false,
      state_output_profile: false,
      state_output_diff: true,
    },
  );
  // Salt leaves other spellings as a (truthy) string.
  assert.equal(highstateOptions({}, { stateVerbose: 'no' }).state_verbose, true);
  const hs = highstateOptions({ state_output: 'filter' }, {}, parseCliArgs(['exclude=True,', 'terse=False,']));
  assert.equal(hs.state_output_exclude, 'True,');
  assert.equal(hs.state_output_terse, 'False,');
});

test('the state flags parse on tsalt and tsalt-call, in both of Salt spellings', () => {
  const salt = saltProgram().parse(['node', 'tsalt', '*', 'state.apply', '--state-output', 'terse', '--output-diff']);
  assert.equal(salt.opts()['stateOutput'], 'terse');
  assert.equal(salt.opts()['outputDiff'], true);
  const call = callProgram().parse([
    'node',
    'tsalt-call',
    'state.apply',
    '--state_output=mixed',
    '--state_verbose',
    'False',
  ]);
  assert.equal(call.opts()['stateOutput'], 'mixed');
  assert.equal(call.opts()['stateVerbose'], 'False');
});

test('printOut renders a state return with highstate and the given settings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-cli-'));
  try {
    const file = path.join(dir, 'out.txt');
    printOut(STATE, 'highstate', { outputFile: file }, 2, { state_output: 'terse', state_output_profile: false });
    assert.equal(
      fs.readFileSync(file, 'utf8'),
      [
        'web-1:',
        '  Name: a - Function: test.succeed_without_changes - Result: Clean',
        '  Name: b - Function: test.fail_without_changes - Result: Failed',
        '',
        'Summary for web-1',
        '------------',
        'Succeeded: 1',
        'Failed:    1',
        '------------',
        'Total states run:     2',
        '',
      ].join('\n'),
    );
    // Salt's display_output prints nothing for an empty rendering (highstate of {}).
    const before = fs.readFileSync(file, 'utf8');
    printOut({}, 'highstate', { outputFile: file });
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
