import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pyStr } from '@tsalt/core';
import type { StateContext, StateReturn } from '../types.js';
import {
  checkFile,
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
  saltenvOf,
} from './common.js';
import { managed } from './managed.js';

/** Salt's `_unify_sources_and_hashes`: `[ok, error, [[source, hash], ...]]`. */
export function unifySources(
  source: unknown,
  sourceHash: unknown,
  sources: unknown,
  sourceHashes: unknown,
): [boolean, string, [string, unknown][]] {
  const list = Array.isArray(sources) ? sources : [];
  const hashes = Array.isArray(sourceHashes) ? sourceHashes : [];
  if (source && list.length) return [false, 'source and sources are mutually exclusive', []];
  if (sourceHash && hashes.length) return [false, 'source_hash and source_hashes are mutually exclusive', []];
  if (source) return [true, '', [[pyStr(source), sourceHash]]];
  return [true, '', list.map((s, i) => [pyStr(s), hashes[i] ?? null])];
}

/**
 * Salt's `_get_template_texts`: each source fetched and rendered with
 * `template` (jinja by default); the texts, or a failed return.
 */
export async function templateTexts(
  ctx: StateContext,
  list: [string, unknown][],
  template: unknown,
  defaults: unknown,
  context: unknown,
): Promise<{ data: string[] } | { ret: StateReturn }> {
  const salt = saltOf(ctx);
  const saltenv = saltenvOf(ctx);
  const out: string[] = [];
  for (const [source] of list) {
    let file: unknown = null;
    try {
      file = source.startsWith('salt://') ? await salt('cp.cache_file', [source, saltenv]) : source;
    } catch {
      file = null;
    }
    if (typeof file !== 'string' || !file || !fs.existsSync(file)) {
      return { ret: fail(newRet(source), `Failed to load template file ${source}`) };
    }
    let text = fs.readFileSync(file, 'utf8');
    if (template) {
      const got = await salt('file.apply_template_on_contents', [text, template, context, defaults, saltenv]);
      if (typeof got !== 'string') return { ret: fail(newRet(source), `Failed to load template file ${source}`) };
      text = got;
    }
    if (!text) return { ret: fail(newRet(source), `Failed to read rendered template file ${file} (${source})`) };
    out.push(text);
  }
  return { data: out };
}

export interface LineArgs {
  name: unknown;
  content?: unknown;
  match?: unknown;
  mode?: unknown;
  location?: unknown;
  before?: unknown;
  after?: unknown;
  show_changes?: unknown;
  backup?: unknown;
  quiet?: unknown;
  indent?: unknown;
  create?: unknown;
  user?: unknown;
  group?: unknown;
  file_mode?: unknown;
}

/** Salt's file.line. */
export async function line(ctx: StateContext, a: LineArgs): Promise<StateReturn> {
  const salt = saltOf(ctx);
  const test = isTest(ctx);
  const name = expandUser(a.name);
  const ret = newRet(name);
  if (!name) return fail(ret, 'Must provide name to file.line');
  await managed(ctx, {
    name,
    create: flag(a.create),
    user: opt(a.user),
    group: opt(a.group),
    mode: opt(a.file_mode),
    replace: false,
  });
  const [ok, msg] = checkFile(name);
  if (!ok) return fail(ret, msg);
  const mode = typeof a.mode === 'string' ? a.mode.toLowerCase() : opt(a.mode);
  if (mode === null) return fail(ret, 'Mode was not defined. How to process the file?');
  if (mode !== 'delete' && opt(a.content) === null) return fail(ret, "Content can only be empty if mode is ['delete']");
  const kwargs = {
    match: opt(a.match),
    mode,
    location: opt(a.location),
    before: opt(a.before),
    after: opt(a.after),
    show_changes: a.show_changes === undefined ? true : a.show_changes,
    backup: test ? false : (a.backup ?? false),
    quiet: a.quiet ?? false,
    indent: a.indent ?? true,
  };
  let target = name;
  let scratch: string | null = null;
  if (test) {
    // Test mode edits a copy: the file stays as it is whatever the execution module's own test flag says.
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), '__salt.tmp.'));
    target = path.join(scratch, 'line');
    fs.copyFileSync(fs.realpathSync(name), target);
  }
  let changes: unknown;
  try {
    changes = await salt('file.line', [target, opt(a.content)], kwargs);
  } catch (err) {
    return fail(ret, errText(err));
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
  return diffOutcome(ret, changes, test, 'Changes would be made');
}

