/**
 * Unified diffs with the hunks Python's difflib makes, since Salt's
 * `changes.diff` text is `difflib.unified_diff` output and users compare it
 * with what Salt shows. The matcher is Ratcliff/Obershelp (longest matching
 * block first, then recurse on both sides) with difflib's "popular line"
 * rule for inputs of 200 lines or more; see docs/dependencies.md for why
 * this is not a library.
 */

type Opcode = ['equal' | 'replace' | 'delete' | 'insert', number, number, number, number];

/** Positions in `b` of every line, leaving out "popular" lines as difflib's autojunk does. */
function indexB(b: readonly string[]): Map<string, number[]> {
  const idx = new Map<string, number[]>();
  b.forEach((line, j) => {
    const l = idx.get(line);
    if (l) l.push(j);
    else idx.set(line, [j]);
  });
  if (b.length >= 200) {
    const limit = Math.floor(b.length / 100) + 1;
    for (const [line, js] of idx) if (js.length > limit) idx.delete(line);
  }
  return idx;
}

/** The longest block a[i..i+k) == b[j..j+k) inside the given ranges, earliest in a, then in b. */
function longestMatch(
  a: readonly string[],
  b: readonly string[],
  b2j: Map<string, number[]>,
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
): [number, number, number] {
  let besti = alo;
  let bestj = blo;
  let bestsize = 0;
  let lens = new Map<number, number>();
  for (let i = alo; i < ahi; i++) {
    const next = new Map<number, number>();
    for (const j of b2j.get(a[i]!) ?? []) {
      if (j < blo) continue;
      if (j >= bhi) break;
      const k = (lens.get(j - 1) ?? 0) + 1;
      next.set(j, k);
      if (k > bestsize) {
        besti = i - k + 1;
        bestj = j - k + 1;
        bestsize = k;
      }
    }
    lens = next;
  }
  // Popular lines were left out of b2j; grow the block over equal neighbours as difflib does.
  while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) {
    besti--;
    bestj--;
    bestsize++;
  }
  while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) bestsize++;
  return [besti, bestj, bestsize];
}

function matchingBlocks(a: readonly string[], b: readonly string[]): [number, number, number][] {
  const b2j = indexB(b);
  const queue: [number, number, number, number][] = [[0, a.length, 0, b.length]];
  const blocks: [number, number, number][] = [];
  while (queue.length) {
    const [alo, ahi, blo, bhi] = queue.pop()!;
    const [i, j, k] = longestMatch(a, b, b2j, alo, ahi, blo, bhi);
    if (k) {
      blocks.push([i, j, k]);
      if (alo < i && blo < j) queue.push([alo, i, blo, j]);
      if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
    }
  }
  blocks.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  // Merge adjacent blocks, then close with the (len, len, 0) sentinel.
  const merged: [number, number, number][] = [];
  for (const blk of blocks) {
    const prev = merged[merged.length - 1];
    if (prev && prev[0] + prev[2] === blk[0] && prev[1] + prev[2] === blk[1]) prev[2] += blk[2];
    else merged.push([...blk]);
  }
  merged.push([a.length, b.length, 0]);
  return merged;
}

function opcodes(a: readonly string[], b: readonly string[]): Opcode[] {
  let i = 0;
  let j = 0;
  const ops: Opcode[] = [];
  for (const [ai, bj, size] of matchingBlocks(a, b)) {
    const tag = i < ai && j < bj ? 'replace' : i < ai ? 'delete' : j < bj ? 'insert' : null;
    if (tag) ops.push([tag, i, ai, j, bj]);
    i = ai + size;
    j = bj + size;
    if (size) ops.push(['equal', ai, i, bj, j]);
  }
  return ops;
}

/** Groups of opcodes with at most `n` lines of context around each change. */
function groupedOpcodes(a: readonly string[], b: readonly string[], n: number): Opcode[][] {
  let codes = opcodes(a, b);
  if (!codes.length) codes = [['equal', 0, 1, 0, 1]];
  const first = codes[0]!;
  if (first[0] === 'equal')
    codes[0] = ['equal', Math.max(first[1], first[2] - n), first[2], Math.max(first[3], first[4] - n), first[4]];
  const last = codes[codes.length - 1]!;
  if (last[0] === 'equal')
    codes[codes.length - 1] = [
      'equal',
      last[1],
      Math.min(last[2], last[1] + n),
      last[3],
      Math.min(last[4], last[3] + n),
    ];
  const groups: Opcode[][] = [];
  let group: Opcode[] = [];
  const nn = n + n;
  for (const [tag, i1, i2, j1, j2] of codes) {
    if (tag === 'equal' && i2 - i1 > nn) {
      group.push(['equal', i1, Math.min(i2, i1 + n), j1, Math.min(j2, j1 + n)]);
      groups.push(group);
      group = [];
      group.push(['equal', Math.max(i1, i2 - n), i2, Math.max(j1, j2 - n), j2]);
      continue;
    }
    group.push([tag, i1, i2, j1, j2]);
  }
  if (group.length && !(group.length === 1 && group[0]![0] === 'equal')) groups.push(group);
  return groups;
}

function range(start: number, stop: number): string {
  const length = stop - start;
  if (length === 1) return `${start + 1}`;
  return `${length ? start + 1 : start},${length}`;
}

/**
 * `''.join(difflib.unified_diff(a, b, fromfile, tofile))`, as Salt's
 * `stringutils.get_diff` returns it: lines keep their own endings, so a last
 * line without one runs into the next (Salt's output does the same).
 */
export function unifiedDiff(a: readonly string[], b: readonly string[], fromfile = '', tofile = '', n = 3): string {
  let out = '';
  for (const group of groupedOpcodes(a, b, n)) {
    if (!out) out += `--- ${fromfile}\n+++ ${tofile}\n`;
    const f = group[0]!;
    const l = group[group.length - 1]!;
    out += `@@ -${range(f[1], l[2])} +${range(f[3], l[4])} @@\n`;
    for (const [tag, i1, i2, j1, j2] of group) {
      if (tag === 'equal') {
        for (const line of a.slice(i1, i2)) out += ` ${line}`;
        continue;
      }
      if (tag === 'replace' || tag === 'delete') for (const line of a.slice(i1, i2)) out += `-${line}`;
      if (tag === 'replace' || tag === 'insert') for (const line of b.slice(j1, j2)) out += `+${line}`;
    }
  }
  return out;
}

/** Python's `str.splitlines(True)` for text with `\n`, `\r\n` or `\r` endings. */
export function splitKeepEnds(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}
