import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '@tsalt/core';
import { errorLine, TsaltError, writeFileAtomic } from '@tsalt/core';
import { Crypticle, minionToken as makeToken, pemFingerprint, type KeyPair } from '@tsalt/crypto';
import type { MinionConfig } from '@tsalt/config';
import { buildAuthRequest, newNonce, parseAuthReply, parseMasterKey } from './auth.js';
import { MasterKeyChangedError, RequestTimeoutError } from './errors.js';
import { pack, unpack } from './serialize.js';
import type { RequestChannel } from './types.js';

/** The session a successful sign-in yields. */
export interface Session {
  aes: Crypticle;
  masterPub: KeyObject;
  publishPort: number;
  /** Salt's `tok`: proves this minion's identity on every AES request. */
  tok: Buffer;
  /** What a tsalt-master understands beyond Salt (e.g. `presence`); empty for a Salt master. */
  features: string[];
}

/** The master refused this minion for good (rejected, denied, or a master key change with master_finger). */
export class AuthRefusedError extends TsaltError {
  constructor(message: string) {
    super('AUTH_REJECTED', message);
  }
}

/**
 * A one-shot sign-in (tsalt-call, Salt's `opts['caller']`) that gave up:
 * `SIGNIN_TIMEOUT` after auth_tries unanswered tries, `KEY_PENDING` when the
 * master has not accepted the key yet, `SIGNIN_FAILED` for anything else.
 * Messages are Salt's.
 */
export class SignInError extends TsaltError {
  constructor(
    code: 'SIGNIN_TIMEOUT' | 'KEY_PENDING' | 'SIGNIN_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** How a sign-in behaves beyond the minion config. */
export interface SignInMode {
  /**
   * Salt's `caller` (salt-call): give up instead of waiting. auth_tries
   * unanswered tries of auth_timeout each, a pending key, or a failed
   * attempt throw a SignInError; the daemon retries all of these forever.
   */
  caller?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Where a minion keeps the master key it trusts after first contact (TOFU). */
export interface MasterPin {
  read(): string | undefined;
  write(pem: string): void;
}

/** Salt's `<pki_dir>/minion_master.pub`. */
export function filePin(pkiDir: string): MasterPin {
  const file = path.join(pkiDir, 'minion_master.pub');
  return {
    read: () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined),
    write: (pem) => writeFileAtomic(file, pem, 0o644),
  };
}

/** A pin held in memory: each tsalt-swarm minion starts as a new minion and pins on its first sign-in. */
export function memoryPin(): MasterPin {
  let pem: string | undefined;
  return { read: () => pem, write: (p) => void (pem = p) };
}

/**
 * Salt's `gen_token`: X9.31 padding is deterministic, so the token is the
 * same on every sign-in; made once per key rather than one RSA private
 * operation per re-auth.
 */
const tokens = new WeakMap<KeyPair, Buffer>();
function minionToken(pair: KeyPair): Buffer {
  let tok = tokens.get(pair);
  if (!tok) {
    tok = makeToken(pair.privateKey);
    tokens.set(pair, tok);
  }
  return tok;
}

/**
 * Salt's AsyncAuth.sign_in: sends `_auth` until the master accepts the key.
 * Pending: wait `acceptance_wait_time`, doubling up to `_max`. Rejected:
 * exit unless `rejected_retry`. The master key is pinned on first contact
 * (`minion_master.pub`) and a different key is refused afterwards.
 */
export async function signIn(
  opts: MinionConfig,
  pair: KeyPair,
  req: RequestChannel,
  log: Logger,
  stopped: () => boolean,
  pin: MasterPin = filePin(opts.pki_dir),
  mode: SignInMode = {},
): Promise<Session> {
  let wait = opts.acceptance_wait_time_ms;
  let timeouts = 0;
  for (;;) {
    if (stopped()) throw new TsaltError('STOPPED', 'minion stopped');
    const pinnedPem = pin.read();
    const pinned = pinnedPem ? parseMasterKey(pinnedPem) : undefined;
    const nonce = newNonce();
    const token = pinned ? Buffer.from(crypto.randomBytes(16).toString('hex')) : undefined;
    const load = buildAuthRequest(opts.id, pair.publicPem, nonce, pinned, token);
    let outcome;
    try {
      const raw = await req.request(pack({ enc: 'clear', load, version: 2 }), opts.auth_timeout_ms);
      outcome = parseAuthReply(unpack(raw), {
        minionPrivate: pair.privateKey,
        nonce,
        ...(pinned ? { pinnedMasterPub: pinned } : {}),
        ...(token ? { token } : {}),
      });
    } catch (err) {
      if (err instanceof RequestTimeoutError && mode.caller) {
        if (++timeouts < opts.auth_tries) continue;
        throw new SignInError(
          'SIGNIN_TIMEOUT',
          'Attempt to authenticate with the salt master failed with timeout error',
          { cause: err },
        );
      }
      if (mode.caller) {
        throw new SignInError('SIGNIN_FAILED', err instanceof Error ? err.message : String(err), { cause: err });
      }
      if (err instanceof RequestTimeoutError) {
        // The request socket was replaced and connects afresh; the timeout
        // itself (auth_timeout) paces these retries while the master is down.
        log.warn(`The master at ${String(opts.master)} did not answer within ${opts.auth_timeout} s; retrying`);
        continue;
      }
      if (err instanceof MasterKeyChangedError) log.error(err.message);
      else log.warn({ err: errorLine(err) }, 'authentication attempt failed; retrying');
      await sleep(wait);
      continue;
    }
    if (outcome.kind === 'pending') {
      if (mode.caller) {
        throw new SignInError(
          'KEY_PENDING',
          'Minion failed to authenticate with the master, has the minion key been accepted?',
        );
      }
      log.info(`Waiting ${wait / 1000} seconds for the master to accept the key of minion ${opts.id}`);
      await sleep(wait);
      if (opts.acceptance_wait_time_max_ms > 0) wait = Math.min(wait * 2, opts.acceptance_wait_time_max_ms);
      continue;
    }
    if (outcome.kind === 'full') {
      if (mode.caller) throw new SignInError('SIGNIN_FAILED', 'The master has reached its max_minions limit');
      log.error('The master has reached its max_minions limit; retrying');
      await sleep(wait);
      continue;
    }
    if (outcome.kind === 'rejected') {
      // A refusal with a reason is about the request (an id the master cannot
      // store, a key that does not parse): Salt's advice to delete the key would not help.
      const msg = outcome.reason
        ? `The Salt Master refused this minion's authentication: ${outcome.reason}.`
        : "The Salt Master has rejected this minion's public key! To repair this issue, delete the public key for this minion on the Salt Master and restart this minion.";
      if (opts.rejected_retry && !mode.caller) {
        log.error(msg);
        await sleep(wait);
        continue;
      }
      throw new AuthRefusedError(`${msg} The Salt Minion will now exit.`);
    }
    if (opts.master_finger && pemFingerprint(outcome.masterPub, opts.hash_type) !== opts.master_finger) {
      throw new AuthRefusedError(
        `The master's public key fingerprint does not match master_finger ${opts.master_finger}`,
      );
    }
    if (!pinnedPem) pin.write(outcome.masterPub);
    return {
      aes: new Crypticle(outcome.sessionKey),
      masterPub: parseMasterKey(outcome.masterPub),
      publishPort: outcome.publishPort,
      tok: minionToken(pair),
      features: outcome.features,
    };
  }
}
