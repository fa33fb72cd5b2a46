/*
 * Python's fnmatch.fnmatch on POSIX (case-sensitive): `*`, `?`, `[seq]`,
 * `[!seq]`; an unclosed `[` is a literal. jobs.list_jobs filters use it.
 */

const cache = new Map<string, RegExp>();
const MAX_CACHED = 256;

function escape(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

function translate(pat: string): string {
  let out = '';
  let i = 0;
  while (i < pat.length) {
    const c = pat[i]!;
    i += 1;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      let j = i;
      if (pat[j] === '!') j += 1;
      if (pat[j] === ']') j += 1;
      while (j < pat.length && pat[j] !== ']') j += 1;
      if (j >= pat.length) {
        out += '\\[';
      } else {
        let body = pat.slice(i, j);
        i = j + 1;
        const negate = body.startsWith('!');
        if (negate) body = body.slice(1);
        // Inside a class only `\`, `]` and `^` need escaping; `-` keeps its range meaning.
        body = body.replace(/[\\\]^]/g, '\\$&');
        out += `[${negate ? '^' : ''}${body}]`;
      }
    } else out += escape(c);
  }
  return `^(?:${out})$`;
}

export function fnmatch(name: string, pattern: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(translate(pattern), 's');
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(pattern, re);
  }
  return re.test(name);
}

/** Salt's `split_input`: a list as is, else a comma-separated string, items trimmed. */
export function splitInput(val: unknown): string[] {
  if (Array.isArray(val)) return val.map((v) => String(v));
  return String(val).split(',').map((x) => x.trim());
}
