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

/**
 * `getent <db> <key>` fields, or null when the key does not exist. Node has
 * no getpwnam, so we ask getent (which honours NSS: LDAP, sssd...) and fall
 * back to reading the flat file where getent is missing.
 */
function getent(db: 'passwd' | 'group', key: string): string[] | null {
  if (!plausibleName(key)) return null;
  const r = spawnSync('getent', [db, key], { encoding: 'utf8', timeout: GETENT_TIMEOUT_MS });
  if (!r.error) {
    if (r.status !== 0) return null;
    const line = r.stdout.split('\n')[0];
    return line ? line.split(':') : null;
  }
  let text: string;
  try {
    text = fs.readFileSync(`/etc/${db}`, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === key || f[2] === key) return f;
  }
  return null;
}

/** Looks a user up by name (or numeric uid); null when unknown. */
export function lookupUser(name: string): UserInfo | null {
  const f = getent('passwd', name);
  if (!f || f.length < 7) return null;
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return null;
  return { name: f[0] ?? name, uid, gid, home: f[5] ?? '/', shell: f[6] ?? '/bin/sh' };
}

/** Looks a group up by name (or numeric gid); null when unknown. */
export function lookupGroupId(name: string): number | null {
  const f = getent('group', name);
  const gid = Number(f?.[2]);
  return f && Number.isInteger(gid) ? gid : null;
}
