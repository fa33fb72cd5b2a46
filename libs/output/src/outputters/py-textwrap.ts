/**
 * Python's `textwrap.fill` (TextWrapper defaults: break_long_words,
 * break_on_hyphens, drop_whitespace) and `pprint.pformat` (width 80,
 * sorted dict keys), for the two places the highstate outputter uses them:
 * state warnings and a state return without `__run_num__`.
 */
import { pyRepr } from '@tsalt/core';
import { isDict } from './highstate-py.js';

// Python's \w is Unicode-aware; [^\d\W] is a letter (or underscore).
const W = '[\\p{L}\\p{N}\\p{M}_]';
const WORD_PUNCT = `(?:${W}|[!"'&.,?])`;
const LETTER = '[\\p{L}\\p{M}_]';
const WS = '[\\t\\n\\v\\f\\r ]';
const NWS = '[^\\t\\n\\v\\f\\r ]';
// TextWrapper.wordsep_re: whitespace runs, em-dashes, words split after their hyphens.
const WORDSEP = new RegExp(
  `(${WS}+|(?<=${WORD_PUNCT})-{2,}(?=${W})|${NWS}+?(?:-(?:(?<=${LETTER}{2}-)|(?<=${LETTER}-${LETTER}-))(?=${LETTER}-?${LETTER})|(?=${WS}|$)|(?<=${WORD_PUNCT})(?=-{2,}${W})))`,
  'u',
);

function expandTabs(s: string, tabsize = 8): string {
  let out = '';
  let col = 0;
  for (const ch of s) {
    if (ch === '\t') {
      const n = tabsize - (col % tabsize);
      out += ' '.repeat(n);
      col += n;
    } else {
      out += ch;
      col = ch === '\n' || ch === '\r' ? 0 : col + 1;
    }
  }
  return out;
}

const len = (s: string): number => [...s].length;
const isBlank = (s: string): boolean => /^[\t\n\v\f\r ]*$/.test(s);

/** `textwrap.fill(text, width, initial_indent=, subsequent_indent=)`. */
export function textwrapFill(text: string, width: number, initialIndent: string, subsequentIndent: string): string {
  const clean = expandTabs(text).replace(/[\t\n\v\f\r]/g, ' ');
  const chunks = clean.split(WORDSEP).filter((c) => c !== '');
  chunks.reverse();
  const lines: string[] = [];
  while (chunks.length) {
    const cur: string[] = [];
    let curLen = 0;
    const indent = lines.length ? subsequentIndent : initialIndent;
    const room = width - len(indent);
    if (isBlank(chunks[chunks.length - 1] ?? '') && lines.length) chunks.pop();
    while (chunks.length) {
      const l = len(chunks[chunks.length - 1] ?? '');
      if (curLen + l > room) break;
      cur.push(chunks.pop() ?? '');
      curLen += l;
    }
    const next = chunks[chunks.length - 1];
    if (next !== undefined && len(next) > room) {
      // _handle_long_word: cut the word to the room left, after its last hyphen when there is one.
      const spaceLeft = room < 1 ? 1 : room - curLen;
      const chars = [...next];
      let end = spaceLeft;
      if (chars.length > spaceLeft) {
        const hyphen = chars.slice(0, spaceLeft).lastIndexOf('-');
        if (hyphen > 0 && chars.slice(0, hyphen).some((c) => c !== '-')) end = hyphen + 1;
      }
      cur.push(chars.slice(0, end).join(''));
      chunks[chunks.length - 1] = chars.slice(end).join('');
    }
    if (cur.length && isBlank(cur[cur.length - 1] ?? '')) cur.pop();
    if (cur.length) lines.push(indent + cur.join(''));
  }
  return lines.join('\n');
}

const WIDTH = 80;

/** `pprint.pformat(value)`: repr on one line when it fits, else one dict entry or list item per line. */
export function pformat(value: unknown): string {
  return format(value, 0, 0);
}

function safeRepr(v: unknown): string {
  if (isDict(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${pyRepr(k)}: ${safeRepr(v[k])}`).join(', ')}}`;
  }
  if (Array.isArray(v)) return `[${v.map(safeRepr).join(', ')}]`;
  return pyRepr(v);
}

function format(v: unknown, indent: number, allowance: number): string {
  const rep = safeRepr(v);
  if (len(rep) <= WIDTH - indent - allowance) return rep;
  if (isDict(v)) {
    const keys = Object.keys(v).sort();
    if (!keys.length) return rep;
    const inner = indent + 1;
    const parts = keys.map((k, i) => {
      const last = i === keys.length - 1;
      const krep = pyRepr(k);
      return `${krep}: ${format(v[k], inner + len(krep) + 2, last ? allowance + 1 : 1)}`;
    });
    return `{${parts.join(`,\n${' '.repeat(inner)}`)}}`;
  }
  if (Array.isArray(v)) {
    if (!v.length) return rep;
    const inner = indent + 1;
    const parts = v.map((item, i) => format(item, inner, i === v.length - 1 ? allowance + 1 : 1));
    return `[${parts.join(`,\n${' '.repeat(inner)}`)}]`;
  }
  return rep;
}
