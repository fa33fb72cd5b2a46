import { pyStr } from '@tsalt/core';
import { ModuleError } from '../errors.js';

/**
 * Python `re` on top of JavaScript RegExp, for the file module's patterns
 * (see docs/modules.md, "Regular expressions"). Salt users write Python
 * patterns; this translates what differs in meaning and rejects nothing
 * that JS accepts.
 */

/** Python's re flag bits, by name (re.RegexFlag). */
export const RE_FLAGS: Readonly<Record<string, number>> = {
  TEMPLATE: 1,
  T: 1,
  IGNORECASE: 2,
  I: 2,
  LOCALE: 4,
  L: 4,
  MULTILINE: 8,
  M: 8,
  DOTALL: 16,
  S: 16,
  UNICODE: 32,
  U: 32,
  VERBOSE: 64,
  X: 64,
  DEBUG: 128,
  ASCII: 256,
  A: 256,
};

/** Salt's `_get_flags`: an int, one flag name, or a list of names, to the flag bits. */
export function parseFlags(flags: unknown): number {
  if (typeof flags === 'number' && Number.isInteger(flags)) return flags;
  if (typeof flags === 'string' && /^\d+$/.test(flags)) return Number(flags);
  const list = typeof flags === 'string' ? [flags] : flags;
  if (Array.isArray(list)) {
    let bits = 0;
    for (const f of list) {
      const bit = RE_FLAGS[pyStr(f).toUpperCase()];
      if (!bit) throw new ModuleError('COMMAND_EXECUTION_ERROR', `Invalid re flag given: ${pyStr(f)}`);
      bits |= bit;
    }
    return bits;
  }
  throw new ModuleError(
    'COMMAND_EXECUTION_ERROR',
    `Invalid re flags: "${pyStr(flags)}", must be given either as a single flag string, a list of strings, as an integer, or as an re flag`,
  );
}

/** Leading global inline flags such as `(?im)`, which JS has no syntax for. */
function takeInlineFlags(pattern: string): { rest: string; bits: number } {
  const m = /^\(\?([aiLmsux]+)\)/.exec(pattern);
  if (!m) return { rest: pattern, bits: 0 };
  let bits = 0;
  for (const c of m[1] ?? '') bits |= RE_FLAGS[c === 'a' ? 'A' : c.toUpperCase()] ?? 0;
  return { rest: pattern.slice(m[0].length), bits };
}

/**
 * Rewrites a Python pattern into a JS source with the same meaning:
 * `(?P<n>` / `(?P=n)` named groups, `\A` `\Z`, and `^` `$` `.` with
 * Python's line rules (only `\n` ends a line; `$` without MULTILINE also
 * matches before a final newline). VERBOSE whitespace and comments are
 * dropped outside character classes.
 */
function translate(src: string, bits: number): string {
  const multiline = (bits & RE_FLAGS['M']!) !== 0;
  const dotall = (bits & RE_FLAGS['S']!) !== 0;
  const verbose = (bits & RE_FLAGS['X']!) !== 0;
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      i++;
      if (!inClass && n === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && n === 'Z') out += '(?![\\s\\S])';
      else out += `\\${n}`;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal in both dialects.
      if (src[i + 1] === '^') out += src[++i];
      if (src[i + 1] === ']') out += `\\${src[++i]!}`;
      continue;
    }
    if (verbose && /\s/.test(c)) continue;
    if (verbose && c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '(' && src.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
    } else if (c === '(' && src.startsWith('(?P=', i)) {
      const end = src.indexOf(')', i);
      out += `\\k<${src.slice(i + 4, end)}>`;
      i = end;
    } else if (c === '^') out += multiline ? '(?<![^\\n])' : '(?<![\\s\\S])';
    else if (c === '$') out += multiline ? '(?![^\\n])' : '(?=\\n?(?![\\s\\S]))';
    else if (c === '.') out += dotall ? '[\\s\\S]' : '[^\\n]';
    else out += c;
  }
  return out;
}

/** A compiled Python pattern: the JS RegExp (always global) and its group names. */
export interface PyRegExp {
  re: RegExp;
  source: string;
}

