import fs from 'node:fs';
import path from 'node:path';
import { decode, Encoder } from '@msgpack/msgpack';

/*
 * Segment file format: records back to back, each a 4-byte big-endian length
 * then that many bytes of msgpack. A record is appended with one write(2), so
 * a process that dies mid-push leaves at worst one short record at the tail;
 * the reader stops there and keeps everything before it.
 */

export const SEGMENT_SUFFIX = '.spool';
const SEGMENT_RE = /^(\d{12})\.spool$/;
const HEADER_BYTES = 4;

/** `<dir>/000000000042.spool`: fixed width, so names sort in push order. */
export function segmentName(seq: number): string {
  return `${String(seq).padStart(12, '0')}${SEGMENT_SUFFIX}`;
}

/** Sequence numbers of the segment files in `dir`, oldest first. */
export function listSegments(dir: string): number[] {
  const seqs: number[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = SEGMENT_RE.exec(name);
    if (m) seqs.push(Number(m[1]));
  }
  return seqs.sort((a, b) => a - b);
}

// One encoder for every record: `encode()` builds a new one (and its buffer) per call, a visible
// cost at thousands of records a second. Safe to share: encoding is synchronous.
const encoder = new Encoder({ ignoreUndefined: true });

/** One framed record: header + msgpack body, ready for a single write. */
export function frame(item: unknown): Buffer {
  const body = encoder.encodeSharedRef(item);
  const buf = Buffer.allocUnsafe(HEADER_BYTES + body.byteLength);
  buf.writeUInt32BE(body.byteLength, 0);
  buf.set(body, HEADER_BYTES);
  return buf;
}

export interface SegmentRead<T> {
  items: T[];
  /** Bytes after the last whole record (a torn tail), 0 when the file is clean. */
  tornBytes: number;
}

/** Reads every whole record of a segment file; a torn or undecodable tail is reported, not thrown. */
export function readSegment<T>(file: string): SegmentRead<T> {
  const buf = fs.readFileSync(file);
  const items: T[] = [];
  let off = 0;
  while (off + HEADER_BYTES <= buf.length) {
    const len = buf.readUInt32BE(off);
    if (off + HEADER_BYTES + len > buf.length) break;
    try {
      items.push(decode(buf.subarray(off + HEADER_BYTES, off + HEADER_BYTES + len)) as T);
    } catch {
      break;
    }
    off += HEADER_BYTES + len;
  }
  return { items, tornBytes: buf.length - off };
}

/** Counts whole records without decoding them (start-up over a large backlog). */
export function countRecords(file: string): number {
  const buf = fs.readFileSync(file);
  let n = 0;
  let off = 0;
  while (off + HEADER_BYTES <= buf.length) {
    const len = buf.readUInt32BE(off);
    if (off + HEADER_BYTES + len > buf.length) break;
    off += HEADER_BYTES + len;
    n++;
  }
  return n;
}

/** Where the flusher got to in the oldest segment, so a restart does not write items twice. */
export interface Cursor {
  seq: number;
  done: number;
}

export function cursorPath(dir: string): string {
  return path.join(dir, 'cursor.json');
}

export function readCursor(dir: string): Cursor | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(cursorPath(dir), 'utf8')) as Partial<Cursor>;
    return typeof v.seq === 'number' && typeof v.done === 'number' ? { seq: v.seq, done: v.done } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Appends framed records to one open segment file. Each append is one
 * write(2), so it survives the process dying at once; fdatasync runs at
 * most every `syncMs` for all appends since the last one, so a burst of
 * pushes costs one disk flush, not one each.
 */
export class SegmentWriter {
  private fd: number | undefined;
  private dirty = false;
  private syncing = false;
  private closeWhenIdle = false;
  private timer: NodeJS.Timeout | undefined;
  bytes = 0;

  constructor(
    readonly file: string,
    private readonly syncMs: number,
  ) {
    this.fd = fs.openSync(file, 'a', 0o600);
    syncDir(path.dirname(file));
  }

  append(buf: Buffer): void {
    if (this.fd === undefined) throw new Error(`segment ${this.file} is closed`);
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
    this.bytes += buf.length;
    this.dirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.syncing) return;
    this.timer = setTimeout(() => this.sync(), this.syncMs);
    this.timer.unref();
  }

  private sync(): void {
    this.timer = undefined;
    if (!this.dirty || this.fd === undefined) return;
    this.dirty = false;
    this.syncing = true;
    fs.fdatasync(this.fd, () => {
      this.syncing = false;
      if (this.closeWhenIdle) this.closeNow(false);
      else if (this.dirty) this.schedule();
    });
  }

  /** Closes the file once what was appended is on disk, without blocking: fdatasync runs in the background. */
  finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.closeWhenIdle = true;
    if (this.syncing) return;
    if (!this.dirty || this.fd === undefined) {
      this.closeNow(false);
      return;
    }
    this.sync();
  }

  /** Closes the file; `flush` forces pending data to disk first (a clean shutdown). */
  close(flush: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.syncing) {
      // The in-flight fdatasync still uses the fd: close it when that finishes.
      this.closeWhenIdle = true;
      return;
    }
    this.closeNow(flush);
  }

  private closeNow(flush: boolean): void {
    if (this.fd === undefined) return;
    try {
      if (flush && this.dirty) fs.fdatasyncSync(this.fd);
    } finally {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

/** fsyncs a directory so a new file's name survives a power loss; best effort, in the background. */
export function syncDir(dir: string): void {
  fs.open(dir, 'r', (err, fd) => {
    if (err) return;
    fs.fsync(fd, () => fs.close(fd, () => undefined));
  });
}
