import { type KeyStore, minionTokenValid } from '@tsalt/crypto';
import { asBytes } from '@tsalt/transport';

/**
 * Verified tokens per minion: checking one costs an RSA operation, and a
 * minion sends the same token until it re-authenticates. An entry holds the
 * accepted key it was checked against, so a deleted and re-accepted id with
 * a new key never matches an old token.
 */
const verifiedTokens = new Map<string, { pem: string; tok: string }>();
const VERIFIED_MAX = 100_000;

/** Salt's `verify_minion`: was `tok` made with the accepted key of `id`? */
export function tokenValid(keys: KeyStore, id: string, tok: unknown): boolean {
  const key = keys.acceptedKey(id);
  const bytes = asBytes(tok);
  if (!key || !bytes) return false;
  const hex = bytes.toString('hex');
  const hit = verifiedTokens.get(id);
  if (hit && hit.pem === key.pem && hit.tok === hex) return true;
  if (!minionTokenValid(key.key, bytes)) return false;
  if (verifiedTokens.size >= VERIFIED_MAX) verifiedTokens.clear();
  verifiedTokens.set(id, { pem: key.pem, tok: hex });
  return true;
}
