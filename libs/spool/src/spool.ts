import fs from 'node:fs';
import path from 'node:path';
import { errorLine, pidIsLiveSince, writeFileAtomic, type Logger } from '@tsalt/core';
import { SpoolError } from './errors.js';
import {
  countRecords,
  cursorPath,
  frame,
  listSegments,
  readCursor,
  readSegment,
  SegmentWriter,
  segmentName,
} from './records.js';
import type { SpoolOptions, SpoolStats, SpoolVerdict } from './types.js';

// A segment is sealed at this many items or bytes, so written ones can be deleted while a backlog grows.
const SEGMENT_MAX_ITEMS = 1000;
const SEGMENT_MAX_BYTES = 8 * 1024 * 1024;
// Past this backlog (items), sealed segments are dropped from memory and read back from disk when due.
const DEFAULT_MEMORY_MAX_ITEMS = 20_000;
const JITTER = 0.2;

// Folders with a live Spool in this process (resolved paths).
const openDirs = new Set<string>();

/** The pid of another live process holding the folder's lock file, if any. */
function lockOwner(dir: string): number | undefined {
  const file = path.join(dir, 'lock');
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    // A pid reused after a reboot is not the owner: the owner started before it wrote the lock.
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidIsLiveSince(pid, fs.statSync(file).mtimeMs))
      return pid;
  } catch {
    // No lock file (or unreadable): nobody holds it.
  }
  return undefined;
}

interface Segment<T> {
  seq: number;
  file: string;
  /** Whole records in the file. */
  count: number;
  /** The decoded records, or undefined while only on disk. */
  items: T[] | undefined;
  /** Set on the one segment new pushes go to. */
  writer?: SegmentWriter;
}

interface Taken<T> {
  seq: number;
  index: number;
  item: T;
}

/**
 * A durable, ordered queue in front of an external store (MySQL, Redis...).
 * `push` appends the item to a segment file with one write(2) and returns at
 * once; a background flusher hands items to `write` in order, in batches,
 * retrying with backoff while the store is down, and deletes each segment once
 * all its items are written. A new Spool over the same folder delivers what a
 * previous process left (a cursor file skips what it had already written).
 *
 *   const spool = new Spool<Row>({ dir, log, write: (rows) => insertAll(rows) });
 *   spool.push(row);               // never blocks on the store
 *   await spool.drain(2000);       // true once everything is written
 *   await spool.close(5000);       // one last attempt; the rest stays on disk
 */
export class Spool<T> {
  readonly dir: string;
  private readonly log: Logger;
  private readonly batchMax: number;
  private readonly classify: (err: unknown) => SpoolVerdict;
  private readonly describeError: (err: unknown) => string;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly syncMs: number;
  private readonly memoryMaxItems: number;
  private readonly noun: readonly [string, string];
  private readonly cursorDelayMs: number;
  private cursorDirty = false;
  private cursorTimer: NodeJS.Timeout | undefined;
  private readonly segments: Segment<T>[] = [];
  /** Items of segments[0] already written or rejected. */
  private done = 0;
  private nextSeq = 0;
  private total = 0;
  private rejectedCount = 0;
  private lastError: string | undefined;
  private loggedError: string | undefined;
  private attempt = 0;
  /** Items left to send one at a time after a batch was rejected, to find the bad one. */
  private isolate = 0;
  private inFlight = false;
  private closing = false;
  private stopped = false;
  private cursorOnDisk = false;
  private wakeIdle: (() => void) | undefined;
  private cancelSleep: (() => void) | undefined;
  private drainWaiters: Array<(drained: boolean) => void> = [];
  private readonly loop: Promise<void>;

  constructor(private readonly opts: SpoolOptions<T>) {
    this.dir = path.resolve(opts.dir);
    this.log = opts.log;
    this.batchMax = Math.max(1, Math.floor(opts.batchMax ?? 500));
    this.classify = opts.classify ?? (() => 'retry');
    this.describeError = opts.describeError ?? errorLine;
    this.retryMinMs = opts.retryMinMs ?? 100;
    this.retryMaxMs = opts.retryMaxMs ?? 30_000;
    this.syncMs = opts.syncMs ?? 5;
    this.memoryMaxItems = Math.max(0, opts.memoryMaxItems ?? DEFAULT_MEMORY_MAX_ITEMS);
    this.noun = opts.noun ?? ['write', 'writes'];
    this.cursorDelayMs = Math.max(0, opts.cursorDelayMs ?? 0);
    if (openDirs.has(this.dir))
      throw new SpoolError('SPOOL_LOCKED', `Spool ${this.dir} is already open in this process`);
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.lock();
    openDirs.add(this.dir);
    this.recover();
    this.loop = this.run();
  }

