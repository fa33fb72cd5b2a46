/**
 * Salt's highstate outputter (salt/output/highstate.py): what `state.apply`,
 * `state.sls` and `state.highstate` print. Each minion's return is a dict
 * of `<state>_|-<id>_|-<name>_|-<fun>` to the state's result; a list is the
 * errors of a run that failed to compile. Options: state_output (full,
 * terse, mixed, changes, filter, `_id`), state_verbose, state_output_diff,
 * state_output_profile, state_output_pct, state_compress_ids, state_tabular
 * (see options.ts). Where Salt's outputter fails on the data, the data
 * prints with nested, as Salt's try_printout does.
 */
import { definePlugin } from '@tsalt/loader';
import { isRecord } from '@tsalt/core';
import { nested } from '../nested-display.js';
import { optionsFromArgs, type ResolvedOutputOptions } from '../options.js';
import { compressIds } from './highstate-compress.js';
import { formatHost, type HighstateRender } from './highstate-host.js';
import { FallBackToNested, isDict, pyRstrip } from './highstate-py.js';

/** Salt's `output()`: unwraps job envelopes, then one block per minion. */
function output(input: unknown, r: HighstateRender, indentLevel: number): unknown {
  let data = input;
  if (isDict(data) && 'return' in data) data = data['return'];
  if (isDict(data) && 'data' in data) data = data['data'];
  // A jobs.lookup_jid return: {minion: {jid, fun, return: {data: ...}}}.
  if (isDict(data) && Object.keys(data).length === 1) {
    const only = Object.values(data)[0];
    if (isDict(only) && 'jid' in only && 'fun' in only) {
      const ret = 'return' in only ? only['return'] : {};
      if (!isDict(ret)) throw new FallBackToNested("'str' object has no attribute 'get'");
      if ('data' in ret) data = ret['data'];
    }
  }
  if (typeof data === 'string' || typeof data === 'boolean' || (typeof data === 'number' && Number.isInteger(data)))
    return data;
  if (data === null || data === undefined) return 'None';
  if (!isDict(data)) throw new FallBackToNested("object has no attribute 'keys'");
  // An orchestration's return carries its retcode beside the one `<id>_master` entry.
  if ('retcode' in data && Object.keys(data).filter((k) => k.endsWith('_master')).length === 1) {
    data = { ...data };
    delete (data as Record<string, unknown>)['retcode'];
  }
  if (r.o.compressIds) data = compressIds(data);
  if (!isRecord(data)) throw new FallBackToNested('not a dict');
  return Object.entries(data)
    .map(([host, hostdata]) => formatHost(host, hostdata, r, indentLevel)[0])
    .join('\n');
}

/** The whole outputter, as Salt's CLI prints it (trailing whitespace stripped). */
export function highstate(data: unknown, o: ResolvedOutputOptions): string {
  const r: HighstateRender = { o: o.highstate, color: o.color, output: (d, level) => output(d, r, level) };
  let text: unknown;
  try {
    text = output(data, r, 1);
  } catch (err) {
    if (!(err instanceof FallBackToNested)) throw err;
    return pyRstrip(nested(data, o.color, o.retcode));
  }
  // Salt's try_printout: an outputter result without rstrip (an int, a bool) goes to nested.
  if (typeof text !== 'string') return pyRstrip(nested(data, o.color, o.retcode));
  return pyRstrip(text);
}

export default definePlugin({
  name: 'highstate',
  doc: 'Display the results of a state run (state.apply, state.sls, state.highstate): one block per state, then a summary per minion.',
  functions: {
    output: {
      doc: 'Render state returns. Kwargs: color, retcode, and the state_output* / state_verbose settings.',
      params: ['data'],
      varkw: true,
      fn: (_ctx, a) => highstate(a['data'], optionsFromArgs(a)),
    },
  },
});
