/** One state on one line: Salt's terse form (state_output terse, mixed, changes, filter). */
import type { Colors } from '../colors.js';
import type { ResolvedHighstateOptions } from '../options.js';
import { FallBackToNested, pyFloatStr, pyJoinLines, truthy } from './highstate-py.js';
import { pyStr } from '@tsalt/core';

/** `Clean`, `Changed`, `Failed` or `Differs` (result None: what test=True would change). */
function terseResult(ret: Record<string, unknown>): string {
  if (ret['result'] === false) return 'Failed';
  if (ret['result'] === null) return 'Differs';
  return truthy(ret['changes']) ? 'Changed' : 'Clean';
}

const rjust = (s: string, n: number): string => s.padStart(n);
const ljust = (s: string, n: number): string => s.padEnd(n);

/** comps: the result key split on `_|-` (state, id, name, fun), the name already swapped for `_id` modes. */
export function formatTerse(
  tcolor: string,
  comps: readonly string[],
  ret: Record<string, unknown>,
  c: Colors,
  o: ResolvedHighstateOptions,
): string {
  const result = terseResult(ret);
  const state = comps[0] ?? '';
  const name = comps[2] ?? '';
  const fun = comps[comps.length - 1] ?? '';
  const profile = o.profile && 'start_time' in ret;
  if (profile && !('duration' in ret)) throw new FallBackToNested("KeyError: 'duration'");
  const warnings = 'warnings' in ret ? pyJoinLines(ret['warnings']) : undefined;
  if (o.tabular) {
    let s = warnings !== undefined ? `${c.LIGHT_RED}Warnings:\n${warnings}${c.ENDC}\n` : '';
    s += tcolor;
    if (profile) s += `${pyStr(ret['start_time'])} [${rjust(pyFloatStr(ret['duration']), 7)} ms] `;
    return `${s}${rjust(state, 10)}.${ljust(fun, 10)} ${ljust(result, 7)}   Name: ${name}${c.ENDC}`;
  }
  // Salt closes the warnings' colour without a line break: the state's line follows on the same line.
  let s = warnings !== undefined ? `${c.LIGHT_RED}Warnings:\n${warnings}${c.ENDC}` : '';
  s += ` ${tcolor} Name: ${name} - Function: ${state}.${fun} - Result: ${result}`;
  if (profile) s += ` - Started: ${pyStr(ret['start_time'])} - Duration: ${pyFloatStr(ret['duration'])} ms`;
  return s + c.ENDC;
}
