/*
 * Salt's `-b` value: a count of minions (`3`) or a share of the minions that
 * answered the ping (`10%`, or `%10`, as Salt also reads it).
 */

/** Salt's words for a `-b` value it cannot read. */
export const invalidBatchText = (spec: string): string =>
  `Invalid batch data sent: ${spec}\nData must be in the form of %10, 10% or 3`;

/**
 * Minions to keep running at once, or undefined when `spec` is not a batch
 * size. A share rounds down, except that under one minion it rounds up to one
 * (Salt's rule: `34%` of 3 is 1, `10%` of 3 is 1, `50%` of 5 is 2).
 *
 * Salt hangs on a size of 0 (`-b 0`, `-b 0%`, `0%` of none); tsalt calls it
 * invalid instead.
 */
export function parseBatchSize(spec: string, minions: number): number | undefined {
  const s = spec.trim();
  let size: number;
  if (s.includes('%')) {
    const pct = s.replace(/^%+|%+$/g, '');
    if (!/^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(pct)) return undefined;
    const share = (Number(pct) / 100) * minions;
    size = share < 1 ? Math.ceil(share) : Math.floor(share);
  } else {
    // Python's int(): an integer only ("1.5" is refused).
    if (!/^[+-]?\d+$/.test(s)) return undefined;
    size = Number(s);
  }
  return Number.isSafeInteger(size) && size >= 1 ? size : undefined;
}
