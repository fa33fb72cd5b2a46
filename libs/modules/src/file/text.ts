import fs from 'node:fs';
import { pyStr } from '@tsalt/core';
import type { FileFunction } from './basic.js';
import { lineArgs, lineText } from './basic.js';
import { checkPerms } from './perms.js';
import { pyCompile, pyMatch } from './pyre.js';
import { bytesDiff, toBytesText } from './replace.js';
import { splitKeepEnds } from './difflib.js';
import { stats } from './stat-ops.js';
import {
  executionError,
  exists,
  expandUser,
  flag,
  invocationError,
  isFile,
  isText,
  oserror,
  realpath,
} from './util.js';

function readOrThrow(p: string): Buffer {
  try {
    return fs.readFileSync(p);
  } catch (err) {
    throw executionError(oserror(err, p), err);
  }
}

/** Python's `str.lstrip(chars)`. */
function lstripChars(s: string, chars: string): string {
  let i = 0;
  while (i < s.length && chars.includes(s[i]!)) i++;
  return s.slice(i);
}

export const textFunctions: Record<string, FileFunction> = {
  append: {
    doc: 'Append text to the end of a file\n\npath\n    path to file\n\n`*args`\n    strings to append to file\n\nCLI Example:\n\n    salt \'*\' file.append /etc/motd "With all thine offerings thou shalt offer salt."\n\nIf a line holds an equal sign, pass it as ``args=``.',
    params: ['path'],
    varargs: true,
    varkw: true,
    fn: (_ctx, a) => {
      const p = expandUser(a['path']);
      const lines = lineArgs(a).map(lineText);
      const cur = readOrThrow(p);
      // A file not ending in a newline gets one first, so the new lines stand alone.
      let add = cur.length && cur[cur.length - 1] !== 0x0a ? '\n' : '';
      for (const l of lines) add += `${l}\n`;
      fs.appendFileSync(p, add);
      return `Wrote ${lines.length} lines to "${p}"`;
    },
  },
  prepend: {
    doc: 'Prepend text to the beginning of a file\n\npath\n    path to file\n\n`*args`\n    strings to prepend to the file\n\nCLI Example:\n\n    salt \'*\' file.prepend /etc/motd "With all thine offerings thou shalt offer salt."',
    params: ['path'],
    varargs: true,
    varkw: true,
    fn: (_ctx, a) => {
      const p = expandUser(a['path']);
      const lines = lineArgs(a).map(lineText);
      let cur = '';
      try {
        cur = fs.readFileSync(p, 'utf8');
      } catch {
        // Salt prepends to nothing when the file cannot be read.
      }
      fs.writeFileSync(p, lines.map((l) => `${l}\n`).join('') + cur);
      return `Prepended ${lines.length} lines to "${p}"`;
    },
  },
  contains: {
    doc: "Return ``True`` if the file at ``path`` contains ``text`` (deprecated: use file.search)\n\nCLI Example:\n\n    salt '*' file.contains /etc/crontab 'mymaintenance.sh'",
    params: ['path', 'text'],
    fn: (_ctx, a) => {
      const p = expandUser(a['path']);
      if (!exists(p)) return false;
      try {
        return fs.readFileSync(p, 'utf8').includes(pyStr(a['text']).trim());
      } catch {
        return false;
      }
    },
  },
  comment_line: {
    doc: "Comment or Uncomment a line in a text file.\n\n:param path: The full path to the text file.\n:param regex: A regex expression that begins with ``^`` that will find the line you wish\n    to comment. Can be as simple as ``^color =``\n:param char: The character used to comment a line. Default is ``#``\n:param cmnt: True to comment the line. False to uncomment the line. Default is True.\n:param backup: The file extension to give the backup file. Default is ``.bak``\n    Set to False/None to not keep a backup.\n:return: the diff of the changed lines, or False when no line matched\n\nCLI Example:\n\n    salt '*' file.comment_line '/etc/modules' '^pcspkr'",
    params: [
      'path',
      'regex',
      { name: 'char', default: '#' },
      { name: 'cmnt', default: true },
      { name: 'backup', default: '.bak' },
    ],
    fn: (_ctx, a) => {
      const char = pyStr(a['char']);
      const cmnt = flag(a['cmnt']);
      const rx = pyStr(a['regex']);
      const core = rx.replace(/^\^+/, '').replace(/\$+$/, '');
      const tail = rx.endsWith('$') ? '$' : '';
      // Salt's char is inserted into the pattern unescaped; so is ours.
      const regex = cmnt ? `${rx.startsWith('^') ? '^' : ''}(${core})${tail}` : `^${char}\\s*(${core})${tail}`;
      const p = realpath(expandUser(a['path']));
      if (!isFile(p)) throw invocationError(`File not found: ${p}`);
      if (!isText(p)) throw invocationError(`Cannot perform string replacements on a binary file: ${p}`);
      const re = pyCompile(toBytesText(regex), 0);
      const lines = splitKeepEnds(readOrThrow(p).toString('latin1'));
      const orig: string[] = [];
      const changed: string[] = [];
      const out = lines.map((line) => {
        if (!pyMatch(re, line)) return line;
        const w = cmnt ? `${toBytesText(char)}${line}` : lstripChars(line, toBytesText(char));
        orig.push(line);
        changed.push(w);
        return w;
      });
      if (!orig.length) return false;
      const pre = stats(p);
      const backup = a['backup'];
      if (backup && !(typeof backup === 'string' && /^(false|none)$/i.test(backup)))
        fs.copyFileSync(p, `${p}${pyStr(backup)}`);
      fs.writeFileSync(p, Buffer.from(out.join(''), 'latin1'));
      checkPerms(p, null, pre['user'], pre['group'], pre['mode']);
      return bytesDiff(orig, changed);
    },
  },
};
