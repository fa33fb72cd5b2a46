// The swarm's key cache as the bench sees it: which of `swarm-1..swarm-N`
// lack a key, and making them before any timing starts (tsalt-swarm would
// make them itself, but inside the auth-storm timing).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './local.mjs';

/** The shared cache of 2048-bit keys (`<id>.pem`), reused across runs and worktrees. */
export const DEFAULT_KEY_DIR = path.join(root, 'node_modules/.cache/tsalt/swarm-pki/swarm');
/** CPU seconds one 2048-bit RSA key costs on this machine (measured ~0.25 s). */
const KEY_CPU_S = 0.25;
/** Keys made at once: libuv's thread pool has four threads; more would only queue. */
const AT_ONCE = Math.min(4, os.availableParallelism());

const keyFile = (dir, id) => path.join(dir, `${id}.pem`);

/** The ids `<prefix>1..<prefix>n` (unpadded, as tsalt-swarm names them) with no key in dir. */
export function missingKeys(dir, prefix, n) {
  const have = new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
  const out = [];
  for (let i = 1; i <= n; i++) if (!have.has(`${prefix}${i}.pem`)) out.push(`${prefix}${i}`);
  return out;
}

/** Wall time to make k keys here, spread over the cores, as text: `about 7 minutes`. */
export function keygenTime(k) {
  const minutes = (k * KEY_CPU_S) / AT_ONCE / 60;
  return minutes < 1 ? 'under a minute' : `about ${Math.round(minutes)} minutes`;
}

/**
 * Makes a PKCS#1 PEM private key (what tsalt-swarm caches, mode 0400 like
 * Salt's minion.pem) for each id, AT_ONCE at a time; each is written to a
 * temp name and renamed, so a reader never sees half a key.
 */
export async function makeKeys(dir, ids, bits = 2048) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let next = 0;
  let made = 0;
  let lastPrint = Date.now();
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      made++;
      if (fs.existsSync(keyFile(dir, id))) continue; // made meanwhile by another filler of the shared cache
      const privatePem = await new Promise((resolve, reject) =>
        crypto.generateKeyPair(
          'rsa',
          {
            modulusLength: bits,
            publicExponent: 65537,
            privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
            publicKeyEncoding: { type: 'spki', format: 'pem' },
          },
          (err, _pub, priv) => (err ? reject(err) : resolve(priv)),
        ),
      );
      const tmp = `${keyFile(dir, id)}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, privatePem, { mode: 0o400 });
      fs.renameSync(tmp, keyFile(dir, id));
      // Progress every 10 s: thousands of keys take minutes.
      if (Date.now() - lastPrint > 10_000) {
        lastPrint = Date.now();
        console.log(`swarm: ${made}/${ids.length} keys made`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, ids.length) }, worker));
}
