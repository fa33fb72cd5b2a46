/**
 * The block under each minion's states:
 *
 *   Summary for web-1
 *   ------------
 *   Succeeded: 4 (unchanged=1, changed=3)
 *   Failed:    0
 *   ------------
 *   Total states run:     4
 *   Total run time:  53.503 ms
 */
import type { Colors } from '../colors.js';
import type { ResolvedHighstateOptions } from '../options.js';
import { pyFixed, pyFloatNumber, pyRound } from './highstate-py.js';

/** Counts per result: Salt's rcounts, keyed by Python's True/False/None, other results, and warnings. */
export class ResultCounts {
  readonly byKey = new Map<string, number>();

  add(key: string, n: number): void {
    this.byKey.set(key, (this.byKey.get(key) ?? 0) + n);
  }

  get(key: string): number {
    return this.byKey.get(key) ?? 0;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  total(): number {
    let n = 0;
    for (const v of this.byKey.values()) n += v;
    return n;
  }
}

export const TRUE = 'True';
export const FALSE = 'False';
export const NONE = 'None';
export const WARNINGS = 'warnings';

// The longest of Succeeded, Failed, Not Run, Warnings: the labels' column width, chars.
const LABEL_MAX = 'Succeeded'.length;

export interface SummaryInput {
  host: string;
  counts: ResultCounts;
  nchanges: number;
  /** Durations of the states run in order, ms. */
  durations: readonly number[];
  /** Durations of `parallel: True` states, ms: only the longest counts toward the total. */
  parallelDurations: readonly number[];
}

export function formatSummary(s: SummaryInput, c: Colors, o: ResolvedHighstateOptions): string[] {
  const out: string[] = [];
  const wrap = (color: string, text: string): string => `${color}${text}${c.ENDC}`;
  const countMax = Math.max(0, ...[...s.counts.byKey.values()].map((n) => String(n).length));
  const lineMax = LABEL_MAX + countMax + 2;
  const counts = (label: string, value: string): string => `${label}: ${value.padStart(lineMax - (label.length + 2))}`;
  out.push(wrap(c.CYAN, `\nSummary for ${s.host}\n${'-'.repeat(lineMax)}`));

  const stats: string[] = [];
  if (s.counts.get(NONE) > 0) stats.push(wrap(c.LIGHT_YELLOW, `unchanged=${s.counts.get(NONE)}`));
  if (s.nchanges > 0) stats.push(wrap(c.GREEN, `changed=${s.nchanges}`));
  const succeeded = s.counts.get(TRUE) + s.counts.get(NONE);
  out.push(wrap(c.GREEN, counts('Succeeded', String(succeeded))) + (stats.length ? ` (${stats.join(', ')})` : ''));

  const failed = s.counts.get(FALSE);
  const failColor = failed ? c.RED : c.CYAN;
  out.push(wrap(failColor, counts('Failed', String(failed))));

  const run = s.counts.total() - s.counts.get(WARNINGS);
  if (o.pct && run !== 0) {
    out.push(wrap(c.GREEN, counts('Success %', pyFloatNumber(pyRound((succeeded / run) * 100, 2)))));
    out.push(wrap(failColor, counts('Failure %', pyFloatNumber(pyRound((failed / run) * 100, 2)))));
  }
  if (s.counts.get(WARNINGS)) out.push(wrap(c.LIGHT_RED, counts('Warnings', String(s.counts.get(WARNINGS)))));
  out.push(wrap(c.CYAN, `${'-'.repeat(lineMax)}\nTotal states run: ${String(run).padStart(lineMax - 7)}`));

  if (o.profile) {
    let total = s.durations.reduce((a, b) => a + b, 0);
    if (s.parallelDurations.length) total += Math.max(...s.parallelDurations);
    // Salt switches to seconds from 1000 ms on (its test is `> 999`).
    let unit = 'ms';
    if (total > 999) {
      total /= 1000;
      unit = 's';
    }
    out.push(wrap(c.CYAN, `Total run time: ${pyFixed(total, 3).padStart(lineMax - 5)} ${unit}`));
  }
  return out;
}
