/**
 * One minion's part of Salt's highstate output (salt/output/highstate.py
 * `_format_host`): its states in `__run_num__` order, then the summary.
 * A list is a run that failed to compile; a string or an integer comes
 * from saltmod functions and prints as a change.
 */
import { pyRepr, pyStr, splitlines } from '@tsalt/core';
import { getColors, type Colors } from '../colors.js';
import { nested } from '../nested-display.js';
import type { ResolvedHighstateOptions } from '../options.js';
import {
  FallBackToNested,
  isDict,
  pyFloat,
  pyFloatStr,
  pyJoinLines,
  pyLstrip,
  pyRstrip,
  pyStrip,
  truthy,
} from './highstate-py.js';
import { FALSE, formatSummary, NONE, ResultCounts, TRUE, WARNINGS } from './highstate-summary.js';
import { formatTerse } from './highstate-terse.js';
import { pformat, textwrapFill } from './py-textwrap.js';

/** Column where a state's values start (after `     Comment: `), chars. */
const VALUE_COL = 14;
const PAD = ' '.repeat(VALUE_COL);
const ORCHESTRATIONS = ['state.orch', 'state.orchestrate', 'state.sls'];
const RUN_NUM_MISSING =
  'The State execution failed to record the order in which all states were executed. The state return missing data is:';

export interface HighstateRender {
  o: ResolvedHighstateOptions;
  color: boolean;
  /** The whole output() again, for orchestration results nested in a state's changes. */
  output: (data: unknown, indentLevel: number) => unknown;
}

/** Python dict-key identity of a result: True == 1, False == 0; lists and dicts are unhashable. */
function resultKey(v: unknown): string {
  if (v === true || v === 1) return TRUE;
  if (v === false || v === 0) return FALSE;
  if (v === null) return NONE;
  if (typeof v === 'object') throw new FallBackToNested("unhashable type: 'dict'");
  return `other:${pyRepr(v)}`;
}

const stripEsc = (s: string): string => s.replace(/\x1b/g, '?');

function get(ret: Record<string, unknown>, key: string): unknown {
  if (!(key in ret)) throw new FallBackToNested(`KeyError: '${key}'`);
  return ret[key];
}

/** `_format_changes`: whether the state changed anything, and the text after `Changes:`. */
function formatChanges(changes: unknown, r: HighstateRender): [boolean, string] {
  if (!truthy(changes)) return [false, ''];
  if (!isDict(changes)) return [true, `Invalid Changes data: ${pyStr(changes)}`];
  const sub = changes['ret'];
  if (sub !== null && sub !== undefined && changes['out'] === 'highstate') {
    if (!isDict(sub)) throw new FallBackToNested("'list' object has no attribute 'items'");
    let text = '';
    let changed = false;
    for (const [host, hostdata] of Object.entries(sub)) {
      const [s, c] = formatHost(host, hostdata, r, 1);
      text +=
        '\n' +
        splitlines(s)
          .map((l) => PAD + l)
          .join('\n');
      changed = changed || c;
    }
    return [changed, text];
  }
  // Salt renders these through out_format(..., 'nested', nested_indent=14): its own colours, retcode 0.
  return [true, '\n' + pyRstrip(nested(changes, r.color, 0, VALUE_COL))];
}

function commentText(ret: Record<string, unknown>): string {
  const raw = get(ret, 'comment');
  let comment = pyStrip(pyStr(raw)).replace(/\n/g, '\n' + PAD);
  if ('data' in ret) {
    const data = ret['data'];
    if (Array.isArray(data)) for (const item of data) comment += ` ${pyStr(item)}`;
    else if (isDict(data)) for (const [k, v] of Object.entries(data)) comment += `\n\t\t${k}: ${pyStr(v)}`;
    else comment += ` ${pyStr(data)}`;
  }
  return comment;
}

