import { isRecord, pyStr } from '@tsalt/core';
import type { StateReturn } from '../types.js';

/*
 * cmd.run's `stateful: True`: the command reports its own state on stdout,
 * as a JSON object or as a last line of `name=value` pairs (`changed=yes
 * comment="..."`). Salt's `_reinterpreted_state` reads it back into the ret.
 */

/** POSIX shell words (Python's shlex.split): quotes and backslashes; throws on an unclosed quote. */
function shellWords(s: string): string[] {
  const out: string[] = [];
  let word = '';
  let started = false;
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charAt(i);
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\')) word += s.charAt(++i);
      else word += ch;
    } else if (/\s/.test(ch)) {
      if (started) out.push(word);
      word = '';
      started = false;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      started = true;
    } else if (ch === '\\' && i + 1 < s.length) {
      word += s.charAt(++i);
      started = true;
    } else {
      word += ch;
      started = true;
    }
  }
  if (quote) throw new Error('No closing quotation');
  if (started) out.push(word);
  return out;
}

/** Salt's `_is_true` for the `changed` key: yes/no words, or Salt's ValueError text. */
function changedFlag(v: unknown): boolean {
  const s = (v === null || v === undefined ? '' : pyStr(v)).toLowerCase();
  if (v && ['true', 'yes', '1'].includes(s)) return true;
  if (['false', 'no', '0'].includes(s)) return false;
  throw new Error(`Failed parsing boolean value: ${pyStr(v)}`);
}

function failout(state: StateReturn, msg: string): StateReturn {
  state.comment = msg;
  state.result = false;
  return state;
}

/** The ret of a stateful command: its changes and comment from what it printed. */
export function reinterpretStateful(state: StateReturn): StateReturn {
  const ran = state.changes;
  state.changes = {};
  state.comment = '';
  let out = typeof ran['stdout'] === 'string' ? ran['stdout'] : '';
  if (!out) {
    if (ran['stderr']) state.comment = pyStr(ran['stderr']);
    return state;
  }
  let data: Record<string, unknown>;
  let isJson = false;
  let idx = -1;
  let parsed: unknown;
  let json = true;
  try {
    parsed = JSON.parse(out);
  } catch {
    json = false;
  }
  if (json) {
    if (!isRecord(parsed)) return failout(state, 'script JSON output must be a JSON object (e.g., {})!');
    data = { ...parsed };
    isJson = true;
  } else {
    idx = out.trimEnd().lastIndexOf('\n');
    if (idx !== -1) out = out.slice(idx + 1);
    data = {};
    try {
      for (const item of shellWords(out)) {
        const parts = item.split('=');
        if (parts.length !== 2) throw new Error('not a name=value pair');
        data[parts[0] ?? ''] = parts[1];
      }
    } catch {
      failout(state, 'Failed parsing script output! Stdout must be JSON or a line of name=value pairs.');
      Object.assign(state.changes, ran);
      return state;
    }
  }
  const changed = changedFlag(data['changed'] ?? 'no');
  if ('comment' in data) {
    state.comment = pyStr(data['comment']);
    delete data['comment'];
  }
  if (changed) {
    for (const [k, v] of Object.entries(ran)) if (!(k in data)) data[k] = v;
    // Salt drops the last line (the pairs) from stdout; with no newline, its [:-1] drops one character.
    const stdout = typeof data['stdout'] === 'string' ? data['stdout'] : '';
    data['stdout'] = isJson ? '' : stdout.slice(0, idx);
    state.changes = data;
  }
  return state;
}
