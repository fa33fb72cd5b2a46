import { isUtf8 } from 'node:buffer';
import { Decoder, Encoder } from '@msgpack/msgpack';
import { isRecord } from '@tsalt/core';
import { BadMessageError } from './errors.js';

// undefined fields are dropped rather than sent as nil, as Python has no undefined.
const encoder = new Encoder({ ignoreUndefined: true });
// Salt packs with use_bin_type=False, so its bytes (ciphertexts, signatures,
// nested msgpack) travel as msgpack str that is often not UTF-8. Every str
// and bin value is read as raw bytes; textFromPeer() then turns back into
// text the values that are valid UTF-8, as Salt's own readers do. Map keys
// are always text.
const decoder = new Decoder({ rawStrings: true });

/** msgpack, as Salt's `salt.payload.dumps`. Binary goes out as msgpack bin. */
export function pack(value: unknown): Buffer {
  const u8 = encoder.encode(value);
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** Nesting deeper than this is refused: a peer's message must not exhaust the stack. */
const MAX_DEPTH = 512;

/**
 * Salt's decode_embedded_strs: raw byte values that are valid UTF-8 become
 * strings, the rest stay bytes. Walks maps and arrays in place.
 */
function textFromPeer(v: unknown, depth: number): unknown {
  if (v instanceof Uint8Array) {
    return isUtf8(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8') : v;
  }
  if (typeof v !== 'object' || v === null || v instanceof Date) return v;
  if (depth > MAX_DEPTH) throw new BadMessageError(`not msgpack: nested deeper than ${MAX_DEPTH}`);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = textFromPeer(v[i], depth + 1);
    return v;
  }
  const rec = v as Record<string, unknown>;
  for (const k of Object.keys(rec)) rec[k] = textFromPeer(rec[k], depth + 1);
  return v;
}

/**
 * msgpack decode of anything a peer sent, with Salt's byte/str rule (see
 * above); garbage becomes a BadMessageError, never a crash.
 */
export function unpack(data: Uint8Array): unknown {
  let v: unknown;
  try {
    v = decoder.decode(data);
  } catch (err) {
    throw new BadMessageError(`not msgpack: ${(err as Error).message}`);
  }
  return textFromPeer(v, 0);
}

/** Salt's outer envelope on the request and publish channels. */
export interface Envelope {
  enc: 'clear' | 'aes' | 'pub';
  load: unknown;
  /** Bytes, or text when the signature happened to be valid UTF-8 (read it with asBytes). */
  sig?: Uint8Array | string;
  version?: number;
  [key: string]: unknown;
}

/** Decodes and checks the envelope shape `{enc, load}`. */
export function decodeEnvelope(data: Uint8Array): Envelope {
  const v = unpack(data);
  if (!isRecord(v)) throw new BadMessageError('envelope is not a map');
  const enc = v['enc'];
  if (enc !== 'clear' && enc !== 'aes' && enc !== 'pub')
    throw new BadMessageError(`envelope has a bad enc: ${JSON.stringify(enc)?.slice(0, 40)}`);
  if (!('load' in v)) throw new BadMessageError('envelope has no load');
  const sig = v['sig'];
  if (sig !== undefined && !(sig instanceof Uint8Array) && typeof sig !== 'string')
    throw new BadMessageError('envelope sig is not bytes');
  return v as Envelope;
}

/**
 * The bytes of a field that should hold bytes. unpack() gives raw bytes, or
 * text when they were valid UTF-8; the UTF-8 encoding of that text is the
 * original bytes again.
 */
export function asBytes(v: unknown): Buffer | undefined {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  return undefined;
}
