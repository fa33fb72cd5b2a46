import fs from 'node:fs';
import path from 'node:path';
import type { StateContext, StateReturn } from '../types.js';
import {
  checkFile,
  diffLinesJoined,
  diffTexts,
  errText,
  expandUser,
  fail,
  flag,
  isBinary,
  isTest,
  newRet,
  opt,
  saltOf,
  splitLines,
  strList,
} from './common.js';
import { templateTexts, unifySources } from './edit.js';
import { touch } from './misc.js';

/** Python's non-POSIX `shlex` with `whitespace_split` and no commenters: words, a quoted word kept whole with its quotes. */
function shlexWords(text: string, quotes: string): string[] {
  const out: string[] = [];
  let tok = '';
  // ' ' between words, 'a' in a word, else the open quote character.
  let state = ' ';
  for (const c of text) {
    const ws = c === ' ' || c === '\t' || c === '\r' || c === '\n';
    if (state === ' ') {
      if (ws) continue;
      tok = c;
      state = quotes.includes(c) ? c : 'a';
    } else if (state === 'a') {
      if (ws) {
        out.push(tok);
        tok = '';
        state = ' ';
      } else tok += c;
    } else {
      tok += c;
      // Non-POSIX shlex ends the word at its closing quote.
      if (c === state) {
        out.push(tok);
        tok = '';
        state = ' ';
      }
    }
  }
  if (tok) out.push(tok);
  return out;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Salt's `build_whitespace_split_regex`: the text's words, any whitespace between and around them. */
export function whitespaceSplitRegex(text: string): string {
  const quotes = text.includes(`'"`) ? '' : text.includes("'") ? '"' : text.includes('"') ? "'" : `'"`;
  let re = '';
  for (const l of splitLines(text)) {
    const parts = shlexWords(l, quotes).map(escapeRe);
    re += `(?:[\\s]+)?${parts.join('(?:[\\s]+)?')}(?:[\\s]+)?`;
  }
  return `(?m)^${re}$`;
}

export interface AppendArgs {
  name: unknown;
  text?: unknown;
  makedirs?: unknown;
  source?: unknown;
  source_hash?: unknown;
  template?: unknown;
  sources?: unknown;
  source_hashes?: unknown;
  defaults?: unknown;
  context?: unknown;
  ignore_whitespace?: unknown;
  header?: unknown;
}

/** The shared start of append and prepend: makedirs, the file made when missing, the texts. */
async function prepare(
  ctx: StateContext,
  a: AppendArgs,
  fun: 'append' | 'prepend',
): Promise<{ ret: StateReturn } | { name: string; ret: StateReturn; text: string[] }> {
  const salt = saltOf(ctx);
  const ret = newRet(expandUser(a.name));
  ret.result = false;
  if (!a.name) return { ret: fail(ret, `Must provide name to file.${fun}`) };
  const name = expandUser(a.name);
  const [ok, err, list] = unifySources(opt(a.source), opt(a.source_hash), opt(a.sources), opt(a.source_hashes));
  if (!ok) return { ret: fail(ret, err) };
  if (a.makedirs === true) {
    const dir = path.dirname(name);
    if (isTest(ctx)) {
      ret.comment = `Directory ${dir} is set to be updated`;
      ret.result = null;
    } else if (!(await salt('file.directory_exists', [dir]))) {
      try {
        await salt('file.makedirs', [name]);
      } catch (e) {
        return { ret: fail(ret, errText(e)) };
      }
    }
  }
  const [exists, msg] = checkFile(name);
  if (!exists) {
    const t = await touch(ctx, { name, makedirs: a.makedirs });
    if (isTest(ctx)) return { ret: t };
    if (!checkFile(name)[0]) return { ret: fail(ret, msg) };
  }
  let text: unknown = opt(a.text);
  if (list.length) {
    const got = await templateTexts(
      ctx,
      list,
      a.template === undefined ? 'jinja' : a.template,
      opt(a.defaults),
      opt(a.context),
    );
    if ('ret' in got) return { ret: got.ret };
    text = got.data;
  }
  if (text === null) return { ret: fail(ret, `No text found to ${fun}. Nothing ${fun}ed`) };
  return { name, ret, text: strList(text) };
}

/** Salt's file.append. */
export async function append(ctx: StateContext, a: AppendArgs): Promise<StateReturn> {
  const salt = saltOf(ctx);
  const got = await prepare(ctx, a, 'append');
  if (!('name' in got)) return got.ret;
  const { name, ret, text } = got;
  const before = splitLines(fs.readFileSync(name, 'utf8'));
  const add: string[] = [];
  const ignoreWs = a.ignore_whitespace === undefined ? true : flag(a.ignore_whitespace);
  for (const chunk of text) {
    const pattern = ignoreWs ? whitespaceSplitRegex(chunk) : chunk;
    if (await salt('file.search', [name, pattern], { multiline: true })) continue;
    add.push(...splitLines(chunk));
  }
  if (isTest(ctx)) {
    const after = [...before, ...add];
    if (add.length) {
      ret.comment = `File ${name} is set to be updated`;
      ret.result = null;
      ret.changes['diff'] = isBinary(name) ? 'Replace binary file' : await diffLinesJoined(ctx, before, after);
    } else {
      ret.comment = `File ${name} is in correct state`;
      ret.result = true;
    }
    return ret;
  }
  if (add.length) {
    await salt('file.append', [name], { args: add });
    ret.comment = `Appended ${add.length} lines`;
  } else ret.comment = `File ${name} is in correct state`;
  const after = splitLines(fs.readFileSync(name, 'utf8'));
  if (before.length !== after.length || before.some((l, i) => l !== after[i]))
    ret.changes['diff'] = isBinary(name) ? 'Replace binary file' : await diffLinesJoined(ctx, before, after);
  ret.result = true;
  return ret;
}

/** Salt's file.prepend. */
export async function prepend(ctx: StateContext, a: AppendArgs): Promise<StateReturn> {
  const salt = saltOf(ctx);
  const got = await prepare(ctx, a, 'prepend');
  if (!('name' in got)) return got.ret;
  const { name, ret, text } = got;
  const beforeText = fs.readFileSync(name, 'utf8');
  const header = flag(a.header);
  const preface: string[] = [];
  for (const chunk of text) {
    if (!header && (await salt('file.search', [name, whitespaceSplitRegex(chunk)], { multiline: true }))) continue;
    preface.push(...splitLines(chunk));
  }
  let count = preface.length;
  if (isTest(ctx)) {
    if (count) {
      ret.comment = `File ${name} is set to be updated`;
      const afterText = preface.map((l) => `${l}\n`).join('') + beforeText;
      ret.changes['diff'] = isBinary(name) ? 'Replace binary file' : await diffTexts(ctx, beforeText, afterText);
      ret.result = null;
    } else {
      ret.comment = `File ${name} is in correct state`;
      ret.result = true;
    }
    return ret;
  }
  if (header) {
    const head = splitLines(beforeText, true)
      .slice(0, preface.length)
      .flatMap((l) => splitLines(l));
    if (head.length === preface.length && head.every((l, i) => l === preface[i])) count = 0;
    else await salt('file.prepend', [name, ...preface]);
  } else if (preface.length) await salt('file.prepend', [name, ...preface]);
  const afterText = fs.readFileSync(name, 'utf8');
  if (beforeText !== afterText)
    ret.changes['diff'] = isBinary(name) ? 'Replace binary file' : await diffTexts(ctx, beforeText, afterText);
  ret.comment = count ? `Prepended ${count} lines` : `File ${name} is in correct state`;
  ret.result = true;
  return ret;
}
