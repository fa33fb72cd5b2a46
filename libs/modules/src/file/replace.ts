import fs from 'node:fs';
import type { BoundArgs } from '@tsalt/loader';
import { pyStr } from '@tsalt/core';
import type { FileFunction } from './basic.js';
import { unifiedDiff, splitKeepEnds } from './difflib.js';
import { checkPerms } from './perms.js';
import { RE_FLAGS, parseFlags, pyCompile, pyEscape, pySearch, pySubn } from './pyre.js';
import { stats } from './stat-ops.js';
import { executionError, exists, expandUser, flag, invocationError, isLink, isText, realpath } from './util.js';

/**
 * Salt runs replace on bytes; so do we, by reading files as latin1 (one
 * char per byte) and turning patterns into their UTF-8 bytes the same way.
 */
export const toBytesText = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
export const fromBytesText = (s: string): string => Buffer.from(s, 'latin1').toString('utf8');

/** Salt's `stringutils.get_diff` over byte-text lines: decoded as UTF-8 for the diff. */
export function bytesDiff(a: readonly string[], b: readonly string[]): string {
  return unifiedDiff(a.map(fromBytesText), b.map(fromBytesText));
}

/** A replace's parameters, already bound (the state will call this too). */
export interface ReplaceOptions {
  count?: number;
  flags?: unknown;
  appendIfNotFound?: boolean;
  prependIfNotFound?: boolean;
  notFoundContent?: string | null;
  backup?: string | false;
  dryRun?: boolean;
  searchOnly?: boolean;
  showChanges?: boolean;
  ignoreIfMissing?: boolean;
  backslashLiteral?: boolean;
  test?: boolean;
}

/** Salt's `file.replace`: a diff (show_changes), or whether it changed or matched. */
export function replaceInFile(
  given: string,
  pattern: string,
  replIn: unknown,
  o: ReplaceOptions = {},
): string | boolean {
  const symlink = isLink(expandUser(given));
  const p = realpath(expandUser(given));
  if (!exists(p)) {
    if (o.ignoreIfMissing) return false;
    throw invocationError(`File not found: ${p}`);
  }
  if (!isText(p)) throw invocationError(`Cannot perform string replacements on a binary file: ${p}`);
  const append = o.appendIfNotFound ?? false;
  const prepend = o.prependIfNotFound ?? false;
  if (o.searchOnly && (append || prepend))
    throw invocationError('search_only cannot be used with append/prepend_if_not_found');
  if (append && prepend) throw invocationError('Only one of append and prepend_if_not_found is permitted');
  const bits = parseFlags(o.flags ?? 8);
  const cpattern = pyCompile(toBytesText(pattern), bits);
  const pre = stats(p);
  let repl = toBytesText(replIn === null || replIn === undefined ? 'None' : pyStr(replIn));
  const notFound = o.notFoundContent ? toBytesText(o.notFoundContent) : null;
  const content = notFound && (append || prepend) ? notFound : repl;
  const data = fs.readFileSync(p).toString('latin1');
  if (o.searchOnly) return pySearch(cpattern, data) !== null;
  if (o.backslashLiteral) repl = repl.replace(/\\/g, '\\\\');
  const [result, nrepl] = pySubn(cpattern, repl, data, o.count ?? 0);
  let found = nrepl > 0;
  let hasChanges = nrepl > 0 && pattern !== pyStr(replIn);
  if (append || prepend) {
    const probe = pyCompile(`^${pyEscape(content)}($|(?=\r\n))`, bits);
    if (pySearch(probe, data)) found = true;
  }
  const orig = splitKeepEnds(data);
  const next = splitKeepEnds(result);
  if (orig.length === next.length && orig.every((l, i) => l === next[i])) hasChanges = false;
  const dry = o.dryRun ?? false;
  let written = false;
  if (hasChanges && !dry) {
    backupCopy(p, o.backup);
    fs.writeFileSync(p, Buffer.from(result, 'latin1'));
    written = true;
  }
  if (!found && (append || prepend)) {
    const line = `${notFound ?? repl}\n`;
    if (prepend) next.unshift(line);
    else {
      if (next.length && !next[next.length - 1]!.endsWith('\n')) next[next.length - 1] += '\n';
      next.push(line);
    }
    hasChanges = true;
    if (!dry) {
      if (!written) backupCopy(p, o.backup);
      fs.writeFileSync(p, Buffer.from(next.join(''), 'latin1'));
    }
  }
  if (hasChanges && !dry && o.backup && symlink) linkBackup(expandUser(given), p, o.backup);
  if (!dry) checkPerms(p, null, pre['user'], pre['group'], pre['mode']);
  const diff = bytesDiff(orig, next);
  if (o.showChanges ?? true) return diff;
  return diff ? hasChanges : false;
}

/** Salt moves the pre-edit copy to `<path><backup>`. */
function backupCopy(p: string, backup: string | false | undefined): void {
  if (!backup) return;
  try {
    fs.copyFileSync(p, `${p}${backup}`);
  } catch (err) {
    throw executionError(
      `Unable to move the temp file '${p}' to the backup file '${p}${backup}'. Exception: ${(err as Error).message}`,
      err,
    );
  }
}

