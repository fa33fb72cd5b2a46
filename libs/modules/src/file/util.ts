import { pyStr } from '@tsalt/core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pyTruthy, SaltInvocationError } from '@tsalt/loader';
import { ModuleError } from '../errors.js';
import { getentFields, lookupGroupId, lookupUser } from '../user-lookup.js';

/** Salt's SaltInvocationError: the caller asked for something impossible. */
export function invocationError(message: string): SaltInvocationError {
  return new SaltInvocationError(message);
}

/** Salt's CommandExecutionError: the host refused. */
export function executionError(message: string, cause?: unknown): ModuleError {
  return new ModuleError('COMMAND_EXECUTION_ERROR', message, cause === undefined ? undefined : { cause });
}

/** `os.path.expanduser`: `~` and `~user` at the start. */
export function expandUser(p: unknown): string {
  const s = pyStr(p);
  if (!s.startsWith('~')) return s;
  const slash = s.indexOf('/');
  const who = s.slice(1, slash === -1 ? undefined : slash);
  const home = who ? lookupUser(who)?.home : os.homedir();
  if (!home) return s;
  return home + (slash === -1 ? '' : s.slice(slash));
}

/** Python truthiness for flag arguments, with the CLI's 'False'/'false' strings read as false. */
export function flag(v: unknown): boolean {
  if (typeof v === 'string' && /^(false|no|off|none)$/i.test(v)) return false;
  return pyTruthy(v);
}

/** `os.path.normpath` (POSIX). */
export function normpath(p: string): string {
  if (!p) return '.';
  const n = path.posix.normalize(p);
  // Python keeps a leading '//' and drops a trailing '/'.
  const trimmed = n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
  return p.startsWith('//') && !p.startsWith('///') ? `/${trimmed}` : trimmed;
}

export function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

export function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

export const isFile = (p: string): boolean => statOrNull(p)?.isFile() ?? false;
export const isDir = (p: string): boolean => statOrNull(p)?.isDirectory() ?? false;
export const isLink = (p: string): boolean => lstatOrNull(p)?.isSymbolicLink() ?? false;
/** `os.path.exists`: follows links, so a dangling link does not exist. */
export const exists = (p: string): boolean => statOrNull(p) !== null;

/** Salt's `normalize_mode`: a string with leading zeros trimmed, then padded to 4 digits. */
export function normalizeMode(mode: unknown): string | null {
  if (mode === null || mode === undefined) return null;
  const s = pyStr(mode)
    .replace('0o', '0')
    .replace(/^["']+|["']+$/g, '');
  return s.replace(/^0+/, '').padStart(4, '0');
}

/** Octal mode text for a stat's permission bits, normalized: `0644`. */
export function modeText(st: fs.Stats): string {
  return normalizeMode((st.mode & 0o7777).toString(8))!;
}

/** `uid_to_user`: the name, or the uid itself when unknown. */
export function uidToUser(uid: number): string | number {
  return lookupUser(pyStr(uid))?.name ?? uid;
}

/** `gid_to_group`: the name, or the gid itself when unknown. */
export function gidToGroup(gid: number): string | number {
  return getentFields('group', pyStr(gid))?.[0] || gid;
}

/** `user_to_uid`: a uid, or '' when the user is unknown (Salt's sentinel). */
export function userToUid(user: unknown): number | '' {
  if (user === null || user === undefined) return process.getuid?.() ?? 0;
  if (typeof user === 'number') return user;
  return lookupUser(pyStr(user))?.uid ?? '';
}

/** `group_to_gid`: a gid, or '' when the group is unknown. */
export function groupToGid(group: unknown): number | '' {
  if (group === null || group === undefined) return process.getgid?.() ?? 0;
  if (typeof group === 'number') return group;
  return lookupGroupId(pyStr(group)) ?? '';
}

/** Salt's files.is_text: no NUL byte and mostly printable in the first 512 bytes. */
export function isText(p: string): boolean {
  let buf: Buffer;
  try {
    const fd = fs.openSync(p, 'r');
    try {
      buf = Buffer.alloc(512);
      buf = buf.subarray(0, fs.readSync(fd, buf, 0, 512, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
  if (buf.length === 0) return true;
  if (buf.includes(0)) return false;
  let odd = 0;
  for (const b of buf) if (b < 8 || (b > 13 && b < 32 && b !== 27)) odd++;
  // Salt counts non-text bytes: more than 30% of them means binary.
  return odd / buf.length <= 0.3;
}

/** Writes `data` to `p` through a temp file and rename (Salt's atomic_open), keeping the old mode. */
export function writeAtomic(p: string, data: string | Buffer): void {
  const tmp = path.join(path.dirname(p), `.${path.basename(p)}.tsalt-${process.pid}-${Date.now()}`);
  const st = statOrNull(p);
  fs.writeFileSync(tmp, data, { mode: st ? st.mode & 0o7777 : 0o666 });
  try {
    if (st) fs.chownSync(tmp, st.uid, st.gid);
  } catch {
    // Not root: the new file is ours, as Salt's would be.
  }
  fs.renameSync(tmp, p);
}

/** Linux strerror texts, as Python's OSError shows them (libuv words some differently). */
const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EEXIST: 'File exists',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ENOTEMPTY: 'Directory not empty',
  EINVAL: 'Invalid argument',
  ELOOP: 'Too many levels of symbolic links',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EXDEV: 'Invalid cross-device link',
  EBUSY: 'Device or resource busy',
  ENAMETOOLONG: 'File name too long',
};

/** The text of an errno error, as Python's `strerror` gives it. */
export function strerror(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code && STRERROR[e.code]) return STRERROR[e.code]!;
  const m = /^[A-Z]+: (.*?), /.exec(e.message ?? '');
  return m?.[1] ? m[1][0]!.toUpperCase() + m[1].slice(1) : pyStr(e.message ?? err);
}

/** `os.path.dirname`: up to the last '/', trailing slashes dropped unless that is all there is. */
export function pyDirname(p: string): string {
  const head = p.slice(0, p.lastIndexOf('/') + 1);
  return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
}

/** `[Errno 2] No such file or directory: '/x'`, Python's OSError text. */
export function oserror(err: unknown, p?: string): string {
  const e = err as NodeJS.ErrnoException;
  const no = e.errno !== undefined ? Math.abs(e.errno) : undefined;
  return `[Errno ${no ?? '?'}] ${strerror(err)}${p !== undefined ? `: '${p}'` : ''}`;
}

/** `os.path.realpath`: resolves what exists, keeps the rest. */
export function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    const parent = path.dirname(p);
    if (parent === p) return p;
    return path.join(realpath(parent), path.basename(p));
  }
}
