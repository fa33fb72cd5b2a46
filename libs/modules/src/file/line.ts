import fs from 'node:fs';
import { pyStr } from '@tsalt/core';
import type { FileFunction } from './basic.js';
import { splitKeepEnds, unifiedDiff } from './difflib.js';
import { RE_FLAGS, pyCompile, pySearch } from './pyre.js';
import { executionError, expandUser, flag, isFile, realpath, writeAtomic } from './util.js';

const MODES = ['insert', 'ensure', 'delete', 'replace'];

function eol(line: string): string {
  return /\r\n$|\n$|\r$/.exec(line)?.[0] ?? '';
}

function setEol(src: string, line: string): string {
  return line.trimEnd() + (eol(src) || '\n');
}

function setIndent(src: string, line: string, indent: boolean): string {
  if (!indent) return line;
  return (/^[\t ]*/.exec(src)?.[0] ?? '') + line.trimStart();
}

/** Salt's `_regex_to_static`: the lines a regex (DOTALL) or plain fragment finds; null when none asked. */
function toStatic(lines: string[], regex: string | null): string[] | null {
  if (!lines.length || !regex) return null;
  const re = pyCompile(regex, RE_FLAGS['DOTALL']);
  return lines.filter((l) => pySearch(re, l) !== null || l.includes(regex));
}

function assertOne(probe: string[], target: string): void {
  const msg = probe.length > 1 ? 'more than' : probe.length < 1 ? 'less than' : null;
  if (msg) throw executionError(`Found ${msg} expected occurrences in "${target}" expression`);
}

/** A non-empty list, as Python's truthiness of `before`/`after`/`match` reads them. */
const some = (l: string[] | null): l is string[] => l !== null && l.length > 0;

export interface LineSpec {
  content: string | null;
  match: string | null;
  mode: string;
  location: string | null;
  before: string | null;
  after: string | null;
  indent: boolean;
}

/** Salt's `_set_line`: the edited list of lines (each with its own ending). */
export function setLine(input: string[], s: LineSpec): string[] {
  let lines = input;
  const content = s.content ?? '';
  const match0 = !s.match && s.before === null && s.after === null ? s.content : s.match;
  const after = toStatic(lines, s.after);
  const before = toStatic(lines, s.before);
  const match = toStatic(lines, match0);
  if (!lines.length && (s.mode === 'delete' || s.mode === 'replace')) return [];
  if (s.mode === 'delete' && some(match)) return lines.filter((l) => l !== match[0]);
  if (s.mode === 'replace' && some(match)) {
    const idx = lines.indexOf(match[0]!);
    lines = [...lines];
    lines[idx] = setIndent(lines[idx]!, content, s.indent);
    return lines;
  }
  lines = [...lines];
  if (s.mode === 'insert') {
    if (s.before === null && s.after === null && s.location === null)
      throw executionError('On insert either "location" or "before/after" conditions are required.');
    if (s.location) {
      if (s.location === 'end')
        lines.push(lines.length ? setIndent(lines[lines.length - 1]!, content, s.indent) : content);
      else if (s.location === 'start') {
        if (lines.length) lines.unshift(setEol(lines[0]!, content));
        else lines = [`${content}\n`];
      }
    } else if (some(before) && some(after)) {
      assertOne(before, 'before');
      assertOne(after, 'after');
      const last = lines.indexOf(before[0]!);
      lines.splice(last, 0, setIndent(lines[last]!, content, s.indent));
    } else if (some(after)) {
      assertOne(after, 'after');
      const idx = lines.indexOf(after[0]!);
      const next = lines[idx + 1];
      if (next === undefined || next.replace(/[\r\n]+$/, '') !== content.replace(/[\r\n]+$/, ''))
        lines.splice(idx + 1, 0, setIndent(lines[idx]!, content, s.indent));
    } else if (some(before)) {
      assertOne(before, 'before');
      const idx = lines.indexOf(before[0]!);
      // Python's lines[-1] when the match is the first line: the last line.
      const prev = lines.at(idx - 1) ?? '';
      if (prev.replace(/[\r\n]+$/, '') !== content.replace(/[\r\n]+$/, ''))
        lines.splice(idx, 0, setIndent(lines[idx]!, content, s.indent));
    } else {
      throw executionError('Neither before or after was found in file');
    }
  } else if (s.mode === 'ensure') {
    if (some(before) && some(after)) {
      assertOne(after, 'after');
      assertOne(before, 'before');
      const ai = lines.indexOf(after[0]!);
      const bi = lines.indexOf(before[0]!);
      if (!lines.some((l) => l.trimStart() === content)) {
        if (ai + 1 === bi) lines.splice(ai + 1, 0, setIndent(lines[ai]!, content, s.indent));
        else if (ai + 2 === bi) lines[ai + 1] = setIndent(lines[ai]!, content, s.indent);
        else throw executionError('Found more than one line between boundaries "before" and "after".');
      }
    } else if (some(before)) {
      assertOne(before, 'before');
      const bi = lines.indexOf(before[0]!);
      if (bi === 0 || lines[bi - 1]!.replace(/[\r\n]+$/, '') !== content.replace(/[\r\n]+$/, ''))
        lines.splice(bi, 0, setIndent(lines.at(bi - 1) ?? '', content, s.indent));
    } else if (some(after)) {
      assertOne(after, 'after');
      const ai = lines.indexOf(after[0]!);
      const next = lines[ai + 1];
      if (next === undefined || next.replace(/[\r\n]+$/, '') !== content.replace(/[\r\n]+$/, ''))
        lines.splice(ai + 1, 0, setIndent(lines[ai]!, content, s.indent));
    } else {
      throw executionError(
        'Wrong conditions? Unable to ensure line without knowing where to put it before and/or after.',
      );
    }
  }
  return lines;
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : pyStr(v));

