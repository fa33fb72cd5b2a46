/**
 * Python's `fnmatch.fnmatchcase`: `*`, `?`, `[seq]`, `[!seq]`, matched
 * against the whole string, case-sensitively. There is no escape character:
 * a backslash is literal, and `[*]` is how to match a literal star.
 */

// Master-side matching runs one pattern against every accepted id; compiling
// once per pattern matters. Bounded so a long-lived master cannot grow it.
const CACHE_MAX = 512;
const cache = new Map<string, RegExp>();

export function fnmatch(name: string, pattern: string): boolean {
  return fnmatchRegExp(pattern).test(name);
}

export function fnmatchRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^${translate(pattern)}$`, 'su');
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/** Every literal goes out as `\u{..}`, so no character can mean anything to RegExp. */
function lit(ch: string): string {
  return /^[A-Za-z0-9_]$/.test(ch) ? ch : `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`;
}

/** Pattern to JS regex source, following fnmatch.translate's rules. */
function translate(pat: string): string {
  const chars = Array.from(pat); // code points, so astral characters stay whole
  const n = chars.length;
  let out = '';
  let i = 0;
  while (i < n) {
    const c = chars[i++] as string;
    if (c === '*') {
      while (chars[i] === '*') i++; // consecutive stars are one star
      out += '.*';
    } else if (c === '?') {
      out += '.';
    } else if (c === '[') {
      // Find the closing bracket: a `]` right after `[` or `[!` is literal.
      let j = i;
      if (chars[j] === '!') j++;
      if (chars[j] === ']') j++;
      while (j < n && chars[j] !== ']') j++;
      if (j >= n) {
        out += lit('['); // no closing bracket: a literal '['
      } else {
        out += charClass(chars.slice(i, j));
        i = j + 1;
      }
    } else {
      out += lit(c);
    }
  }
  return out;
}

/** `[...]` body (without brackets) to a JS class; empty ranges like `z-a` drop out as in Python. */
function charClass(body: string[]): string {
  let negate = false;
  let k = 0;
  if (body[0] === '!') {
    negate = true;
    k = 1;
  }
  const items: string[] = [];
  while (k < body.length) {
    const lo = body[k] as string;
    const hi = body[k + 2];
    if (body[k + 1] === '-' && hi !== undefined) {
      if ((lo.codePointAt(0) ?? 0) <= (hi.codePointAt(0) ?? 0)) items.push(`${lit(lo)}-${lit(hi)}`);
      k += 3;
    } else {
      items.push(lit(lo));
      k += 1;
    }
  }
  if (items.length === 0) return negate ? '.' : '(?!)';
  return `[${negate ? '^' : ''}${items.join('')}]`;
}
