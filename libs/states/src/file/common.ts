import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pyStr } from '@tsalt/core';
import { pyTruthy } from '@tsalt/loader';
import { StateError } from '../errors.js';
import type { SaltCall, StateContext, StateFileClient, StateReturn } from '../types.js';

/** A state service the runtime did not inject: the lead's wiring is missing, not the user's SLS. */
export class StateServiceError extends StateError {
  static readonly CODE = 'STATE_NO_SERVICE';
  constructor(what: string) {
    super(StateServiceError.CODE, `The file state needs the ${what} service, and this runtime gave none`);
  }
}

/** Salt's `__salt__`. */
export function saltOf(ctx: StateContext): SaltCall {
  const s = ctx.services.salt;
  if (!s) throw new StateServiceError('salt');
  return s;
}

export function fileClientOf(ctx: StateContext): StateFileClient {
  const c = ctx.services.fileClient;
  if (!c) throw new StateServiceError('fileClient');
  return c;
}

/** Salt's `__opts__['test']`. */
export const isTest = (ctx: StateContext): boolean => ctx.services.run?.test === true;

/** Salt's `__env__`. */
export const saltenvOf = (ctx: StateContext): string => ctx.services.run?.saltenv || 'base';

/** The sls the chunk came from, for templates' `sls`. */
export const slsOf = (ctx: StateContext): string | undefined => ctx.services.run?.chunk?.__sls__;

export function newRet(name: string): StateReturn {
  return { name, changes: {}, result: true, comment: '' };
}

/** Salt's `_error`: result False with the comment. */
export function fail(ret: StateReturn, comment: string): StateReturn {
  ret.result = false;
  ret.comment = comment;
  return ret;
}

/** Python truthiness, with the CLI's 'False' strings read as false. */
export function flag(v: unknown): boolean {
  if (typeof v === 'string' && /^(false|no|off|none)$/i.test(v)) return false;
  return pyTruthy(v);
}

/** null for Salt's None (and a missing argument). */
export const opt = (v: unknown): unknown => (v === undefined ? null : v);

/** A string argument, or null for None / ''. */
export const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : pyStr(v));

/** `os.path.expanduser` for `~` and `~user`. */
export function expandUser(p: unknown): string {
  const s = p === null || p === undefined ? '' : pyStr(p);
  if (!s.startsWith('~')) return s;
  const slash = s.indexOf('/');
  const who = s.slice(1, slash === -1 ? undefined : slash);
  let home: string | undefined = who ? undefined : os.homedir();
  if (who) {
    try {
      const line = fs
        .readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .find((l) => l.split(':')[0] === who);
      home = line?.split(':')[5];
    } catch {
      // No passwd file: the path stays as written, as Python's does for an unknown user.
    }
  }
  if (!home) return s;
  return home + (slash === -1 ? '' : s.slice(slash));
}

/** Salt's `normalize_mode`: leading zeros trimmed, then padded to 4 digits; null for None. */
export function normalizeMode(mode: unknown): string | null {
  if (mode === null || mode === undefined || mode === '') return null;
  const s = pyStr(mode)
    .replace('0o', '0')
    .replace(/^["']+|["']+$/g, '');
  return s.replace(/^0+/, '').padStart(4, '0');
}

const statOr = (p: string): fs.Stats | null => {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
};
const lstatOr = (p: string): fs.Stats | null => {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
};
export const isFile = (p: string): boolean => statOr(p)?.isFile() ?? false;
export const isDir = (p: string): boolean => statOr(p)?.isDirectory() ?? false;
export const isLink = (p: string): boolean => lstatOr(p)?.isSymbolicLink() ?? false;
/** `os.path.exists`: a dangling link does not exist. */
export const exists = (p: string): boolean => statOr(p) !== null;
/** `os.path.lexists`. */
export const lexists = (p: string): boolean => lstatOr(p) !== null;
export const dirname = (p: string): string => path.dirname(p);

/** Salt's `_check_file`: absolute and present. */
export function checkFile(name: string): [boolean, string] {
  if (!path.isAbsolute(name)) return [false, `Specified file ${name} is not an absolute path`];
  if (!exists(name)) return [false, `${name}: file not found`];
  return [true, ''];
}

/** Salt's `_check_user`: '' when user and group exist (always '' in test mode, which only warns). */
export async function checkUser(ctx: StateContext, user: unknown, group: unknown): Promise<string> {
  const salt = saltOf(ctx);
  let err = '';
  if (user !== null && user !== undefined && user !== '') {
    if ((await salt('file.user_to_uid', [user])) === '') err += `User ${pyStr(user)} is not available `;
  }
  if (group !== null && group !== undefined && group !== '') {
    if ((await salt('file.group_to_gid', [group])) === '') err += `Group ${pyStr(group)} is not available`;
  }
  if (err && isTest(ctx)) {
    ctx.log.warn(err);
    return '';
  }
  return err;
}

/** The message of a thrown execution-module error, as Salt's `{exc}`. */
export const errText = (err: unknown): string => (err instanceof Error ? err.message : pyStr(err));

/** A list argument (Salt's `_validate_str_list`): strings kept, others as Python's str(). */
export function strList(v: unknown): string[] {
  if (Buffer.isBuffer(v)) return [v.toString('utf8')];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : pyStr(x)));
  return [pyStr(v)];
}

/** Python's `str.splitlines()` (keepends false) over \n, \r\n and \r. */
export function splitLines(s: string, keepEnds = false): string[] {
  const out: string[] = [];
  const re = /\r\n|\n|\r/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    out.push(keepEnds ? s.slice(last, m.index + m[0].length) : s.slice(last, m.index));
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push(s.slice(last));
  return out;
}

/**
 * `''.join(difflib.unified_diff(old, new))` over the two texts, through the
 * execution module's `file.get_diff` (the one difflib port), on temp files.
 */
export async function diffTexts(ctx: StateContext, before: string, after: string): Promise<string> {
  if (before === after) return '';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), '__salt.tmp.'));
  try {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    fs.writeFileSync(a, before);
    fs.writeFileSync(b, after);
    return pyStr(await saltOf(ctx)('file.get_diff', [a, b], { show_filenames: false }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `'\n'.join(difflib.unified_diff(old, new))` over lines without their
 * endings, as Salt's append builds its diff: the header lines keep their
 * newline and so leave a blank line after them.
 */
export async function diffLinesJoined(ctx: StateContext, before: string[], after: string[]): Promise<string> {
  const text = (ls: string[]): string => ls.map((l) => `${l}\n`).join('');
  const d = await diffTexts(ctx, text(before), text(after));
  if (!d) return '';
  return splitLines(d)
    .map((l) => (l.startsWith('--- ') || l.startsWith('+++ ') || l.startsWith('@@ ') ? `${l}\n` : l))
    .join('\n');
}

/** Not Salt's `files.is_text`: a NUL byte, or over 30% control bytes, in the first 512 bytes. */
export function isBinary(p: string): boolean {
  try {
    const fd = fs.openSync(p, 'r');
    try {
      const buf = Buffer.alloc(512);
      const n = fs.readSync(fd, buf, 0, 512, 0);
      const head = buf.subarray(0, n);
      if (!n) return false;
      if (head.includes(0)) return true;
      let odd = 0;
      for (const c of head) if (c < 8 || (c > 13 && c < 32 && c !== 27)) odd++;
      // Salt counts non-text bytes: more than 30% of them means binary.
      return odd / n > 0.3;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}
