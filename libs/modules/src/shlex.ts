import { ModuleError } from './errors.js';

const WHITESPACE = ' \t\r\n';

/**
 * Python's `shlex.split(s)` (POSIX mode, no comments): splits a command line
 * into argv the way `cmd.run` does when `python_shell` is false. Single
 * quotes are literal; inside double quotes a backslash escapes only `"` and
 * `\`; outside quotes it escapes any character. Quoted empty strings are
 * kept as empty arguments.
 */
export function shlexSplit(s: string): string[] {
  const out: string[] = [];
  let token = '';
  let inToken = false; // true once a word (even an empty quoted one) has started
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else token += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\') {
        if (i + 1 >= s.length) throw new ModuleError('CMD_BAD_QUOTING', 'No escaped character');
        const next = s[++i] as string;
        token += next === '"' || next === '\\' ? next : `\\${next}`;
      } else token += ch;
      continue;
    }
    if (WHITESPACE.includes(ch)) {
      if (inToken) out.push(token);
      token = '';
      inToken = false;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inToken = true;
    } else if (ch === '\\') {
      if (i + 1 >= s.length) throw new ModuleError('CMD_BAD_QUOTING', 'No escaped character');
      token += s[++i] as string;
      inToken = true;
    } else {
      token += ch;
      inToken = true;
    }
  }
  if (quote) throw new ModuleError('CMD_BAD_QUOTING', 'No closing quotation');
  if (inToken) out.push(token);
  return out;
}

/** Python's `repr()` of a str, for Salt-identical messages. */
export function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
}

/** Python's `str()` of a command: a list prints as `['ls', '-l']`. */
export function pyStrCommand(cmd: string | readonly string[]): string {
  return typeof cmd === 'string' ? cmd : `[${cmd.map(pyRepr).join(', ')}]`;
}
