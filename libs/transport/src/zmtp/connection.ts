import type net from 'node:net';
import {
  encodeCommand,
  encodeGreeting,
  encodeReady,
  FLAG_COMMAND,
  FLAG_MORE,
  FrameReader,
  GREETING_BYTES,
  parseCommand,
  parseGreeting,
  parseProperties,
  ZmtpProtocolError,
  type Frame,
} from './codec.js';

/** What the connection tells its server about the peer's subscriptions. */
export interface SubscriptionSink {
  /** Whether to keep `topic` for this peer (its length and the per-peer count are checked by the caller). */
  admit(subscribe: boolean, topic: Buffer): boolean;
  /** A subscription not kept because the peer already holds `maxTopics`. */
  overCount(): void;
}

export interface PubConnectionOptions {
  /** The largest frame (or command) a peer may send, bytes. */
  maxFrameBytes: number;
  /** Topics kept per peer, duplicates included; the rest are counted and dropped. */
  maxTopics: number;
  /** Messages queued for this peer before a publish is dropped for it (`pub_hwm`). */
  highWaterMark: number;
  sink: SubscriptionSink;
  /** Called once when the connection ends, with why when a peer's bytes ended it. */
  onClose: (conn: PubConnection, reason: string | undefined) => void;
}

type Phase = 'greeting' | 'ready' | 'open' | 'closed';

/** Peer Socket-Types a PUB talks to (23/ZMTP "The Socket-Type property"). */
const PEER_TYPES = new Set(['SUB', 'XSUB']);
/** A ZMTP 3.1 PING's context is at most 16 bytes after the 2-byte TTL (37/ZMTP). */
const PING_CONTEXT_MAX = 16;
/** Bytes queued to a peer past which a PING gets no PONG (a publish is bounded by the high-water mark instead). */
const PONG_QUEUE_MAX_BYTES = 64 * 1024;

/**
 * One peer of the publish port. Holds a fixed amount per peer: the greeting
 * buffer (64 bytes) until the handshake ends, at most one partial frame, and
 * at most `maxTopics` topics of bounded length; a subscription past those is
 * counted by the sink and dropped. Any byte the peer sends that is not ZMTP
 * 3 ends the connection, never the process.
 */
export class PubConnection {
  private phase: Phase = 'greeting';
  private greeting: Buffer = Buffer.alloc(0);
  private readonly reader: FrameReader;
  private readonly topics: Buffer[] = [];
  /** Whether the last data frame had MORE: the next one belongs to a message that is no subscription. */
  private inMultipart = false;
  /** Publishes written and not yet handed to the kernel. */
  private queued = 0;
  /** Publishes dropped at the high-water mark, for tests and logs. */
  dropped = 0;