  /** Appends one item durably and returns at once; throws only if the disk write fails. */
  push(item: T): void {
    if (this.closing) throw new SpoolError('SPOOL_CLOSED', `Spool ${this.dir} is closed`);
    const buf = frame(item);
    let seg = this.segments[this.segments.length - 1];
    if (!seg?.writer) seg = this.openSegment();
    try {
      seg.writer!.append(buf);
    } catch (err) {
      // A failed append may leave a short record at the tail: seal the file so nothing follows it.
      this.seal(seg);
      throw new SpoolError('SPOOL_WRITE', `Cannot write to spool ${this.dir}: ${errorLine(err)}`, { cause: err });
    }
    seg.count++;
    seg.items?.push(item);
    this.total++;
    if (seg.count >= SEGMENT_MAX_ITEMS || seg.writer!.bytes >= SEGMENT_MAX_BYTES) this.seal(seg);
    this.wakeIdle?.();
  }

  /**
   * Takes over what another spool folder holds when no live process owns it
   * (a `tsalt-call` that spooled beside a running minion, then exited):
   * its pending items are appended here, in their order, its rejected files
   * moved here, and the folder removed. Answers how many items came over.
   */
  adopt(otherDir: string): number {
    const other = path.resolve(otherDir);
    if (other === this.dir || openDirs.has(other) || lockOwner(other) !== undefined) return 0;
    const cursor = readCursor(other);
    let moved = 0;
    for (const seq of listSegments(other)) {
      const { items } = readSegment<T>(path.join(other, segmentName(seq)));
      const skip = cursor && cursor.seq === seq ? cursor.done : 0;
      for (const item of items.slice(skip)) {
        this.push(item);
        moved++;
      }
    }
    const rejected = path.join(other, 'rejected');
    if (fs.existsSync(rejected)) {
      fs.mkdirSync(path.join(this.dir, 'rejected'), { recursive: true, mode: 0o700 });
      for (const f of fs.readdirSync(rejected))
        fs.renameSync(path.join(rejected, f), path.join(this.dir, 'rejected', `${path.basename(other)}-${f}`));
    }
    fs.rmSync(other, { recursive: true, force: true });
    if (moved > 0) this.log.info(`${this.count(moved)} taken over from the spool ${other}`);
    return moved;
  }

  stats(): SpoolStats {
    return { pending: this.pending(), rejected: this.rejectedCount, lastError: this.lastError };
  }

  /**
   * Waits until every pushed item is written (or rejected): true, or false
   * after `timeoutMs`. It cuts a retry backoff short, so a reader right after
   * an outage does not wait out the backoff.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.idle() || this.stopped) return this.idle();
    this.kick();
    return new Promise<boolean>((resolve) => {
      const waiter = (drained: boolean): void => {
        clearTimeout(timer);
        resolve(drained);
      };
      const timer = setTimeout(
        () => {
          this.drainWaiters = this.drainWaiters.filter((w) => w !== waiter);
          resolve(this.idle());
        },
        Math.max(0, timeoutMs),
      );
      this.drainWaiters.push(waiter);
    });
  }

  /** Retries now instead of at the end of the current backoff. */
  kick(): void {
    this.cancelSleep?.();
    this.wakeIdle?.();
  }