export const lineFunctions: Record<string, FileFunction> = {
  line: {
    doc: 'Line-focused editing of a file.\n\npath\n    Filesystem path to the file to be edited.\ncontent\n    Content of the line. Allowed to be empty if mode=delete.\nmatch\n    Match the target line for an action by a fragment of a string or regular expression.\n    If neither before nor after are provided, and match is also None, match falls back to the content value.\nmode\n    ensure, replace, delete or insert.\nlocation\n    start or end (insert mode only; takes precedence over before and after).\nbefore / after\n    Regular expression or an exact case-sensitive fragment of the string.\nshow_changes: True\n    Output a unified diff of the old file and the new file; otherwise a boolean.\nbackup: False\n    Create a backup of the original file with the extension: "Year-Month-Day-Hour-Minutes-Seconds".\nquiet: False\n    Do not raise any exceptions (a missing file returns False).\nindent: True\n    Keep indentation with the previous line.\n\nCLI Example:\n\n    salt \'*\' file.line /etc/nsswitch.conf "networks:\\tfiles dns" after="hosts:.*?" mode=\'ensure\'',
    params: [
      'path',
      { name: 'content', default: null },
      { name: 'match', default: null },
      { name: 'mode', default: null },
      { name: 'location', default: null },
      { name: 'before', default: null },
      { name: 'after', default: null },
      { name: 'show_changes', default: true },
      { name: 'backup', default: false },
      { name: 'quiet', default: false },
      { name: 'indent', default: true },
    ],
    fn: (ctx, a) => {
      const p = realpath(expandUser(a['path']));
      if (!isFile(p)) {
        if (!flag(a['quiet'])) throw executionError(`File "${p}" does not exists or is not a file.`);
        return false;
      }
      const mode = a['mode'] ? pyStr(a['mode']).toLowerCase() : null;
      if (mode === null || !MODES.includes(mode)) {
        throw executionError(
          mode === null ? 'Mode was not defined. How to process the file?' : `Unknown mode: "${mode}"`,
        );
      }
      const content = str(a['content']);
      if (mode !== 'delete' && content === null) throw executionError('Content can only be empty if mode is "delete"');
      const text = fs.readFileSync(p, 'utf8');
      let body = splitKeepEnds(text);
      if (body.length && eol(body[body.length - 1]!)) body.push('');
      if (text.length === 0 && (mode === 'delete' || mode === 'replace')) body = [];
      body = setLine(body, {
        content,
        match: str(a['match']),
        mode,
        location: str(a['location']),
        before: str(a['before']),
        after: str(a['after']),
        indent: flag(a['indent']),
      });
      body.forEach((l, i) => {
        // Salt's `idx and idx - 1 or 1`: the line before, except that lines 0 and 1 both look at line 1.
        if (!eol(l) && i + 1 < body.length) body[i] = setEol(body[i - 1 || 1]!, l);
      });
      if (body[body.length - 1] === '') body.pop();
      const next = body.join('');
      const changed = next !== text;
      const test = ctx.opts.test === true;
      if (flag(a['backup']) && changed && !test) {
        const d = new Date();
        const pad = (n: number): string => pyStr(n).padStart(2, '0');
        const stamp = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}-${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}`;
        fs.copyFileSync(p, `${p}.${stamp}`);
      }
      let diff: string | null = null;
      if (changed) {
        if (flag(a['show_changes'])) diff = unifiedDiff(splitKeepEnds(text), body);
        if (!test) writeAtomic(p, next);
      }
      return (flag(a['show_changes']) && diff) || changed;
    },
  },
};