export interface ReplaceArgs {
  name: unknown;
  pattern: unknown;
  repl: unknown;
  count?: unknown;
  flags?: unknown;
  bufsize?: unknown;
  append_if_not_found?: unknown;
  prepend_if_not_found?: unknown;
  not_found_content?: unknown;
  backup?: unknown;
  show_changes?: unknown;
  ignore_if_missing?: unknown;
  backslash_literal?: unknown;
}

/** Salt's file.replace. */
export async function replace(ctx: StateContext, a: ReplaceArgs): Promise<StateReturn> {
  const test = isTest(ctx);
  const name = expandUser(a.name);
  const ret = newRet(name);
  if (!name) return fail(ret, 'Must provide name to file.replace');
  const [ok, msg] = checkFile(name);
  if (!ok) {
    if (flag(a.ignore_if_missing) && msg.includes('file not found')) {
      ret.comment = 'No changes needed to be made';
      return ret;
    }
    return fail(ret, msg);
  }
  let changes: unknown;
  try {
    changes = await saltOf(ctx)('file.replace', [name, a.pattern, a.repl], {
      count: a.count ?? 0,
      flags: a.flags ?? 8,
      bufsize: a.bufsize ?? 1,
      append_if_not_found: a.append_if_not_found ?? false,
      prepend_if_not_found: a.prepend_if_not_found ?? false,
      not_found_content: opt(a.not_found_content),
      backup: a.backup === undefined ? '.bak' : a.backup,
      dry_run: test,
      show_changes: a.show_changes ?? true,
      ignore_if_missing: a.ignore_if_missing ?? false,
      backslash_literal: a.backslash_literal ?? false,
    });
  } catch (err) {
    return fail(ret, errText(err));
  }
  return diffOutcome(ret, changes, test, 'Changes would have been made');
}

export interface BlockArgs {
  name: unknown;
  marker_start?: unknown;
  marker_end?: unknown;
  source?: unknown;
  source_hash?: unknown;
  template?: unknown;
  sources?: unknown;
  source_hashes?: unknown;
  defaults?: unknown;
  context?: unknown;
  content?: unknown;
  append_if_not_found?: unknown;
  prepend_if_not_found?: unknown;
  backup?: unknown;
  show_changes?: unknown;
  append_newline?: unknown;
  insert_before_match?: unknown;
  insert_after_match?: unknown;
}

/** Salt's file.blockreplace. */
export async function blockreplace(ctx: StateContext, a: BlockArgs): Promise<StateReturn> {
  const test = isTest(ctx);
  const name = expandUser(a.name);
  const ret = newRet(name);
  ret.result = false;
  if (!name) return fail(ret, 'Must provide name to file.blockreplace');
  const [okS, errS, list] = unifySources(opt(a.source), opt(a.source_hash), opt(a.sources), opt(a.source_hashes));
  if (!okS) return fail(ret, errS);
  const [ok, msg] = checkFile(name);
  if (!ok) return fail(ret, msg);
  let content = a.content === undefined || a.content === null ? '' : pyStr(a.content);
  if (list.length) {
    const got = await templateTexts(
      ctx,
      list,
      a.template === undefined ? 'jinja' : a.template,
      opt(a.defaults),
      opt(a.context),
    );
    if ('ret' in got) return got.ret;
    for (const t of got.data) content += t;
  }
  let changes: unknown;
  try {
    changes = await saltOf(ctx)(
      'file.blockreplace',
      [name, a.marker_start ?? '#-- start managed zone --', a.marker_end ?? '#-- end managed zone --'],
      {
        content,
        append_if_not_found: a.append_if_not_found ?? false,
        prepend_if_not_found: a.prepend_if_not_found ?? false,
        insert_before_match: opt(a.insert_before_match),
        insert_after_match: opt(a.insert_after_match),
        backup: a.backup === undefined ? '.bak' : a.backup,
        dry_run: test,
        show_changes: a.show_changes ?? true,
        append_newline: opt(a.append_newline),
      },
    );
  } catch (err) {
    ret.comment = `Encountered error managing block: ${errText(err)}. See the log for details.`;
    return ret;
  }
  return diffOutcome(ret, changes, test, 'Changes would be made');
}

/**
 * How line, replace and blockreplace end: the execution function's diff
 * (falsy: nothing to do) as the changes, with Salt's comments; `would` is
 * the test-mode comment, which Salt words differently per state.
 */
