import crypto, { type KeyObject } from 'node:crypto';
import { SignatureError } from './errors.js';

type Key = KeyObject | string;

/**
 * OpenSSL's RSA_private_encrypt / RSA_public_decrypt with RSA_X931_PADDING,
 * which Salt uses for the session key `sig` in the auth reply and for every
 * minion's `tok`. OpenSSL 3's providers refuse that padding for a bare
 * message ("invalid x931 digest"), so the block is built here and the RSA
 * step is raw (RSA_NO_PADDING).
 */

const HEAD_LONG = 0x6b;
const HEAD_SHORT = 0x6a;
const FILL = 0xbb;
const MARK = 0xba;
const TRAILER = 0xcc;

function asKey(key: Key, kind: 'private' | 'public'): KeyObject {
  if (typeof key !== 'string') return key;
  return kind === 'private' ? crypto.createPrivateKey(key) : crypto.createPublicKey(key);
}

/** Each key's modulus, read once: a master signs every auth reply with one key. */
const moduli = new WeakMap<KeyObject, { n: bigint; bytes: number }>();

function modulus(key: KeyObject): { n: bigint; bytes: number } {
  let m = moduli.get(key);
  if (!m) {
    const pub = key.type === 'private' ? crypto.createPublicKey(key) : key;
    const jwk = pub.export({ format: 'jwk' });
    if (typeof jwk.n !== 'string') throw new SignatureError('not an RSA key');
    const raw = Buffer.from(jwk.n, 'base64url');
    m = { n: BigInt(`0x${raw.toString('hex')}`), bytes: raw.length };
    moduli.set(key, m);
  }
  return m;
}

function toBigInt(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`);
}

function toBytes(v: bigint, len: number): Buffer {
  const hex = v.toString(16).padStart(len * 2, '0');
  return Buffer.from(hex, 'hex');
}

/**
 * The X9.31 block of `k` bytes (RSA_padding_add_X931): `6A msg CC` when
 * only two bytes are left, else `6B BB.. BA msg CC`.
 */
export function x931Pad(message: Uint8Array, k: number): Buffer {
  const j = k - message.length - 2;
  if (j < 0) throw new SignatureError('message too long for an X9.31 block');
  const block = Buffer.alloc(k);
  let p = 0;
  if (j === 0) {
    block[p++] = HEAD_SHORT;
  } else {
    block[p++] = HEAD_LONG;
    block.fill(FILL, p, p + j - 1);
    p += j - 1;
    block[p++] = MARK;
  }
  Buffer.from(message).copy(block, p);
  block[k - 1] = TRAILER;
  return block;
}

/** The message inside an X9.31 block, or undefined when the padding is wrong. */
export function x931Unpad(block: Uint8Array): Buffer | undefined {
  const k = block.length;
  if (k < 2 || block[k - 1] !== TRAILER) return undefined;
  const buf = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  if (block[0] === HEAD_SHORT) return buf.subarray(1, k - 1);
  if (block[0] !== HEAD_LONG) return undefined;
  let i = 1;
  while (i < k - 1 && block[i] === FILL) i++;
  if (block[i] !== MARK) return undefined;
  return buf.subarray(i + 1, k - 1);
}

/**
 * X9.31 private encrypt. Like OpenSSL, the result is min(s, n − s) of the
 * raw signature s: both are valid, and Salt's verifier accepts either.
 */
export function x931Sign(privateKey: Key, message: Uint8Array): Buffer {
  const key = asKey(privateKey, 'private');
  const { n, bytes } = modulus(key);
  const raw = crypto.privateEncrypt({ key, padding: crypto.constants.RSA_NO_PADDING }, x931Pad(message, bytes));
  const s = toBigInt(raw);
  const other = n - s;
  return other < s ? toBytes(other, bytes) : raw;
}

/**
 * X9.31 public decrypt: the message, or undefined when the signature is not
 * this key's. A signature in the n − s form yields n − m, whose last nibble
 * is not the trailer's 0xC; then m is n minus it (RSA_public_decrypt does the
 * same), so both forms verify.
 */
export function x931Recover(publicKey: Key, signature: Uint8Array): Buffer | undefined {
  try {
    const key = asKey(publicKey, 'public');
    const { n, bytes } = modulus(key);
    if (signature.length === 0 || signature.length > bytes) return undefined;
    const sig = signature.length === bytes ? signature : toBytes(toBigInt(signature), bytes);
    if (toBigInt(sig) >= n) return undefined;
    let block: Buffer = crypto.publicDecrypt({ key, padding: crypto.constants.RSA_NO_PADDING }, sig);
    if (((block[bytes - 1] ?? 0) & 0x0f) !== 0x0c) block = toBytes(n - toBigInt(block), bytes);
    return x931Unpad(block);
  } catch {
    return undefined;
  }
}

/** The plaintext of every minion token: Salt's `gen_token(b"salt")`. */
const TOKEN_TEXT = Buffer.from('salt');

/**
 * Salt's `tok`: X9.31 private encrypt of `salt` with the minion key. It is
 * deterministic, so one per key is enough.
 */
export function minionToken(privateKey: Key): Buffer {
  return x931Sign(privateKey, TOKEN_TEXT);
}

/** The master's `verify_minion`: does this token come from the holder of this public key? */
export function minionTokenValid(publicKey: Key, tok: Uint8Array): boolean {
  const plain = x931Recover(publicKey, tok);
  return plain !== undefined && plain.equals(TOKEN_TEXT);
}