/** A symlinked file's backup gets a symlink beside the link too, as Salt makes. */
function linkBackup(given: string, target: string, backup: string): void {
  const link = `${given}${backup}`;
  fs.rmSync(link, { force: true });
  try {
    fs.symlinkSync(`${target}${backup}`, link);
  } catch (err) {
    throw executionError(
      `Unable create backup symlink '${link}'. Target was '${target}${backup}'. Exception: ${(err as Error).message}`,
      err,
    );
  }
}

/** Salt's `backup` argument: '' and False mean none. */
function backupArg(v: unknown): string | false {
  if (v === false || v === null || v === undefined || v === '' || (typeof v === 'string' && /^false$/i.test(v)))
    return false;
  return pyStr(v);
}

function countArg(v: unknown): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw invocationError(`count must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

export function replaceOptions(a: BoundArgs, test: boolean): ReplaceOptions {
  return {
    count: countArg(a['count']),
    flags: a['flags'],
    appendIfNotFound: flag(a['append_if_not_found']),
    prependIfNotFound: flag(a['prepend_if_not_found']),
    notFoundContent: a['not_found_content'] === null ? null : pyStr(a['not_found_content']),
    backup: backupArg(a['backup']),
    dryRun: flag(a['dry_run']) || test,
    searchOnly: flag(a['search_only']),
    showChanges: flag(a['show_changes']),
    ignoreIfMissing: flag(a['ignore_if_missing']),
    backslashLiteral: flag(a['backslash_literal']),
  };
}

export const replaceFunctions: Record<string, FileFunction> = {
  replace: {
    doc: "Replace occurrences of a pattern in a file. If ``show_changes`` is\n``True``, then a diff of what changed will be returned, otherwise a\n``True`` will be returned when changes are made, and ``False`` when\nno changes are made.\n\npath\n    Filesystem path to the file to be edited (symlinks are resolved).\npattern\n    A regular expression (Python ``re`` syntax), matched with ``re.search``.\nrepl\n    The replacement text (``\\1`` / ``\\g<name>`` refer to groups).\ncount: 0\n    Maximum number of occurrences to replace; 0 replaces all.\nflags (list or int): 8\n    Flag names such as ``['IGNORECASE', 'MULTILINE']``, or their int (8 is MULTILINE).\nbufsize (int or str)\n    Accepted for compatibility; the whole file is processed at once.\nappend_if_not_found / prepend_if_not_found: False\n    Add ``not_found_content`` (default ``repl``) when the pattern is not found.\nbackup: .bak\n    Extension of the backup copy; False for none.\ndry_run: False\n    Make no change, just report.\nsearch_only: False\n    Return whether the pattern matches.\nshow_changes: True\n    Return the diff instead of True/False.\nignore_if_missing: False\n    Return False for a missing file instead of raising.\npreserve_inode: True\n    The file is rewritten in place, so hard links keep sharing it.\nbackslash_literal: False\n    Take backslashes in ``repl`` literally.\n\nCLI Example:\n\n    salt '*' file.replace /etc/httpd/httpd.conf pattern='LogLevel warn' repl='LogLevel info'",
    params: [
      'path',
      'pattern',
      'repl',
      { name: 'count', default: 0 },
      { name: 'flags', default: 8 },
      { name: 'bufsize', default: 1 },
      { name: 'append_if_not_found', default: false },
      { name: 'prepend_if_not_found', default: false },
      { name: 'not_found_content', default: null },
      { name: 'backup', default: '.bak' },
      { name: 'dry_run', default: false },
      { name: 'search_only', default: false },
      { name: 'show_changes', default: true },
      { name: 'ignore_if_missing', default: false },
      { name: 'preserve_inode', default: true },
      { name: 'backslash_literal', default: false },
    ],
    fn: (_ctx, a) => replaceInFile(pyStr(a['path']), pyStr(a['pattern']), a['repl'], replaceOptions(a, false)),
  },
  search: {
    doc: "Search for occurrences of a pattern in a file\n\nExcept for multiline, params are identical to file.replace.\n\nmultiline\n    If true, inserts 'MULTILINE' into ``flags``.\n\nCLI Example:\n\n    salt '*' file.search /etc/crontab 'mymaintenance.sh'",
    params: [
      'path',
      'pattern',
      { name: 'flags', default: 8 },
      { name: 'bufsize', default: 1 },
      { name: 'ignore_if_missing', default: false },
      { name: 'multiline', default: false },
    ],
    fn: (_ctx, a) => {
      let bits = parseFlags(a['flags']);
      if (flag(a['multiline'])) bits |= RE_FLAGS['MULTILINE']!;
      return replaceInFile(pyStr(a['path']), pyStr(a['pattern']), '', {
        flags: bits,
        dryRun: true,
        searchOnly: true,
        showChanges: false,
        ignoreIfMissing: flag(a['ignore_if_missing']),
      });
    },
  },
};
