import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { getentFields } from './user-lookup.js';

/*
 * The user and group databases, as Python's pwd/grp modules give them to
 * Salt. Node has no getpwent, so we ask `getent` (which honours NSS: LDAP,
 * sssd...) and read the flat files where getent is missing or where a
 * `root` (a chroot) is given, as Salt's useradd/groupadd do.
 */

/** One passwd entry (Python's struct_passwd). */
export interface PasswdEntry {
  name: string;
  passwd: string;
  uid: number;
  gid: number;
  gecos: string;
  dir: string;
  shell: string;
}

/** One group entry (Python's struct_group). */
export interface GroupEntry {
  name: string;
  passwd: string;
  gid: number;
  members: string[];
}

/** Bounds a getent call: a hung NSS backend must not hang the job (ms). */
const GETENT_TIMEOUT_MS = 10_000;

/** `getent <db>` lines (every entry NSS knows); null when getent cannot run (not installed). */
function getentLines(db: 'passwd' | 'group'): string[] | null {
  const r = spawnSync('getent', [db], {
    encoding: 'utf8',
    timeout: GETENT_TIMEOUT_MS,
  });
  if (r.error) return null;
  // Exit 2: the key is not in the database.
  if (r.status !== 0) return [];
  return r.stdout.split('\n').filter((l) => l !== '');
}

function fileLines(root: string | undefined, db: 'passwd' | 'group'): string[] {
  try {
    return fs
      .readFileSync(path.join(root ?? '/', 'etc', db), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
  } catch {
    return [];
  }
}

function parsePasswd(line: string): PasswdEntry | null {
  const f = line.split(':');
  if (f.length < 7) return null;
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return null;
  return { name: f[0] ?? '', passwd: f[1] ?? '', uid, gid, gecos: f[4] ?? '', dir: f[5] ?? '', shell: f[6] ?? '' };
}

function parseGroup(line: string): GroupEntry | null {
  const f = line.split(':');
  if (f.length < 4) return null;
  const gid = Number(f[2]);
  if (!Number.isInteger(gid)) return null;
  const mem = f[3] ?? '';
  return { name: f[0] ?? '', passwd: f[1] ?? '', gid, members: mem ? mem.split(',') : [] };
}

function entries<T>(db: 'passwd' | 'group', root: string | undefined, parse: (l: string) => T | null): T[] {
  const lines = (root === undefined ? getentLines(db) : null) ?? fileLines(root, db);
  return lines.map(parse).filter((e): e is T => e !== null);
}

/** Names we pass to getent: nothing that could read as an option or break the line format. */
function plausible(name: string): boolean {
  return name.length > 0 && name.length <= 256 && !name.startsWith('-') && !/[:\s]/.test(name);
}

function lookup<T extends { name: string }>(
  db: 'passwd' | 'group',
  name: string,
  root: string | undefined,
  parse: (l: string) => T | null,
): T | null {
  if (!plausible(name)) return null;
  if (root === undefined) {
    // The flat file first, then getent (NSS); both also match a numeric id, Salt's getpwnam/getgrnam take names only.
    const fields = getentFields(db, name);
    const e = fields ? parse(fields.join(':')) : null;
    return e?.name === name ? e : null;
  }
  return entries(db, root, parse).find((e) => e.name === name) ?? null;
}

/** Every user (Python's `pwd.getpwall()`), or those of `<root>/etc/passwd`. */
export function allUsers(root?: string): PasswdEntry[] {
  return entries('passwd', root, parsePasswd);
}

/** Every group (Python's `grp.getgrall()`), or those of `<root>/etc/group`. */
export function allGroups(root?: string): GroupEntry[] {
  return entries('group', root, parseGroup);
}

/** Python's `pwd.getpwnam`: null when there is no such user. */
export function getpwnam(name: string, root?: string): PasswdEntry | null {
  return lookup('passwd', name, root, parsePasswd);
}

/** Python's `grp.getgrnam`: null when there is no such group. */
export function getgrnam(name: string, root?: string): GroupEntry | null {
  return lookup('group', name, root, parseGroup);
}

/**
 * Salt's `get_group_list`: the sorted names of the groups `user` is in,
 * its primary group included (what `os.getgrouplist` gives).
 */
export function groupsOf(user: string, root?: string): string[] {
  const pw = getpwnam(user, root);
  if (!pw) return [];
  const names = new Set<string>();
  for (const g of allGroups(root)) if (g.gid === pw.gid || g.members.includes(user)) names.add(g.name);
  return [...names].sort();
}
