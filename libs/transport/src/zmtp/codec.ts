/**
 * ZMTP 3.0 (rfc.zeromq.org 23/ZMTP) wire pieces for the publish port: the
 * 64-byte greeting, the NULL mechanism's READY command, and frames. Parsing
 * is bounded: a frame longer than the caller's limit is an error before any
 * of its body is buffered.
 */
import { TsaltError } from '@tsalt/core';

export const GREETING_BYTES = 64;
/** Frame flags (23/ZMTP "Framing"). */
export const FLAG_MORE = 0x01;
export const FLAG_LONG = 0x02;
export const FLAG_COMMAND = 0x04;
const KNOWN_FLAGS = FLAG_MORE | FLAG_LONG | FLAG_COMMAND;

/** Bytes from a peer that are not the ZMTP 3 we speak: the connection is closed. */
export class ZmtpProtocolError extends TsaltError {
  constructor(message: string) {
    super('ZMTP_PROTOCOL', message);
  }
}

/**
 * Our greeting: signature (0xFF, 8 padding bytes, 0x7F; the padding is
 * libzmq's 64-bit length 1 so ZMTP 1.0 peers read it), version 3.0,
 * mechanism "NULL" zero-padded to 20 bytes, as-server 0, 31 filler zeros.
 * Saying 3.0 makes a libzmq 4.3 peer (3.1) use 3.0 framing: subscriptions
 * arrive as data messages.
 */
export function encodeGreeting(): Buffer {
  const g = Buffer.alloc(GREETING_BYTES);
  g[0] = 0xff;
  g[8] = 0x01;
  g[9] = 0x7f;
  g[10] = 3;
  g[11] = 0;
  g.write('NULL', 12, 'latin1');
  return g;
}

export interface PeerGreeting {
  major: number;
  minor: number;
}

/** Validates the peer's 64 bytes: signature, major >= 3, mechanism NULL. */
export function parseGreeting(b: Buffer): PeerGreeting {
  if (b.length !== GREETING_BYTES) throw new ZmtpProtocolError(`greeting of ${b.length} bytes`);
  if (b[0] !== 0xff || ((b[9] ?? 0) & 0x01) !== 0x01) throw new ZmtpProtocolError('not a ZMTP signature');
  const major = b[10] ?? 0;
  const minor = b[11] ?? 0;
  if (major < 3) throw new ZmtpProtocolError(`ZMTP ${major}.${minor} is not supported`);
  const mech = b.subarray(12, 32);
  const end = mech.indexOf(0);
  const name = mech.subarray(0, end < 0 ? mech.length : end).toString('latin1');
  if (name !== 'NULL') throw new ZmtpProtocolError(`mechanism ${JSON.stringify(name)} is not NULL`);
  // Bytes after the name must be zero padding.
  if (end >= 0 && mech.subarray(end).some((x) => x !== 0)) throw new ZmtpProtocolError('mechanism not zero-padded');
  return { major, minor };
}

/** One frame's header and body. */
export function encodeFrame(body: Buffer, flags = 0): Buffer {
  if (body.length <= 255) {
    const f = Buffer.allocUnsafe(2 + body.length);
    f[0] = flags & ~FLAG_LONG;
    f[1] = body.length;
    body.copy(f, 2);
    return f;
  }
  const f = Buffer.allocUnsafe(9 + body.length);
  f[0] = flags | FLAG_LONG;
  f.writeBigUInt64BE(BigInt(body.length), 1);
  body.copy(f, 9);
  return f;
}

/** A command body: name-size, name, data. */
export function encodeCommand(name: string, data: Buffer = Buffer.alloc(0)): Buffer {
  const n = Buffer.from(name, 'latin1');
  return encodeFrame(Buffer.concat([Buffer.from([n.length]), n, data]), FLAG_COMMAND);
}

/** READY's metadata: each property is name-size (1), name, value-size (4, big-endian), value. */
export function encodeReady(props: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(props)) {
    const name = Buffer.from(k, 'latin1');
    const value = Buffer.from(v, 'latin1');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(value.length);
    parts.push(Buffer.from([name.length]), name, len, value);
  }
  return encodeCommand('READY', Buffer.concat(parts));
}

export interface Command {
  name: string;
  data: Buffer;
}

/** Splits a command frame's body into name and data. */
export function parseCommand(body: Buffer): Command {
  const n = body[0];
  if (n === undefined || n === 0 || 1 + n > body.length) throw new ZmtpProtocolError('bad command name');
  return { name: body.subarray(1, 1 + n).toString('latin1'), data: body.subarray(1 + n) };
}

/** Parses READY's properties, every length checked against what is left; names are case-insensitive. */
export function parseProperties(data: Buffer): Map<string, Buffer> {
  const props = new Map<string, Buffer>();
  let i = 0;
  while (i < data.length) {
    const n = data[i] ?? 0;
    if (n === 0 || i + 1 + n + 4 > data.length) throw new ZmtpProtocolError('bad property name');
    const name = data
      .subarray(i + 1, i + 1 + n)
      .toString('latin1')
      .toLowerCase();
    i += 1 + n;
    const len = data.readUInt32BE(i);
    i += 4;
    if (len > data.length - i) throw new ZmtpProtocolError('bad property value');
    props.set(name, data.subarray(i, i + len));
    i += len;
  }
  return props;
}

export interface Frame {
  flags: number;
  body: Buffer;
}

/**
 * Reads frames from a byte stream. Holds at most one partial frame, and a
 * frame whose declared size is over `maxFrameBytes` is an error as soon as
 * its header is read, so the buffer stays under ~`maxFrameBytes` + 9 bytes.
 */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes: number) {}

  /** Appends `chunk` and returns the whole frames now available; throws on a bad or oversize frame. */
  push(chunk: Buffer): Frame[] {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Frame[] = [];
    let i = 0;
    for (;;) {
      if (buf.length - i < 2) break;
      const flags = buf[i] ?? 0;
      if ((flags & ~KNOWN_FLAGS) !== 0) throw new ZmtpProtocolError(`reserved frame flags 0x${flags.toString(16)}`);
      if (flags & FLAG_COMMAND && flags & FLAG_MORE) throw new ZmtpProtocolError('a command cannot have MORE');
      let size: number;
      let head: number;
      if (flags & FLAG_LONG) {
        if (buf.length - i < 9) break;
        const big = buf.readBigUInt64BE(i + 1);
        if (big > BigInt(this.maxFrameBytes)) throw new ZmtpProtocolError(`frame of ${big} bytes over the limit`);
        size = Number(big);
        head = 9;
      } else {
        size = buf[i + 1] ?? 0;
        head = 2;
      }
      if (size > this.maxFrameBytes) throw new ZmtpProtocolError(`frame of ${size} bytes over the limit`);
      if (buf.length - i < head + size) break;
      out.push({ flags, body: buf.subarray(i + head, i + head + size) });
      i += head + size;
    }
    // Copy the remainder so the chunk it came from can be collected.
    this.pending = i < buf.length ? Buffer.from(buf.subarray(i)) : Buffer.alloc(0);
    return out;
  }

  /** Bytes held for a partial frame. */
  get buffered(): number {
    return this.pending.length;
  }
}
