// Legit `_auth` load for the bench's `hostile` section: K minion keys from the
// swarm key cache, written into a master's pki_dir/minions as accepted, and
// one ZeroMQ request client per key signing in again and again for a while,
// as a minion re-authenticating does (tsalt's signIn: a fresh nonce, and a
// token encrypted to the master key pinned on the first sign-in).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { keyPairFromPem } from '@tsalt/crypto';
import {
  asBytes,
  buildAuthRequest,
  newNonce,
  pack,
  parseAuthReply,
  parseMasterKey,
  ReqClient,
  RequestTimeoutError,
  unpack,
} from '@tsalt/transport';
import { median, msSince, pct } from './measure.mjs';
import { DEFAULT_KEY_DIR, makeKeys, missingKeys } from './swarm-keys.mjs';

/** The swarm's ids and key cache: 20 of its keys cost nothing after the first run anywhere. */
const PREFIX = 'swarm-';
/** A minion's auth_timeout (s): a sign-in unanswered past it counts as timed out. */
const AUTH_TIMEOUT_MS = 5000;

/** K key pairs `swarm-1..swarm-K` ({ id, pair }), made first where the cache lacks them. */
export async function authKeys(k) {
  const dir = process.env.BENCH_SWARM_KEY_DIR ?? DEFAULT_KEY_DIR;
  const missing = missingKeys(dir, PREFIX, k);
  if (missing.length) await makeKeys(dir, missing);
  return Array.from({ length: k }, (_, i) => {
    const id = `${PREFIX}${i + 1}`;
    return { id, pair: keyPairFromPem(fs.readFileSync(path.join(dir, `${id}.pem`), 'utf8')) };
  });
}

/** Writes each key's public PEM to `<pkiDir>/minions/<id>`: accepted, as `tsalt-key -a` or `salt-key -a` leave it. */
export function acceptKeys(pkiDir, keys) {
  const dir = path.join(pkiDir, 'minions');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const { id, pair } of keys) fs.writeFileSync(path.join(dir, id), pair.publicPem, { mode: 0o644 });
}

/** Removes those keys again, so that `'*'` afterwards means the minions that answer. */
export function unacceptKeys(pkiDir, keys) {
  for (const { id } of keys) fs.rmSync(path.join(pkiDir, 'minions', id), { force: true });
}

const isMap = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether a reply hands out the session key for this nonce: the signed inner
 * load has `enc: pub` and an encrypted `aes`. Not decrypted or verified
 * (two RSA private operations here per reply would halve what the shared
 * cores leave the master); the first sign-in of each client is checked in full.
 */
function carriesSessionKey(raw, nonce) {
  const outer = unpack(raw);
  const load = isMap(outer) ? asBytes(outer['load']) : undefined;
  const inner = load ? unpack(load) : undefined;
  return isMap(inner) && inner['enc'] === 'pub' && inner['nonce'] === nonce && Boolean(asBytes(inner['aes']));
}

/** One sign-in checked as a minion checks it; returns the master key to pin. */
async function firstSignIn(client, { id, pair }) {
  const nonce = newNonce();
  const raw = await client.request(
    pack({ enc: 'clear', load: buildAuthRequest(id, pair.publicPem, nonce), version: 2 }),
    AUTH_TIMEOUT_MS * 4,
  );
  const out = parseAuthReply(unpack(raw), { minionPrivate: pair.privateKey, nonce });
  if (out.kind !== 'accepted') throw new Error(`${id}: the master answered ${out.kind} to a pre-accepted key`);
  return parseMasterKey(out.masterPub);
}

/**
 * One client per key signs in back to back for `seconds` at the master's
 * ret_port. Returns { answered (replies with the session key before the end),
 * perS, other (any other reply), timeouts, latencies (ms, answered ones) }.
 */
export async function authRate(port, keys, seconds) {
  const address = `tcp://127.0.0.1:${port}`;
  const clients = keys.map(() => new ReqClient({ address }));
  try {
    const pins = await Promise.all(keys.map((k, i) => firstSignIn(clients[i], k)));
    const res = { answered: 0, other: 0, timeouts: 0, latencies: [] };
    const t0 = process.hrtime.bigint();
    const endMs = seconds * 1000;
    await Promise.all(
      keys.map(async ({ id, pair }, i) => {
        while (msSince(t0) < endMs) {
          const nonce = newNonce();
          const token = Buffer.from(crypto.randomBytes(16).toString('hex'));
          const load = buildAuthRequest(id, pair.publicPem, nonce, pins[i], token);
          const s0 = process.hrtime.bigint();
          try {
            const raw = await clients[i].request(pack({ enc: 'clear', load, version: 2 }), AUTH_TIMEOUT_MS);
            if (msSince(t0) > endMs) break; // answered after the window: not counted
            if (carriesSessionKey(raw, nonce)) {
              res.answered++;
              res.latencies.push(msSince(s0));
            } else res.other++;
          } catch (err) {
            if (!(err instanceof RequestTimeoutError)) throw err;
            res.timeouts++;
          }
        }
      }),
    );
    return { ...res, perS: res.answered / seconds };
  } finally {
    for (const c of clients) c.close();
  }
}

/** `N/s (median latency ms, p90 ms)` pieces for the log and the table. */
export const authText = (r) =>
  `${Math.round(r.perS).toLocaleString('en-US')}/s; sign-in ${median(r.latencies).toFixed(0)} ms median, p90 ${pct(r.latencies, 90).toFixed(0)} ms; ${r.other} other replies, ${r.timeouts} timeouts`;
