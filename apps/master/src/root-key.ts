import crypto from 'node:crypto';
import path from 'node:path';
import { writeFileAtomic } from '@tsalt/core';

/**
 * The key local clients present to publish as the master's user (Salt's
 * "user" auth). A new one is written at every start, mode 0400.
 */
export function writeRootKey(cachedir: string): string {
  const key = crypto.randomBytes(42).toString('base64url').slice(0, 56);
  writeFileAtomic(path.join(cachedir, '.root_key'), key, 0o400);
  return key;
}

export function rootKeyMatches(expected: string, offered: unknown): boolean {
  if (typeof offered !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(offered);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
