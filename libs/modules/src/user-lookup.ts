import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** One passwd entry. */
export interface UserInfo {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** Bounds the getent call; a hung NSS backend must not hang the job (ms). */
const GETENT_TIMEOUT_MS = 5000;

/** Names we pass to getent: nothing that could read as an option or break the line format. */
function plausibleName(name: string): boolean {
  return name.length > 0 && name.length <= 256 && !name.startsWith('-') && !/[:\s]/.test(name);
}

// /etc/passwd and /etc/group as fields, re-read when their mtime or size changes.
const flatFiles = new Map<string, { mtimeMs: number; size: number; rows: string[][] }>();

function flatRows(db: 'passwd' | 'group'): string[][] {
  const file = `/etc/${db}`;
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return [];
  }
  const hit = flatFiles.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.rows;
  let rows: string[][] = [];
  try {
    rows = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    rows = [];
  }
  flatFiles.set(file, { mtimeMs: st.mtimeMs, size: st.size, rows });
  return rows;
}

/**
 * `getent <db> <key>` fields, or null when the key does not exist. Node has
 * no getpwnam. The flat file answers first: a file state checks an owner
 * per file, and spawning getent twice per file was most of a no-change
 * run's CPU (2.5 of 3.1 s for 100 files). A key not in the file goes to
 * getent, which honours NSS (LDAP, sssd...).
 */
export function getentFields(db: 'passwd' | 'group', key: string): string[] | null {
  if (!plausibleName(key)) return null;
  const local = flatRows(db).find((f) => f[0] === key) ?? flatRows(db).find((f) => f[2] === key);
  if (local) return local;
  const r = spawnSync('getent', [db, key], { encoding: 'utf8', timeout: GETENT_TIMEOUT_MS });
  if (r.error || r.status !== 0) return null;
  const line = r.stdout.split('\n')[0];
  return line ? line.split(':') : null;
}

/** Looks a user up by name (or numeric uid); null when unknown. */
export function lookupUser(name: string): UserInfo | null {
  const f = getentFields('passwd', name);
  if (!f || f.length < 7) return null;
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return null;
  return { name: f[0] ?? name, uid, gid, home: f[5] ?? '/', shell: f[6] ?? '/bin/sh' };
}

/** Looks a group up by name (or numeric gid); null when unknown. */
export function lookupGroupId(name: string): number | null {
  const f = getentFields('group', name);
  const gid = Number(f?.[2]);
  return f && Number.isInteger(gid) ? gid : null;
}