  constructor(
    readonly socket: net.Socket,
    private readonly o: PubConnectionOptions,
  ) {
    this.reader = new FrameReader(o.maxFrameBytes);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.end(undefined));
    socket.on('close', () => this.end(undefined));
    socket.write(encodeGreeting());
  }

  /** Whether the handshake is done and a publish with this payload is for this peer. */
  wants(payload: Buffer): boolean {
    if (this.phase !== 'open') return false;
    for (const t of this.topics) if (t.length <= payload.length && payload.subarray(0, t.length).equals(t)) return true;
    return false;
  }

  /** Writes an encoded publish unless the peer is at its high-water mark; false when dropped. */
  send(frame: Buffer): boolean {
    if (this.queued >= this.o.highWaterMark || this.socket.destroyed) {
      this.dropped++;
      return false;
    }
    this.queued++;
    this.socket.write(frame, () => {
      this.queued--;
    });
    return true;
  }

  get isOpen(): boolean {
    return this.phase === 'open';
  }

  /** Topics kept for this peer (copies are not made: for tests). */
  get topicCount(): number {
    return this.topics.length;
  }

  get queuedCount(): number {
    return this.queued;
  }

  private get closed(): boolean {
    return this.phase === 'closed';
  }

  close(reason?: string): void {
    this.end(reason);
  }

  private end(reason: string | undefined): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.topics.length = 0;
    this.greeting = Buffer.alloc(0);
    this.socket.destroy();
    this.o.onClose(this, reason);
  }

  private onData(chunk: Buffer): void {
    try {
      this.consume(chunk);
    } catch (err) {
      this.end(err instanceof Error ? err.message : 'bad input');
    }
  }

  private consume(chunk: Buffer): void {
    if (this.phase === 'closed') return;
    let rest = chunk;
    if (this.phase === 'greeting') {
      const need = GREETING_BYTES - this.greeting.length;
      this.greeting = Buffer.concat([this.greeting, rest.subarray(0, need)]);
      rest = rest.subarray(need);
      // Fail fast on a wrong first byte rather than waiting for 64.
      if (this.greeting[0] !== 0xff) throw new ZmtpProtocolError('not a ZMTP signature');
      if (this.greeting.length < GREETING_BYTES) return;
      parseGreeting(this.greeting);
      this.greeting = Buffer.alloc(0);
      this.phase = 'ready';
      this.socket.write(encodeReady({ 'Socket-Type': 'PUB' }));
    }
    if (rest.length === 0) return;
    for (const f of this.reader.push(rest)) {
      if (this.closed) return;
      this.onFrame(f);
    }
  }

  private onFrame(f: Frame): void {
    if (this.phase === 'ready') {
      if (!(f.flags & FLAG_COMMAND)) throw new ZmtpProtocolError('data before READY');
      const cmd = parseCommand(f.body);
      if (cmd.name !== 'READY') throw new ZmtpProtocolError(`${cmd.name} before READY`);
      const type = parseProperties(cmd.data).get('socket-type')?.toString('latin1') ?? '';
      if (!PEER_TYPES.has(type)) throw new ZmtpProtocolError(`a ${type || 'typeless'} peer cannot talk to a PUB`);
      this.phase = 'open';
      return;
    }
    if (f.flags & FLAG_COMMAND) return this.onCommand(f.body);
    const partOfMultipart = this.inMultipart || (f.flags & FLAG_MORE) !== 0;
    this.inMultipart = (f.flags & FLAG_MORE) !== 0;
    // A single-frame message starting 1 or 0 is a (un)subscription; anything else a PUB ignores.
    if (partOfMultipart || f.body.length < 1) return;
    const flag = f.body[0];
    if (flag === 1) this.subscribe(f.body.subarray(1));
    else if (flag === 0) this.unsubscribe(f.body.subarray(1));
  }

  private onCommand(body: Buffer): void {
    const cmd = parseCommand(body);
    switch (cmd.name) {
      case 'SUBSCRIBE':
        return this.subscribe(cmd.data);
      case 'CANCEL':
        return this.unsubscribe(cmd.data);
      case 'PING': {
        if (cmd.data.length < 2 || cmd.data.length > 2 + PING_CONTEXT_MAX) throw new ZmtpProtocolError('bad PING');
        // A peer that pings and never reads would queue PONGs without end: past this, it gets none.
        if (this.socket.writableLength > PONG_QUEUE_MAX_BYTES) return;
        this.socket.write(encodeCommand('PONG', Buffer.from(cmd.data.subarray(2))));
        return;
      }
      case 'PONG':
        return;
      case 'ERROR':
        throw new ZmtpProtocolError('the peer sent ERROR');
      default:
        throw new ZmtpProtocolError(`unknown command ${JSON.stringify(cmd.name.slice(0, 32))}`);
    }
  }

  private subscribe(topic: Buffer): void {
    if (!this.o.sink.admit(true, topic)) return;
    if (this.topics.length >= this.o.maxTopics) return this.o.sink.overCount();
    // A copy: the frame's buffer is the socket's chunk, which must not be kept.
    this.topics.push(Buffer.from(topic));
  }

  private unsubscribe(topic: Buffer): void {
    if (!this.o.sink.admit(false, topic)) return;
    const i = this.topics.findIndex((t) => t.equals(topic));
    if (i >= 0) this.topics.splice(i, 1);
  }
}
