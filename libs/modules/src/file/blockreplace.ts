import fs from 'node:fs';
import { pyStr } from '@tsalt/core';
import type { FileFunction } from './basic.js';
import { splitKeepEnds, unifiedDiff } from './difflib.js';
import { checkPerms } from './perms.js';
import { pyCompile, pySearch } from './pyre.js';
import { stats } from './stat-ops.js';
import { executionError, exists, expandUser, flag, invocationError, isText, writeAtomic } from './util.js';

export interface BlockOptions {
  markerStart: string;
  markerEnd: string;
  content: string;
  appendIfNotFound?: boolean;
  prependIfNotFound?: boolean;
  backup?: string | false;
  dryRun?: boolean;
  showChanges?: boolean;
  /** null: add a newline only when content does not end with one. */
  appendNewline?: boolean | null;
  insertBeforeMatch?: string | null;
  insertAfterMatch?: string | null;
}

/** Salt's `file.blockreplace`: the diff (show_changes) or whether the block changed. */
export function blockReplace(given: string, o: BlockOptions): string | boolean {
  const { markerStart, markerEnd, content } = o;
  const before = o.insertBeforeMatch ?? null;
  const after = o.insertAfterMatch ?? null;
  const exclusive = [o.appendIfNotFound, o.prependIfNotFound, Boolean(before), Boolean(after)].filter(Boolean);
  if (exclusive.length > 1)
    throw invocationError(
      'Only one of append_if_not_found, prepend_if_not_found, insert_before_match, and insert_after_match is permitted',
    );
  const p = expandUser(given);
  if (!exists(p)) throw invocationError(`File not found: ${p}`);
  if (!isText(p)) throw invocationError(`Cannot perform string replacements on a binary file: ${p}`);
  let appendNewline = o.appendNewline ?? false;
  if (o.appendNewline === null && !content.endsWith('\n')) appendNewline = true;
  const split = content.split('\r\n').flatMap((l) => l.split('\n'));
  const lines = splitKeepEnds(fs.readFileSync(p, 'utf8'));
  const first = lines[0];
  const linesep = first?.endsWith('\r\n') ? '\r\n' : '\n';

  /** The block's lines: start marker (unless kept from the file), content, end marker. */
  const block = (includeStart: boolean, endLine: string = markerEnd): string[] => {
    const out: string[] = [];
    const end = endLine.replace(/[\r\n]+$/, '') + linesep;
    if (includeStart) out.push(markerStart + linesep);
    split.forEach((l, i) => {
      if (i + 1 !== split.length) out.push(l + linesep);
      else if (appendNewline) out.push(l + linesep, end);
      else out.push(l + end);
    });
    return out;
  };

  const next: string[] = [];
  let inBlock = false;
  let found = false;
  for (const line of lines) {
    let keep = true;
    if (line.includes(markerStart)) inBlock = true;
    else if (inBlock) {
      keep = false;
      const at = line.indexOf(markerEnd);
      if (at !== -1) {
        inBlock = false;
        found = true;
        next.push(...block(false, line.slice(at)));
      }
    }
    if (keep) next.push(line);
  }
  if (inBlock) throw executionError('Unterminated marked block. End of file reached before marker_end.');
  if (!found) {
    if (o.prependIfNotFound) {
      next.unshift(...block(true));
      found = true;
    } else if (o.appendIfNotFound) {
      if (next.length && !next[next.length - 1]!.endsWith(linesep)) next[next.length - 1] += linesep;
      next.push(...block(true));
      found = true;
    } else if (before || after) {
      const re = pyCompile(pyStr(before ?? after), 0);
      const idx = lines.findIndex((l) => pySearch(re, l) !== null);
      if (idx !== -1) {
        next.splice(after ? idx + 1 : idx, 0, ...block(true));
        found = true;
      }
    }
  }
  if (!found) throw executionError('Cannot edit marked block. Markers were not found in file.');
  const diff = unifiedDiff(lines, next);
  const changed = diff !== '';
  if (changed && !o.dryRun) {
    const pre = stats(p);
    if (o.backup !== false) {
      const bak = `${p}${o.backup ?? '.bak'}`;
      fs.copyFileSync(p, bak);
      fs.utimesSync(bak, pre['atime'] as number, pre['mtime'] as number);
      checkPerms(bak, null, pre['user'], pre['group'], pre['mode']);
    }
    writeAtomic(p, next.join(''));
    checkPerms(p, null, pre['user'], pre['group'], pre['mode']);
  }
  return (o.showChanges ?? true) ? diff : changed;
}

export const blockFunctions: Record<string, FileFunction> = {
  blockreplace: {
    doc: "Replace content of a text block in a file, delimited by line markers\n\nA block of content delimited by comments can help you manage several lines\nentries without worrying about old entries removal.\n\npath\n    Filesystem path to the file to be edited\nmarker_start\n    The line content identifying a line as the start of the content block.\nmarker_end\n    The line content identifying the end of the content block.\ncontent\n    The content to be used between the two lines identified by marker_start and marker_end\nappend_if_not_found / prepend_if_not_found: False\n    Add the markers and content when the markers are not found.\ninsert_before_match / insert_after_match\n    If markers are not found, insert the block before/after the first line matching this regex.\nbackup: .bak\n    The file extension to use for a backup of the file if any edit is made. False for none.\ndry_run: False\n    Don't make any edits to the file.\nshow_changes: True\n    Output a unified diff of the old file and the new file; otherwise a boolean.\nappend_newline: False\n    Append a newline to the content block (None: only when content lacks one).\n\nCLI Example:\n\n    salt '*' file.blockreplace /etc/hosts '#-- start managed zone foobar : DO NOT EDIT --' '#-- end managed zone foobar --' $'10.0.1.1 foo.foobar\\n10.0.1.2 bar.foobar' True",
    params: [
      'path',
      { name: 'marker_start', default: '#-- start managed zone --' },
      { name: 'marker_end', default: '#-- end managed zone --' },
      { name: 'content', default: '' },
      { name: 'append_if_not_found', default: false },
      { name: 'prepend_if_not_found', default: false },
      { name: 'backup', default: '.bak' },
      { name: 'dry_run', default: false },
      { name: 'show_changes', default: true },
      { name: 'append_newline', default: false },
      { name: 'insert_before_match', default: null },
      { name: 'insert_after_match', default: null },
    ],
    fn: (_ctx, a) => {
      for (const k of ['insert_before_match', 'insert_after_match'])
        if (a[k] !== null && typeof a[k] !== 'string') throw executionError(`RegEx expected in ${k} parameter.`);
      const backup = a['backup'];
      return blockReplace(pyStr(a['path']), {
        markerStart: pyStr(a['marker_start']),
        markerEnd: pyStr(a['marker_end']),
        content: a['content'] === null ? '' : pyStr(a['content']),
        appendIfNotFound: flag(a['append_if_not_found']),
        prependIfNotFound: flag(a['prepend_if_not_found']),
        backup: backup === false || (typeof backup === 'string' && /^false$/i.test(backup)) ? false : pyStr(backup),
        dryRun: flag(a['dry_run']),
        showChanges: flag(a['show_changes']),
        appendNewline: a['append_newline'] === null ? null : flag(a['append_newline']),
        insertBeforeMatch: a['insert_before_match'] as string | null,
        insertAfterMatch: a['insert_after_match'] as string | null,
      });
    },
  },
};
