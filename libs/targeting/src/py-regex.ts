/**
 * Python `re.match` on top of JS RegExp: anchored at the start only, with
 * the few Python-only spellings people use in targets rewritten
 * (`(?P<name>`, `(?P=name)`, `\A`, `\Z`, leading `(?i)`-style flags).
 */

const CACHE_MAX = 512;
const cache = new Map<string, RegExp | Error>();

/** Compiles `pattern` for `re.match`; returns the SyntaxError instead of throwing. */
export function compilePyMatch(pattern: string): RegExp | Error {
  let re = cache.get(pattern);
  if (re === undefined) {
    try {
      const { source, flags } = pyToJs(pattern);
      re = new RegExp(`^(?:${source})`, flags);
    } catch (err) {
      re = err instanceof Error ? err : new Error(String(err));
    }
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/** The useful tail of a JS regex SyntaxError: `Unterminated group`. */
export function regexReason(err: Error): string {
  const m = /: ([^:]+)$/.exec(err.message);
  return (m?.[1] ?? err.message).trim();
}

/** Python `re.match(pattern, s)` truthiness; an invalid pattern never matches. */
export function pyMatch(pattern: string, s: string): boolean {
  const re = compilePyMatch(pattern);
  return re instanceof RegExp && re.test(s);
}

function pyToJs(pattern: string): { source: string; flags: string } {
  let flags = '';
  let p = pattern;
  // Python allows global inline flags at the start: (?i), (?ms)...
  for (let m = /^\(\?([aiLmsux]+)\)/.exec(p); m; m = /^\(\?([aiLmsux]+)\)/.exec(p)) {
    for (const f of m[1] ?? '') {
      if (f === 'i' || f === 'm' || f === 's') {
        if (!flags.includes(f)) flags += f;
      } else if (f === 'x' || f === 'L') {
        throw new SyntaxError(`Invalid regular expression: /${pattern}/: unsupported flag (?${f})`);
      }
      // 'a' and 'u' only change \w classes for non-ASCII text: close enough to ignore.
    }
    p = p.slice(m[0].length);
  }
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      const next = p[i + 1];
      if (next === 'A') out += '^';
      else if (next === 'Z') out += '$';
      else out += `\\${next ?? ''}`;
      i++;
    } else if (c === '(' && p.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
    } else if (c === '(' && p.startsWith('(?P=', i)) {
      const end = p.indexOf(')', i);
      if (end < 0) throw new SyntaxError(`Invalid regular expression: /${pattern}/: Unterminated group`);
      out += `\\k<${p.slice(i + 4, end)}>`;
      i = end;
    } else {
      out += c;
    }
  }
  return { source: out, flags };
}
