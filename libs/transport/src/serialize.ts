import { isUtf8 } from 'node:buffer';
import { Decoder, Encoder } from '@msgpack/msgpack';
import { isRecord } from '@tsalt/core';
import { BadMessageError, DecodeBudgetError } from './errors.js';

// undefined fields are dropped rather than sent as nil, as Python has no undefined.
const encoder = new Encoder({ ignoreUndefined: true });
// Salt packs with use_bin_type=False, so its bytes (ciphertexts, signatures,
// nested msgpack) travel as msgpack str that is often not UTF-8. Every str
// and bin value is read as raw bytes; textFromPeer() then turns back into
// text the values that are valid UTF-8, as Salt's own readers do. Map keys
// are always text.
//
// A msgpack array or map header states its length before its items, and the
// decoder allocates that many slots at once: five bytes claiming 2^32 items
// would cost gigabytes before the message is found short. No item takes less
// than one byte, so a message of n bytes is never allowed more than n.
const SMALL_MESSAGE_BYTES = 64 * 1024;
const lengthLimits = (bytes: number) => ({ maxArrayLength: bytes, maxMapLength: bytes, maxExtLength: bytes });
const smallDecoder = new Decoder({ rawStrings: true, ...lengthLimits(SMALL_MESSAGE_BYTES) });

/** A decoder whose length limits fit a message of `bytes`: the shared one for small messages. */
function decoderFor(bytes: number): Decoder {
  return bytes <= SMALL_MESSAGE_BYTES ? smallDecoder : new Decoder({ rawStrings: true, ...lengthLimits(bytes) });
}

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
    v = decoderFor(data.length).decode(data);
  } catch (err) {
    throw new BadMessageError(`not msgpack: ${(err as Error).message}`);
  }
  return textFromPeer(v, 0);
}

/**
 * Bytes decoded between two looks at the clock and two turns of the event
 * loop. A 16 KiB slice of dense msgpack decodes in about 1.5 ms here, so a
 * big request never holds the loop longer than that.
 */
const DECODE_SLICE = 16 * 1024;

/**
 * The message a slice at a time. The budget counts the decoder's own time
 * (from handing over one slice to being asked for the next), not the turns
 * other work takes in between, so a busy master does not refuse an honest
 * request.
 */
async function* slices(data: Uint8Array, budgetMs: number): AsyncGenerator<Uint8Array> {
  let spentMs = 0;
  let handedAt = performance.now();
  for (let at = 0; at < data.length; at += DECODE_SLICE) {
    if (at > 0) {
      spentMs += performance.now() - handedAt;
      if (spentMs > budgetMs) throw new DecodeBudgetError(budgetMs, at, data.length);
      await new Promise<void>((r) => setImmediate(r));
      handedAt = performance.now();
    }
    yield data.subarray(at, at + DECODE_SLICE);
  }
}

/**
 * unpack() within a time budget (ms): anything over one slice is decoded a
 * slice at a time, letting other work run in between, and abandoned with a
 * DecodeBudgetError once its own decode time passes the budget.
 */
export async function unpackWithin(data: Uint8Array, budgetMs: number): Promise<unknown> {
  if (data.length <= DECODE_SLICE) return unpack(data);
  let v: unknown;
  try {
    v = await new Decoder({ rawStrings: true, ...lengthLimits(data.length) }).decodeAsync(slices(data, budgetMs));
  } catch (err) {
    if (err instanceof DecodeBudgetError) throw err;
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
  return asEnvelope(unpack(data));
}

/** decodeEnvelope() within a time budget (ms), as unpackWithin(). */
export async function decodeEnvelopeWithin(data: Uint8Array, budgetMs: number): Promise<Envelope> {
  return asEnvelope(await unpackWithin(data, budgetMs));
}

function asEnvelope(v: unknown): Envelope {
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