/** Compiles a Python pattern with Python flag bits; a bad pattern is a CommandExecutionError. */
export function pyCompile(pattern: string, flags: number = 0): PyRegExp {
  const { rest, bits } = takeInlineFlags(pattern);
  const all = flags | bits;
  let js = 'g';
  if (all & RE_FLAGS['I']!) js += 'i';
  try {
    return { re: new RegExp(translate(rest, all), js), source: pattern };
  } catch (err) {
    throw new ModuleError('COMMAND_EXECUTION_ERROR', `${(err as Error).message}: '${pattern}'`, { cause: err });
  }
}

/** `re.search`: is there a match anywhere. */
export function pySearch(p: PyRegExp, text: string): RegExpExecArray | null {
  p.re.lastIndex = 0;
  return p.re.exec(text);
}

/** `re.match`: a match that starts at index 0. */
export function pyMatch(p: PyRegExp, text: string): boolean {
  const sticky = new RegExp(p.re.source, p.re.flags.replace('g', '') + 'y');
  return sticky.test(text);
}

const REPL_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  f: '\f',
  v: '\v',
  a: '\x07',
  b: '\b',
  '\\': '\\',
};

/** Expands a Python replacement template (`\1`, `\g<1>`, `\g<name>`, `\n`) for one match. */
export function expandRepl(repl: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!;
    if (c !== '\\' || i + 1 >= repl.length) {
      out += c;
      continue;
    }
    const n = repl[i + 1]!;
    const g = /^\\g<([^>]*)>/.exec(repl.slice(i));
    if (g) {
      const ref = g[1] ?? '';
      const v = /^\d+$/.test(ref) ? m[Number(ref)] : m.groups?.[ref];
      if (v === undefined && !(/^\d+$/.test(ref) && Number(ref) < m.length) && !(m.groups && ref in m.groups))
        throw new ModuleError('COMMAND_EXECUTION_ERROR', `invalid group reference ${ref} at position ${i + 1}`);
      out += v ?? '';
      i += g[0].length - 1;
    } else if (/\d/.test(n)) {
      const d = /^\d{1,2}/.exec(repl.slice(i + 1))![0];
      const idx = Number(d);
      if (idx >= m.length)
        throw new ModuleError('COMMAND_EXECUTION_ERROR', `invalid group reference ${idx} at position ${i + 1}`);
      out += m[idx] ?? '';
      i += d.length;
    } else if (n in REPL_ESCAPES) {
      out += REPL_ESCAPES[n];
      i++;
    } else if (/[A-Za-z]/.test(n)) {
      throw new ModuleError('COMMAND_EXECUTION_ERROR', `bad escape \\${n}`);
    } else {
      out += c + n;
      i++;
    }
  }
  return out;
}

/** A match with every group unset, shaped like `re`'s matches, for checking a template. */
function emptyMatch(re: RegExp): RegExpExecArray {
  const probe = new RegExp(`${re.source}|`, re.flags.replace('g', '')).exec('')!;
  const fake = Object.assign(new Array<string | undefined>(probe.length).fill(undefined), {
    index: 0,
    input: '',
    groups: probe.groups ? Object.fromEntries(Object.keys(probe.groups).map((k) => [k, undefined])) : undefined,
  });
  return fake as unknown as RegExpExecArray;
}

/** `re.subn(pattern, repl, text, count)`: count 0 replaces every match (Python 3.7 empty-match rules). */
export function pySubn(p: PyRegExp, repl: string, text: string, count = 0): [string, number] {
  const re = p.re;
  // Python checks the template's group references before matching anything.
  expandRepl(repl, emptyMatch(re));
  re.lastIndex = 0;
  let out = '';
  let last = 0;
  let n = 0;
  let m: RegExpExecArray | null;
  while ((count <= 0 || n < count) && (m = re.exec(text)) !== null) {
    out += text.slice(last, m.index) + expandRepl(repl, m);
    last = m.index + m[0].length;
    n++;
    if (m[0].length === 0) re.lastIndex++;
  }
  return [out + text.slice(last), n];
}

/** `re.escape`. */
export function pyEscape(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}
