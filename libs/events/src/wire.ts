import path from 'node:path';
import { Decoder, Encoder } from '@msgpack/msgpack';
import { BadEventError } from './errors.js';

/** Salt's TAGEND: the tag, two newlines, then msgpack of the data. */
const TAGEND = Buffer.from('\n\n');
const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();

/** Tags `EventListener.ready()` fires to itself; skipped by listeners and in-process subscribers. */
export const SYNC_PREFIX = 'tsalt/sync/';

export interface BusEvent {
  tag: string;
  data: Record<string, unknown>;
}

export function busAddresses(sockDir: string, role: 'master' | 'minion' = 'master'): { pub: string; pull: string } {
  return {
    pub: `ipc://${path.join(sockDir, `${role}_event_pub.ipc`)}`,
    pull: `ipc://${path.join(sockDir, `${role}_event_pull.ipc`)}`,
  };
}

/** Salt's `_stamp`: UTC ISO-8601 with microseconds and no zone, as Python's isoformat. */
export function stamp(date = new Date()): string {
  return date.toISOString().replace('Z', '000');
}

export function encodeEvent(tag: string, data: Record<string, unknown>): Buffer {
  const body = encoder.encode(data);
  return Buffer.concat([Buffer.from(tag, 'utf8'), TAGEND, body]);
}

export function decodeEvent(frame: Uint8Array): BusEvent {
  const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const cut = buf.indexOf(TAGEND);
  if (cut < 0) throw new BadEventError('event frame has no tag end');
  let data: unknown;
  try {
    data = decoder.decode(buf.subarray(cut + TAGEND.length));
  } catch (err) {
    throw new BadEventError(`event data is not msgpack: ${(err as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new BadEventError('event data is not a map');
  return { tag: buf.subarray(0, cut).toString('utf8'), data: data as Record<string, unknown> };
}

/**
 * The optional second frame: msgpack of `{prefix: n}`, for each live
 * subscription prefix the tag matches, n counting the events the bus has
 * published under that prefix. A listener that sees n jump knows ZeroMQ
 * dropped events for it (the PUB drops silently at a subscriber's high-water
 * mark). The first frame stays Salt's `tag\n\n` + msgpack.
 */
export function encodeSeqFrame(seqs: Record<string, number>): Uint8Array {
  return encoder.encode(seqs);
}

export function decodeSeqFrame(frame: Uint8Array): Record<string, number> | undefined {
  try {
    const v = decoder.decode(frame);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    return v as Record<string, number>;
  } catch {
    return undefined;
  }
}
