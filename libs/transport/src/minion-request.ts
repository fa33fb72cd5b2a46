import type { KeyObject } from 'node:crypto';
import { isRecord } from '@tsalt/core';
import { DecryptError } from '@tsalt/crypto';
import { newNonce } from './auth.js';
import { openAes, sealAes } from './aes-payload.js';
import { parseCommand } from './messages/index.js';
import { openPrivate } from './private-reply.js';
import { asBytes, pack, unpack } from './serialize.js';
import type { Session } from './sign-in.js';
import type { RequestChannel } from './types.js';

/**
 * What a minion-side AES request needs (Salt's ReqChannel with its
 * AsyncAuth): the minion daemon's master link and tsalt-call each provide
 * one. `reauthenticate(freshSub)` signs in again; `freshSub` when the master
 * no longer knows our session (it restarted), so a daemon reopens its SUB.
 */
export interface MinionChannel {
  readonly id: string;
  readonly req: RequestChannel;
  readonly minionPrivate: KeyObject;
  session(): Session | undefined;
  reauthenticate(freshSub: boolean): Promise<void>;
}

async function currentSession(ch: MinionChannel): Promise<Session> {
  let session = ch.session();
  if (!session) {
    await ch.reauthenticate(false);
    session = ch.session();
  }
  if (!session) throw new Error('not authenticated');
  return session;
}

/** Sends an AES request, re-authenticating once if the master no longer knows our session key. */
export async function minionAesRequest(
  ch: MinionChannel,
  load: Record<string, unknown>,
  timeoutMs: number,
): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    const session = await currentSession(ch);
    const nonce = newNonce();
    const body = sealAes(session.aes, { ...load, id: ch.id, tok: session.tok, nonce });
    const reply = unpack(await ch.req.request(pack({ enc: 'aes', load: body, version: 2 }), timeoutMs));
    // The sealed reply is bytes, or text when they happened to be valid UTF-8;
    // Salt's error replies ("bad load", ...) are short text that fails to decrypt.
    const sealed = isRecord(reply) ? undefined : asBytes(reply);
    if (sealed) {
      try {
        return openAes(session.aes, sealed, nonce);
      } catch (err) {
        if (!(err instanceof DecryptError) || attempt > 0) {
          throw typeof reply === 'string' ? new Error(`master answered ${JSON.stringify(reply.slice(0, 80))}`) : err;
        }
      }
    } else if (attempt > 0) {
      throw new Error(`master answered ${JSON.stringify(reply)?.slice(0, 80)}`);
    }
    await ch.reauthenticate(true);
  }
}

/**
 * Salt's crypted_transfer_decode_dictentry, for `_pillar`: the request is
 * sealed with the session key, the reply comes in the master's
 * send_private form (a one-off key encrypted to this minion's key, the
 * payload signed by the master) and only this minion can read it. A reply
 * without a key (the master lost our session, or refused) re-authenticates
 * once; a second one throws.
 */
export async function minionPrivateRequest(
  ch: MinionChannel,
  load: Record<string, unknown>,
  dictKey: string,
  timeoutMs: number,
): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    const session = await currentSession(ch);
    const nonce = newNonce();
    const body = sealAes(session.aes, { ...load, id: ch.id, tok: session.tok, nonce });
    const reply = unpack(await ch.req.request(pack({ enc: 'aes', load: body, version: 2 }), timeoutMs));
    if (isRecord(reply) && reply['key'] !== undefined) {
      return openPrivate(reply, { minionPrivate: ch.minionPrivate, masterPub: session.masterPub, dictKey, nonce });
    }
    const sealed = isRecord(reply) ? undefined : asBytes(reply);
    if (sealed) {
      let refusal: unknown;
      try {
        refusal = openAes(session.aes, sealed, nonce);
      } catch {
        refusal = undefined; // not our session key: re-authenticate below
      }
      if (refusal !== undefined) throw new Error(`the master refused ${parseCommand(load).shown}`);
    }
    if (attempt > 0) throw new Error(`master answered ${JSON.stringify(reply)?.slice(0, 80)}`);
    await ch.reauthenticate(true);
  }
}

/** A refusal of `_minion_event`: tsalt-master answers false, a Salt master `{}` (it answers None on success). */
function refused(reply: unknown): boolean {
  return reply === false || (isRecord(reply) && Object.keys(reply).length === 0);
}

/**
 * `event.fire_master`: Salt's `_minion_event` request, `{cmd, id, tag, data,
 * pretag, tok}`; the master fires the load (less tok) as the event data.
 * `preload` keys join the load but never replace cmd, tag, data, id or tok.
 */
export async function minionFireMaster(
  ch: MinionChannel,
  tag: string,
  data: unknown,
  preload: Record<string, unknown> | undefined,
  timeoutMs: number,
): Promise<void> {
  const ok = await minionAesRequest(
    ch,
    { ...(preload ?? {}), cmd: '_minion_event', tag, data, pretag: null },
    timeoutMs,
  );
  if (refused(ok)) throw new Error(`the master refused the event ${tag}`);
}
