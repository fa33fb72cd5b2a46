import { Decoder, Encoder } from '@msgpack/msgpack';
import { isRecord } from '@tsalt/core';
import { BadMessageError } from './errors.js';

// undefined fields are dropped rather than sent as nil, as Python has no undefined.
const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();

/** msgpack, as Salt's `salt.payload.dumps`. Binary goes out as msgpack bin. */
export function pack(value: unknown): Buffer {
  const u8 = encoder.encode(value);
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** msgpack decode; garbage becomes a BadMessageError, never a crash. */
export function unpack(data: Uint8Array): unknown {
  try {
    return decoder.decode(data);
  } catch (err) {
    throw new BadMessageError(`not msgpack: ${(err as Error).message}`);
  }
}

/** Salt's outer envelope on the request and publish channels. */
export interface Envelope {
  enc: 'clear' | 'aes' | 'pub';
  load: unknown;
  sig?: Uint8Array;
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
  if (v['sig'] !== undefined && !(v['sig'] instanceof Uint8Array))
    throw new BadMessageError('envelope sig is not bytes');
  return v as Envelope;
}

/** Bytes from a field that may arrive as bin (ours) or str (Salt's use_bin_type=False). */
export function asBytes(v: unknown): Buffer | undefined {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string') return Buffer.from(v, 'latin1');
  return undefined;
}