  /**
   * Stops the flusher after one last attempt (bounded by `timeoutMs`): what
   * it could not write stays on disk for the next Spool over this folder.
   */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.stopped) return;
    this.closing = true;
    this.kick();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    this.stopped = true;
    this.kick();
    if (this.cursorDirty) this.saveCursor();
    const last = this.segments[this.segments.length - 1];
    last?.writer?.close(true);
    if (last) delete last.writer;
    if (this.opts.reuseOpenSegment) {
      // The reused segment, all written, goes now like any other.
      this.dropWritten();
      this.saveCursor();
    }
    this.settleDrains(true);
    openDirs.delete(this.dir);
    fs.rmSync(path.join(this.dir, 'lock'), { force: true });
    const held = this.pending();
    if (held > 0) this.log.warn(`${this.count(held)} left in the spool ${this.dir}; they are sent at the next start`);
  }

  /** "1 write", "12 writes". */
  private count(n: number): string {
    return `${n} ${n === 1 ? this.noun[0] : this.noun[1]}`;
  }

  private pending(): number {
    return this.total - this.done;
  }

  private idle(): boolean {
    return this.pending() === 0 && !this.inFlight;
  }

  /** One process per folder: a lock file names the owner; a dead or restarted owner's lock is taken over. */
  private lock(): void {
    const owner = lockOwner(this.dir);
    if (owner !== undefined) throw new SpoolError('SPOOL_LOCKED', `Spool ${this.dir} is in use by process ${owner}`);
    writeFileAtomic(path.join(this.dir, 'lock'), `${process.pid}\n`, 0o600);
  }

  /** Picks up the segments a previous process left, oldest first. */
  private recover(): void {
    const seqs = listSegments(this.dir);
    const cursor = readCursor(this.dir);
    for (const seq of seqs) {
      const file = path.join(this.dir, segmentName(seq));
      const count = countRecords(file);
      this.segments.push({ seq, file, count, items: undefined });
      this.total += count;
      this.nextSeq = seq + 1;
    }
    const head = this.segments[0];
    if (head && cursor && cursor.seq === head.seq) {
      this.done = Math.min(cursor.done, head.count);
      this.cursorOnDisk = true;
    }
    this.dropWritten();
    if (this.pending() > 0)
      this.log.info(`${this.count(this.pending())} found in the spool ${this.dir} from a previous run`);
  }

  private openSegment(): Segment<T> {
    const seq = this.nextSeq++;
    const file = path.join(this.dir, segmentName(seq));
    const seg: Segment<T> = { seq, file, count: 0, items: [], writer: new SegmentWriter(file, this.syncMs) };
    this.segments.push(seg);
    return seg;
  }

  private seal(seg: Segment<T>): void {
    // Flushed in the background: a synchronous fdatasync here stalled the event loop for tens of
    // ms once per segment. Appends before it already reached the kernel with write(2).
    seg.writer?.finish();
    delete seg.writer;
    // A long outage must not hold the whole backlog in memory: it is read back when due.
    if (seg !== this.segments[0] && this.pending() > this.memoryMaxItems) seg.items = undefined;
  }

  private itemsOf(seg: Segment<T>): T[] {
    if (seg.items) return seg.items;
    const { items, tornBytes } = readSegment<T>(seg.file);
    if (tornBytes > 0)
      this.log.warn(`spool segment ${seg.file} ends with ${tornBytes} bytes of a record cut short; they are skipped`);
    if (items.length !== seg.count) {
      this.total += items.length - seg.count;
      seg.count = items.length;
    }
    seg.items = items;
    return items;
  }

  private take(max: number): Taken<T>[] {
    const out: Taken<T>[] = [];
    let si = 0;
    let index = this.done;
    while (out.length < max && si < this.segments.length) {
      const seg = this.segments[si]!;
      // Reading a segment back may find fewer records than counted (a torn tail): count first, then check.
      const items = index < seg.count ? this.itemsOf(seg) : [];
      if (index >= seg.count) {
        si++;
        index = 0;
        continue;
      }
      out.push({ seq: seg.seq, index, item: items[index] as T });
      index++;
    }
    return out;
  }

  /** Marks `n` more items done, deletes finished segments and records the cursor. */
  private advance(n: number): void {
    this.done += n;
    this.dropWritten();
    if (this.cursorDelayMs <= 0) {
      this.saveCursor();
      return;
    }
    this.cursorDirty = true;
    if (!this.cursorTimer) {
      this.cursorTimer = setTimeout(() => this.saveCursor(), this.cursorDelayMs);
      this.cursorTimer.unref();
    }
  }

  /**
   * Records on disk how far delivery got (with `cursorDelayMs`, a pending
   * record is written now). Items before it are never delivered again.
   */
  saveCursor(): void {
    clearTimeout(this.cursorTimer);
    this.cursorTimer = undefined;
    this.cursorDirty = false;
    const head = this.segments[0];
    try {
      if (head && this.done > 0) {
        writeFileAtomic(cursorPath(this.dir), JSON.stringify({ seq: head.seq, done: this.done }), 0o600);
        this.cursorOnDisk = true;
      } else if (this.cursorOnDisk) {
        fs.rmSync(cursorPath(this.dir), { force: true });
        this.cursorOnDisk = false;
      }
    } catch (err) {
      // Without the cursor a restart only writes some items twice; keep going.
      this.log.warn(`cannot record the spool position in ${this.dir}: ${errorLine(err)}`);
    }
  }

  private dropWritten(): void {
    for (let head = this.segments[0]; head && this.done >= head.count; head = this.segments[0]) {
      // The segment new pushes go to is dropped too once written (the next push starts a new
      // file), unless it is to be reused until sealed.
      if (this.opts.reuseOpenSegment && head.writer && !this.closing) return;
      head.writer?.close(false);
      delete head.writer;
      fs.rmSync(head.file, { force: true });
      this.segments.shift();
      this.done -= head.count;
      this.total -= head.count;
    }
  }

  private reject(t: Taken<T>, err: unknown): void {
    const line = this.describeError(err);
    const file = path.join(this.dir, 'rejected', `${t.seq}-${t.index}.json`);
    const what = this.opts.describeItem ? this.opts.describeItem(t.item) : `item ${t.seq}-${t.index}`;
    try {
      writeFileAtomic(
        file,
        JSON.stringify({ error: line, rejected_at: new Date().toISOString(), item: t.item }, null, 1) + '\n',
        0o600,
      );
      this.log.error(`Rejected ${what}: ${line}; kept in ${file}`);
    } catch (e) {
      this.log.error(`Rejected ${what}: ${line}; could not keep it in ${file}: ${errorLine(e)}`);
    }
    this.rejectedCount++;
  }

  private failed(err: unknown): void {
    const line = this.describeError(err);
    this.lastError = line;
    if (line === this.loggedError) return;
    this.loggedError = line;
    const n = this.pending();
    this.log.warn(`${line}; ${this.count(n)} held in the spool`);
  }

  private succeeded(): void {
    if (this.loggedError !== undefined) {
      const n = this.pending();
      this.log.warn(`Writes resumed after: ${this.loggedError}; ${n} left to send`);
    }
    this.loggedError = undefined;
    this.lastError = undefined;
    this.attempt = 0;
  }

  /** Answers the drain waiters: when idle, or (`force`, at close) with whether it is. */
  private settleDrains(force = false): void {
    const idle = this.idle();
    if (!force && !idle) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w(idle);
  }

  private backoffMs(): number {
    const base = Math.min(this.retryMaxMs, this.retryMinMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(base * (1 - JITTER + Math.random() * 2 * JITTER));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.cancelSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.cancelSleep = done;
    });
  }

  private waitForPush(): Promise<void> {
    return new Promise((resolve) => {
      this.wakeIdle = () => {
        this.wakeIdle = undefined;
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    // Let the constructor return (and the owner wire things up) before the first write.
    await Promise.resolve();
    while (!this.stopped) {
      try {
        if (await this.step()) return;
      } catch (err) {
        // A local fault (reading a segment, the cursor): log it and carry on after a pause.
        this.log.error(`spool ${this.dir} failed: ${errorLine(err)}`);
        if (this.closing) return;
        await this.sleep(this.backoffMs());
      }
    }
  }

  /** One turn of the flusher; true when it should stop. */
  private async step(): Promise<boolean> {
    if (this.pending() === 0) {
      this.settleDrains();
      if (this.closing) return true;
      await this.waitForPush();
      return false;
    }
    const batch = this.take(this.isolate > 0 ? 1 : this.batchMax);
    if (batch.length === 0) {
      // Counts were fixed up after reading a torn segment back: nothing left to send from it.
      this.dropWritten();
      return false;
    }
    let failure: { err: unknown } | undefined;
    this.inFlight = true;
    try {
      await this.opts.write(batch.map((t) => t.item));
    } catch (err) {
      failure = { err };
    } finally {
      this.inFlight = false;
    }
    // Closed while this write was in flight: another Spool may own the folder now, so leave the
    // files alone (at worst the next start writes this batch again; nothing is lost).
    if (this.stopped) return true;
    if (!failure) {
      this.isolate = Math.max(0, this.isolate - batch.length);
      this.advance(batch.length);
      this.succeeded();
      return false;
    }
    let verdict: SpoolVerdict = 'retry';
    try {
      verdict = this.classify(failure.err);
    } catch {
      // An unsure classifier keeps the data: retry.
    }
    if (verdict === 'reject') {
      if (batch.length > 1) {
        this.isolate = batch.length;
        return false;
      }
      this.reject(batch[0]!, failure.err);
      this.isolate = Math.max(0, this.isolate - 1);
      this.advance(1);
      return false;
    }
    this.failed(failure.err);
    if (this.closing) return true;
    await this.sleep(this.backoffMs());
    return false;
  }
}
