import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '@tsalt/core';
import { generateKeyPairAsync, keyPairFromPem, type KeyPair } from '@tsalt/crypto';

/** Keys generated at once: libuv's pool has four threads; more would only queue (keys). */
const GENERATE_AT_ONCE = 4;

/**
 * The swarm's key cache: `<dir>/<id>.pem`, one PKCS#1 private key per
 * emulated minion, mode 0400 as Salt writes `minion.pem`. A 2048-bit key
 * takes ~250 ms of CPU here, so 10,000 of them are made once and kept.
 * Makes the missing ones, several at once.
 */
export async function ensureSwarmKeys(
  dir: string,
  ids: readonly string[],
  bits: number,
  onMade: (made: number, missing: number) => void,
): Promise<void> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const missing = ids.filter((id) => !fs.existsSync(keyFile(dir, id)));
  let made = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < missing.length) {
      const id = missing[next++]!;
      const pair = await generateKeyPairAsync(bits);
      writeFileAtomic(keyFile(dir, id), pair.privatePem, 0o400);
      onMade(++made, missing.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(GENERATE_AT_ONCE, missing.length) }, worker));
}

/** One cached key pair (~0.5 ms: OpenSSL's PEM decoder), loaded just before its minion starts. */
export function loadSwarmKey(dir: string, id: string): KeyPair {
  return keyPairFromPem(fs.readFileSync(keyFile(dir, id), 'utf8'));
}

function keyFile(dir: string, id: string): string {
  return path.join(dir, `${id}.pem`);
}
