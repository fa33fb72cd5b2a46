import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '@tsalt/core';
import { errorLine, writeFileAtomic } from '@tsalt/core';

/**
 * The key local clients present to publish as the master's user (Salt's
 * "user" auth). A new one is written at every start, mode 0400.
 *
 * A master restarted on a full (or read-only) disk still starts: the key is
 * kept in memory, for the master's own publishes (reactor, peer, runners),
 * and one line says that the local CLI cannot publish until it is written.
 * The last run's file is removed, so the CLI says it cannot read the key
 * rather than failing to authenticate with a stale one.
 */
export function writeRootKey(cachedir: string, log?: Logger): string {
  const key = crypto.randomBytes(42).toString('base64url').slice(0, 56);
  const file = path.join(cachedir, '.root_key');
  try {
    writeFileAtomic(file, key, 0o400);
  } catch (err) {
    try {
      fs.rmSync(file, { force: true });
    } catch {
      // A read-only folder: the stale file stays; the CLI gets "Authentication error".
    }
    log?.error(
      { file, err: errorLine(err) },
      'could not write the root key: the master goes on with it in memory; tsalt and tsalt-run on this host cannot publish until the master restarts with room to write it',
    );
  }
  return key;
}

export function rootKeyMatches(expected: string, offered: unknown): boolean {
  if (typeof offered !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(offered);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