/** The sort key Salt uses: `__run_num__`, 0 when absent. */
function runNum(ret: Record<string, unknown>): number {
  const n = '__run_num__' in ret ? ret['__run_num__'] : 0;
  if (typeof n === 'number') return n;
  if (typeof n === 'boolean') return n ? 1 : 0;
  throw new FallBackToNested("'<' not supported between instances");
}

/** Python `str(tname).split('_|-')` indexed: a key with fewer parts is an IndexError in Salt. */
function part(comps: readonly string[], i: number): string {
  const v = comps[i];
  if (v === undefined) throw new FallBackToNested('IndexError: list index out of range');
  return v;
}

function formatStates(
  host: string,
  data: Record<string, unknown>,
  r: HighstateRender,
  c: Colors,
  indentLevel: number,
  hstrs: string[],
): { hcolor: string; nchanges: number } {
  const o = r.o;
  let hcolor = c.GREEN;
  let nchanges = 0;
  const counts = new ResultCounts();
  const durations: number[] = [];
  const parallel: number[] = [];
  const states: [string, Record<string, unknown>][] = [];
  for (const [tname, info] of Object.entries(data)) {
    if (isDict(info) && tname !== 'changes' && Object.keys(info).length && !('__run_num__' in info))
      hstrs.unshift(RUN_NUM_MISSING, pformat(info));
    if (isDict(info) && 'result' in info) states.push([tname, info]);
  }
  if (states.length > 1) states.forEach(([, ret]) => runNum(ret));
  states.sort((a, b) => runNum(a[1]) - runNum(b[1]));

  for (const [tname, ret] of states) {
    let compressed = 1;
    if (o.compressIds && tname.includes('_|-state_compressed_')) {
      const m = /\((\d+)\)$/.exec(part(tname.split('_|-'), 1));
      if (m) compressed = Number(m[1]);
    }
    counts.add(resultKey(ret['result']), compressed);
    const dur = pyFloat('duration' in ret ? ret['duration'] : 0) ?? pyFloat(String(ret['duration']).split(' ms')[0]);
    if (dur !== undefined) ('__parallel__' in ret ? parallel : durations).push(dur);

    let tcolor = c.GREEN;
    let schanged: boolean;
    let ctext: string;
    if (typeof ret['name'] === 'string' && ORCHESTRATIONS.includes(ret['name'])) {
      const sub = r.output(get(ret, 'changes'), indentLevel + 1);
      if (typeof sub !== 'string') throw new FallBackToNested('can only concatenate str');
      ctext = ('\n' + sub)
        .split('\n')
        .map((l) => ' '.repeat(VALUE_COL * indentLevel) + l)
        .join('\n');
      schanged = true;
      nchanges += 1;
    } else {
      [schanged, ctext] = formatChanges(get(ret, 'changes'), r);
      const ch = ret['changes'];
      if (schanged && compressed > 1)
        nchanges +=
          (isDict(ch) && isDict(ch['compressed changes']) ? Object.keys(ch['compressed changes']).length : 0) || 1;
      else nchanges += schanged ? 1 : 0;
    }
    const result = ret['result'];
    // state_output_diff and state_verbose: False both hide what succeeded without changing anything.
    if ((o.diff || !o.verbose) && truthy(result) && !schanged) continue;
    if (schanged) tcolor = c.CYAN;
    if (result === false) hcolor = tcolor = c.RED;
    if (result === null) hcolor = tcolor = c.LIGHT_YELLOW;

    const comps = tname.split('_|-');
    if (o.stateOutput.endsWith('_id')) {
      if (comps.length < 3) throw new FallBackToNested('IndexError: list assignment index out of range');
      comps[2] = part(comps, 1);
    }
    if (o.stateOutput.startsWith('filter')) {
      const res = pyStr(result);
      if (inFilter(res, o.terse)) {
        hstrs.push(formatTerse(tcolor, comps, ret, c, o));
        continue;
      }
      if (inFilter(res, o.exclude)) continue;
    } else if (
      o.stateOutput.startsWith('terse') ||
      (o.stateOutput.startsWith('mixed') && result !== false) ||
      (o.stateOutput.startsWith('changes') && truthy(result) && !schanged)
    ) {
      hstrs.push(formatTerse(tcolor, comps, ret, c, o));
      continue;
    }
    hstrs.push(...fullState(tcolor, comps, ret, c, o), `${tcolor}     Changes:   ${ctext}${c.ENDC}`);
    if ('warnings' in ret) {
      counts.add(WARNINGS, 1);
      const text = pyLstrip(textwrapFill(pyJoinLines(ret['warnings']), 80, PAD, PAD));
      hstrs.push(`   ${c.LIGHT_RED} Warnings: ${text}${c.ENDC}`);
    }
  }
  hstrs.push(...formatSummary({ host, counts, nchanges, durations, parallelDurations: parallel }, c, o));
  return { hcolor, nchanges };
}

