import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pyStr } from '@tsalt/core';
import { unifiedDiff } from './difflib.js';
import { checkPerms, makedirsPerms, type PermsRet } from './perms.js';
import { fromBytesText } from './replace.js';
import { splitKeepEnds } from './difflib.js';
import type { SourceFetcher } from './source.js';
import { hashFile, stats } from './stat-ops.js';
import { cleanTemp } from './template.js';
import { exists, executionError, isDir, isFile, isLink, isText, normalizeMode, realpath } from './util.js';

/** Salt's `_binary_replace`: the text a diff is replaced with when either side is binary. */
function binaryReplace(a: string, b: string): string {
  const aBin = !isText(a);
  const bBin = !isText(b);
  if (aBin && bBin) return 'Replace binary file';
  if (aBin) return 'Replace binary file with text file';
  if (bBin) return 'Replace text file with binary file';
  return '';
}

export interface DiffOptions {
  saltenv?: string;
  showFilenames?: boolean;
  showChanges?: boolean;
  template?: boolean;
  obfuscateTemplates?: boolean;
}

/** Salt's `file.get_diff`: '' when equal, else the unified diff (or a replacement text). */
export async function getDiff(
  fetch: SourceFetcher,
  file1: string,
  file2: string,
  o: DiffOptions = {},
): Promise<string> {
  const paths: string[] = [];
  const errors: string[] = [];
  for (const f of [file1, file2]) {
    const got = await fetch(f, o.saltenv ?? 'base');
    if (got === false) errors.push(`File ${f} not found`);
    else paths.push(got);
  }
  if (errors.length)
    throw executionError(
      `Failed to cache one or more files. Additional info follows:\n\n${errors.map((e) => `- ${e}`).join('\n')}`,
    );
  const [p1, p2] = paths as [string, string];
  const read = (p: string): string => {
    try {
      return fs.readFileSync(p).toString('latin1');
    } catch (err) {
      throw executionError(`Failed to read ${p}: ${(err as Error).message}`, err);
    }
  };
  const a = read(p1);
  const b = read(p2);
  if (a === b) return '';
  if (o.template && o.obfuscateTemplates) return '<Obfuscated Template>';
  if (o.showChanges === false) return '<show_changes=False>';
  const bin = binaryReplace(p1, p2);
  if (bin) return bin;
  const lines = (t: string): string[] => splitKeepEnds(t).map(fromBytesText);
  return o.showFilenames === false ? unifiedDiff(lines(a), lines(b)) : unifiedDiff(lines(a), lines(b), p1, p2);
}

export interface ManageOptions {
  name: string;
  sfn: string | null;
  ret: Record<string, unknown> | null;
  source: string | null;
  sourceSum: { hash_type?: string; hsum?: string } | null;
  user: unknown;
  group: unknown;
  mode: unknown;
  saltenv: string;
  makedirs: boolean;
  showChanges: boolean;
  contents: string | null;
  dirMode: unknown;
  followSymlinks: boolean;
  hashType: string;
  test: boolean;
  /** Salt's `backup`: 'minion' keeps the replaced file under `<cachedir>/file_backup`. */
  backup?: string | null;
  cachedir?: string;
}

/** `%a_%b_%d_%H:%M:%S_%Y` in local time, as Python's time.strftime in the C locale. */
function backupStamp(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number): string => String(n).padStart(2, '0');
  const t = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return `${days[d.getDay()]}_${months[d.getMonth()]}_${two(d.getDate())}_${t}_${d.getFullYear()}`;
}

/**
 * Salt's `backup_minion`: a copy of `p` at
 * `<bkroot>/<dir without its leading '/'>/<name>_<stamp>`, the stamp
 * carrying the last six digits of the time in microseconds before the year,
 * with the original's owner and mode.
 */
export function backupMinion(p: string, bkroot: string): string {
  const st = fs.statSync(p);
  const now = Date.now();
  const micros = String(now * 1000 + Math.floor(Math.random() * 1000)).slice(-6);
  const stamp = backupStamp(new Date(now));
  const bk = path.join(
    bkroot,
    path.dirname(p).slice(1),
    `${path.basename(p)}_${stamp.slice(0, -4)}${micros}_${stamp.slice(-4)}`,
  );
  fs.mkdirSync(path.dirname(bk), { recursive: true });
  fs.copyFileSync(p, bk);
  try {
    fs.chownSync(bk, st.uid, st.gid);
  } catch {
    // Not root: the copy stays ours.
  }
  fs.chmodSync(bk, st.mode & 0o7777);
  return bk;
}

function fail(ret: PermsRet, comment: string): PermsRet {
  ret.result = false;
  ret.comment = comment;
  return ret;
}

/** A temp file holding `contents`, for a diff and a copy; removed by the caller. */
function contentsFile(contents: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), '__salt.tmp.'));
  const tmp = path.join(dir, 'contents');
  fs.writeFileSync(tmp, contents);
  return tmp;
}

/** Copies `src` over `dst`'s contents in place: the inode, owner and mode of dst stay. */
function copyContents(src: string, dst: string): void {
  fs.writeFileSync(dst, fs.readFileSync(src));
}

/** Salt's files.copyfile with a backup mode: the old file is kept first when backup is 'minion'. */
function replaceContents(src: string, dst: string, o: Pick<ManageOptions, 'backup' | 'cachedir'>): void {
  if (o.backup === 'minion' && o.cachedir && isFile(dst)) backupMinion(dst, path.join(o.cachedir, 'file_backup'));
  copyContents(src, dst);
}

/**
 * Salt's `file.manage_file`: makes `name` hold the source's bytes (or
 * `contents`) and the asked user, group and mode, and returns the state
 * return (`changes.diff` as unified diff text, 'New file' for a new one).
 */
