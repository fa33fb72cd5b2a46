import { invalidIdReason } from '@tsalt/crypto';
import { asBytes } from '../serialize.js';
import { BadMessageError } from '../errors.js';
import { optString } from './fields.js';

/** `_auth` as the master receives it (Salt's `ReqServerChannel._auth` load). */
export interface AuthLoad {
  cmd: '_auth';
  /** The minion id, a valid one (Salt's `valid_id`). */
  id: string;
  /** The minion's public key, PEM. */
  pub: string;
  /** Echoed in the reply; '' when the minion sent none. */
  nonce: string;
  /** The minion's token, echoed back encrypted so it can tell this master holds the key. */
  token?: Buffer;
}

/** `_auth`'s fields, or a refusal naming `id` (its reason as the message) or `pub`. */
export function parseAuthLoad(load: Record<string, unknown>): AuthLoad {
  const id = load['id'];
  const reason = invalidIdReason(id);
  if (reason || typeof id !== 'string') throw new BadMessageError(reason ?? 'bad id', 'id');
  const pub = load['pub'];
  if (typeof pub !== 'string') throw new BadMessageError('no public key in the auth request', 'pub');
  const token = asBytes(load['token']);
  return { cmd: '_auth', id, pub, nonce: optString(load, 'nonce') ?? '', ...(token ? { token } : {}) };
}