function diffOutcome(ret: StateReturn, changes: unknown, test: boolean, would: string): StateReturn {
  if (!changes) {
    ret.result = true;
    ret.comment = 'No changes needed to be made';
    return ret;
  }
  ret.changes['diff'] = changes;
  ret.result = test ? null : true;
  ret.comment = test ? would : 'Changes were made';
  return ret;
}

/** The file's text, read as Salt's system encoding (UTF-8). */
const readText = (p: string): string => fs.readFileSync(p, 'utf8');

/** A diff of a changed file, or Salt's text for a binary one. */
async function changedDiff(ctx: StateContext, name: string, before: string, after: string): Promise<string> {
  if (isBinary(name)) return 'Replace binary file';
  return diffTexts(ctx, before, after);
}

/** Salt's file.comment. */
export async function comment(
  ctx: StateContext,
  a: { name: unknown; regex: unknown; char?: unknown; backup?: unknown; ignore_missing?: unknown },
): Promise<StateReturn> {
  const salt = saltOf(ctx);
  const name = expandUser(a.name);
  const ret = newRet(name);
  ret.result = false;
  if (!name) return fail(ret, 'Must provide name to file.comment');
  const [ok, msg] = checkFile(name);
  if (!ok) return fail(ret, msg);
  const regex = pyStr(a.regex);
  const char = a.char === undefined || a.char === null ? '#' : pyStr(a.char);
  // The pattern without a leading inline flag group, ^ and $.
  const unanchor = regex.replace(/^(\(\?[iLmsux]\))?\^?([\s\S]*?)\$?$/, '$2');
  const uncommentRe = `^(?!\\s*${char})\\s*${unanchor}`;
  const commentRe = `${char}${unanchor}`;
  if (!(await salt('file.search', [name, uncommentRe], { multiline: true }))) {
    if (await salt('file.search', [name, commentRe], { multiline: true })) {
      ret.comment = 'Pattern already commented';
      ret.result = true;
      return ret;
    }
    if (flag(a.ignore_missing)) {
      ret.comment = 'Pattern not found and ignore_missing set to True';
      ret.result = true;
      return ret;
    }
    return fail(ret, `${unanchor}: Pattern not found`);
  }
  if (isTest(ctx)) {
    ret.changes[name] = 'updated';
    ret.comment = `File ${name} is set to be updated`;
    ret.result = null;
    return ret;
  }
  const before = readText(name);
  await salt('file.comment_line', [name, regex, char, true, a.backup === undefined ? '.bak' : a.backup]);
  const after = readText(name);
  ret.result = (await salt('file.search', [name, commentRe], { multiline: true })) as boolean;
  if (before !== after) ret.changes['diff'] = await changedDiff(ctx, name, before, after);
  ret.comment = ret.result ? 'Commented lines successfully' : 'Expected commented lines not found';
  return ret;
}

/** Salt's file.uncomment. */
export async function uncomment(
  ctx: StateContext,
  a: { name: unknown; regex: unknown; char?: unknown; backup?: unknown },
): Promise<StateReturn> {
  const salt = saltOf(ctx);
  const name = expandUser(a.name);
  const ret = newRet(name);
  ret.result = false;
  if (!name) return fail(ret, 'Must provide name to file.uncomment');
  const [ok, msg] = checkFile(name);
  if (!ok) return fail(ret, msg);
  const regex = pyStr(a.regex);
  const char = a.char === undefined || a.char === null ? '#' : pyStr(a.char);
  const bare = regex.replace(/^\^+/, '');
  if (await salt('file.search', [name, `${char}[ \t]*${bare}`], { multiline: true })) {
    // Present and commented: go on.
  } else if (await salt('file.search', [name, `^[ \t]*${bare}`], { multiline: true })) {
    ret.comment = 'Pattern already uncommented';
    ret.result = true;
    return ret;
  } else return fail(ret, `${regex}: Pattern not found`);
  if (isTest(ctx)) {
    ret.changes[name] = 'updated';
    ret.comment = `File ${name} is set to be updated`;
    ret.result = null;
    return ret;
  }
  const before = readText(name);
  await salt('file.comment_line', [name, regex, char, false, a.backup === undefined ? '.bak' : a.backup]);
  const after = readText(name);
  ret.result = (await salt('file.search', [name, `^[ \t]*${bare}`], { multiline: true })) as boolean;
  if (before !== after) ret.changes['diff'] = await changedDiff(ctx, name, before, after);
  ret.comment = ret.result ? 'Uncommented lines successfully' : 'Expected uncommented lines not found';
  return ret;
}