export async function manageFile(fetch: SourceFetcher, o: ManageOptions): Promise<PermsRet> {
  let ret: PermsRet = o.ret
    ? { ...(o.ret as PermsRet), changes: { ...((o.ret['changes'] as Record<string, unknown>) ?? {}) } }
    : { name: o.name, changes: {}, comment: '', result: true };
  const name = o.name;
  let sfn = o.sfn;
  let sum = o.sourceSum ? { ...o.sourceSum } : null;
  if (sum?.hsum) sum.hsum = sum.hsum.toLowerCase();
  if (o.source && !sfn) {
    const got = await fetch(o.source, o.saltenv);
    if (!got) return fail(ret, `Source file '${o.source}' not found`);
    sfn = got;
    const htype = sum?.hash_type ?? o.hashType;
    sum = { hash_type: htype, hsum: hashFile(sfn, htype) };
  }
  const tmp = o.contents !== null ? contentsFile(o.contents) : null;
  try {
    if (isFile(name) || isLink(name)) {
      const real = isLink(name) && o.followSymlinks ? realpath(name) : name;
      const htype = sum?.hash_type ?? o.hashType;
      if (o.source && sfn && hashFile(real, htype) !== sum?.hsum) {
        if (!o.showChanges) ret.changes['diff'] = '<show_changes=False>';
        else {
          const d = await getDiff(fetch, real, sfn, { showFilenames: false });
          if (d) ret.changes['diff'] = d;
        }
        if (!o.test) replaceContents(sfn, real, o);
      }
      if (tmp) {
        const d = await getDiff(fetch, real, tmp, { showFilenames: false, showChanges: o.showChanges, template: true });
        if (d) {
          ret.changes['diff'] = d;
          if (!o.test) replaceContents(tmp, real, o);
        }
      }
      [ret] = checkPerms(name, ret, o.user, o.group, o.mode, { followSymlinks: o.followSymlinks, test: o.test });
      if (Object.keys(ret.changes).length) ret.comment = `File ${name} updated`;
      else if (ret.result) ret.comment = `File ${name} is in the correct state`;
      return ret;
    }
    const parent = path.dirname(name);
    if (o.source) ret.changes['diff'] = 'New file';
    if (!isDir(parent)) {
      if (o.makedirs) {
        if (!o.test) {
          if (exists(parent)) return fail(ret, `${parent} exists and is not a directory`);
          makedirsPerms(parent, o.user, o.group, o.dirMode ?? o.mode);
        }
      } else {
        delete ret.changes['diff'];
        return fail(ret, 'Parent directory not present');
      }
    }
    if (!o.test) {
      // A source lands through a private temp file (0600, as Salt's mkstemp); contents and empty files are
      // touched first, under umask 077 when a mode is asked, so neither is ever briefly readable.
      const viaSource = Boolean(o.source && sfn && tmp === null);
      fs.writeFileSync(name, '', { mode: viaSource || o.mode ? 0o600 : 0o666, flag: 'a' });
      if (viaSource) fs.chmodSync(name, 0o600);
      if (!o.source) {
        if (tmp === null) {
          ret.changes['new'] = `file ${name} created`;
          ret.comment = 'Empty file';
        } else ret.changes['diff'] = 'New file';
      }
      if (tmp) copyContents(tmp, name);
      else if (sfn) copyContents(sfn, name);
      // No mode asked: the umask's, as Salt sets it (so a source's 0600 temp file becomes 0644 under umask 022).
      const mode = o.mode ?? (0o666 & ~process.umask()).toString(8);
      [ret] = checkPerms(name, ret, o.user, o.group, mode, { followSymlinks: o.followSymlinks });
    }
    if (!ret.comment) ret.comment = `File ${name} updated`;
    if (o.test) ret.comment = `File ${name} not updated`;
    else if (!Object.keys(ret.changes).length && ret.result) ret.comment = `File ${name} is in the correct state`;
    return ret;
  } finally {
    if (tmp) fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
    cleanTemp(sfn);
  }
}

/** Salt's `check_file_meta`: what manage_file would change, without changing it. */
export async function checkFileMeta(
  fetch: SourceFetcher,
  name: string,
  sfn: string | null,
  sum: { hash_type: string; hsum: string } | null,
  o: Pick<ManageOptions, 'user' | 'group' | 'mode' | 'contents' | 'saltenv' | 'followSymlinks'> & {
    source: string | null;
  },
): Promise<Record<string, unknown>> {
  if (!exists(name) && !isLink(name)) return { newfile: name };
  const changes: Record<string, unknown> = {};
  const cur = stats(name, null, o.followSymlinks);
  if (o.source && sfn && sum && cur['type'] === 'file' && hashFile(name, sum.hash_type) !== sum.hsum) {
    changes['diff'] = await getDiff(fetch, name, sfn, { showFilenames: false });
  }
  if (o.contents !== null) {
    const tmp = contentsFile(o.contents);
    try {
      const d = await getDiff(fetch, name, tmp, { showFilenames: false });
      if (d) changes['diff'] = d;
    } finally {
      fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
    }
  }
  const differs = (want: unknown, nameNow: unknown, idNow: unknown): boolean =>
    want !== null && want !== undefined && pyStr(want) !== pyStr(nameNow) && pyStr(want) !== pyStr(idNow);
  if (differs(o.user, cur['user'], cur['uid'])) changes['user'] = o.user;
  if (differs(o.group, cur['group'], cur['gid'])) changes['group'] = o.group;
  const mode = normalizeMode(o.mode);
  if (mode !== null && mode !== cur['mode'] && cur['type'] !== 'link') changes['mode'] = mode;
  return changes;
}