/**
 * Python `str(result) in exclude`: a string is split on commas, a list
 * matches string members, a dict its keys; None or a number is Salt's
 * TypeError.
 */
function inFilter(res: string, list: unknown): boolean {
  const items =
    typeof list === 'string'
      ? list.split(',')
      : Array.isArray(list)
        ? list
        : isDict(list)
          ? Object.keys(list)
          : undefined;
  if (items === undefined) throw new FallBackToNested('argument is not iterable');
  return items.some((i) => i === res);
}

/** The full block's lines up to Changes (ID, Function, Name, Result, Comment, Started, Duration). */
function fullState(
  tcolor: string,
  comps: readonly string[],
  ret: Record<string, unknown>,
  c: Colors,
  o: ResolvedHighstateOptions,
): string[] {
  const line = (label: string, value: string): string => `    ${tcolor}${label}: ${value}${c.ENDC}`;
  const id = part(comps, 1);
  const name = part(comps, 2);
  const profile = o.profile && 'start_time' in ret;
  const comment = commentText(ret);
  const duration = 'duration' in ret ? ret['duration'] : '';
  const lines = [
    `${tcolor}----------${c.ENDC}`,
    line('      ID', id),
    line('Function', `${part(comps, 0)}.${part(comps, 3)}`),
  ];
  if (id !== name) lines.push(line('    Name', name));
  lines.push(line('  Result', pyStr(ret['result'])), line(' Comment', comment));
  if (profile) {
    lines.push(line(' Started', pyStr(ret['start_time'])));
    lines.push(line('Duration', duration === '' ? '' : `${pyFloatStr(duration)} ms`));
  }
  return lines;
}

/** `_format_host`: the text for one minion, and whether anything changed. */
export function formatHost(host: string, data: unknown, r: HighstateRender, indentLevel = 1): [string, boolean] {
  const c = getColors(r.color);
  let hcolor = c.GREEN;
  const hstrs: string[] = [];
  let nchanges = 0;
  if (typeof data === 'boolean' || (typeof data === 'number' && Number.isInteger(data))) {
    nchanges = 1;
    hstrs.push(`${hcolor}    ${pyStr(data)}${c.ENDC}`);
    hcolor = c.CYAN;
  } else if (typeof data === 'string') {
    nchanges = 1;
    for (const l of splitlines(data)) hstrs.push(`${hcolor}    ${l}${c.ENDC}`);
    hcolor = c.CYAN;
  } else if (Array.isArray(data)) {
    hcolor = c.LIGHT_RED;
    hstrs.push(`    ${hcolor}Data failed to compile:${c.ENDC}`);
    for (const err of data) {
      const text = typeof err === 'string' ? stripEsc(err) : pyStr(err);
      hstrs.push(`${hcolor}----------\n    ${text}${c.ENDC}`);
    }
  } else if (isDict(data)) {
    const res = formatStates(host, data, r, c, indentLevel, hstrs);
    hcolor = res.hcolor;
    nchanges = res.nchanges;
  }
  hstrs.unshift(`${hcolor}${stripEsc(host)}:${c.ENDC}`);
  return [hstrs.join('\n'), nchanges > 0];
}
