import crypto from 'node:crypto';
import fs from 'node:fs';
import { pyStr } from '@tsalt/core';
import {
  executionError,
  exists,
  gidToGroup,
  groupToGid,
  lstatOrNull,
  modeText,
  realpath,
  uidToUser,
  userToUid,
} from './util.js';

export const HASHES = new Set([
  'md5',
  'sha1',
  'sha224',
  'sha256',
  'sha384',
  'sha512',
  'blake2b',
  'blake2s',
  'sha3_256',
]);

/** `hashutils.get_hash`: hex digest of a file, read in chunks (bytes). */
export function hashFile(p: string, form: string, chunkSize = 65536): string {
  if (!HASHES.has(form)) throw executionError(`Invalid hash type: ${form}`);
  const algo = form === 'blake2b' ? 'blake2b512' : form === 'blake2s' ? 'blake2s256' : form.replace('_', '-');
  const h = crypto.createHash(algo);
  const fd = fs.openSync(p, 'r');
  try {
    const buf = Buffer.alloc(Math.max(1, chunkSize));
    let n: number;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

function fileType(st: fs.Stats): string {
  if (st.isSymbolicLink()) return 'link';
  if (st.isDirectory()) return 'dir';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'pipe';
  if (st.isSocket()) return 'socket';
  return 'file';
}

/** Salt's `file.stats` dict (times in seconds, floats as Python's st_*time). */
export function stats(p: string, hashType: unknown = null, followSymlinks = true): Record<string, unknown> {
  let st: fs.Stats;
  if (!exists(p)) {
    const l = lstatOrNull(p);
    if (!l) throw executionError(`Path not found: ${p}`);
    st = l;
  } else {
    st = followSymlinks ? fs.statSync(p) : fs.lstatSync(p);
  }
  const ret: Record<string, unknown> = {
    inode: st.ino,
    uid: st.uid,
    gid: st.gid,
    group: gidToGroup(st.gid),
    user: uidToUser(st.uid),
    atime: st.atimeMs / 1000,
    mtime: st.mtimeMs / 1000,
    ctime: st.ctimeMs / 1000,
    size: st.size,
    mode: modeText(st),
  };
  if (hashType) ret['sum'] = hashFile(p, pyStr(hashType));
  ret['type'] = fileType(st);
  ret['target'] = realpath(p);
  return ret;
}

/** Salt's `set_mode`: the new mode, or 'Invalid Mode ...'. */
export function setMode(p: string, mode: unknown): string {
  const m = pyStr(mode).replace(/^[0Oo]+/, '') || '0';
  if (!exists(p)) throw executionError(`${p}: File not found`);
  if (!/^[0-7]+$/.test(m) || parseInt(m, 8) > 0o7777) return `Invalid Mode ${m}`;
  fs.chmodSync(p, parseInt(m, 8));
  return modeText(fs.statSync(p));
}

/** Salt's `chown`: null when done, or the error text Salt returns (not raises). */
export function chown(p: string, user: unknown, group: unknown, follow = true): string | null {
  let uid = userToUid(user);
  let gid = groupToGid(group);
  let err = '';
  if (uid === '') {
    if (user) err += 'User does not exist\n';
    else uid = -1;
  }
  if (gid === '') {
    if (group) err += 'Group does not exist\n';
    else gid = -1;
  }
  if (!exists(p)) {
    try {
      // A dangling link still gets its owner changed.
      if (!err) {
        fs.lchownSync(p, uid as number, gid as number);
        return null;
      }
    } catch {
      // fall through to 'File not found'
    }
    err += 'File not found';
  }
  if (err) return err;
  if (follow) fs.chownSync(p, uid as number, gid as number);
  else fs.lchownSync(p, uid as number, gid as number);
  return null;
}
