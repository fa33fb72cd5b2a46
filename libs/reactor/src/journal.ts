import fs from 'node:fs';
import path from 'node:path';
import { errorLine, type Logger } from '@tsalt/core';
import { frame, readSegment, SegmentWriter, syncDir } from '@tsalt/spool';
import type { Reaction } from './reactions.js';
import type { ReactionJob } from './types.js';

/*
 * The running journal: the queue (a Spool) forgets a job once a worker has
 * taken it, so what was taken but not finished is written here. Records,
 * appended with one write(2) each (fdatasync batched, as the spool does):
 *   start {job, plan}    taken by a worker and rendered: the reactions to run, in order
 *   done  {i}            reaction i finished (ran, or failed and was reported), not the last
 *   end                  every reaction done
 * At start-up, jobs with no `end` run again from their plan, skipping the
 * done reactions. The ids of ended jobs still in the file are reported too,
 * so a job the queue hands over again (its position was not yet recorded
 * when the process died) is not run twice.
 */

type JournalRecord =
  | { op: 'start'; id: string; job: ReactionJob; plan: Reaction[] }
  | { op: 'done'; id: string; i: number }
  | { op: 'end'; id: string };

/** What the journal knows of a job that has not ended. */
export interface JobState {
  job: ReactionJob;
  plan: Reaction[];
  done: number[];
}

export interface Recovered {
  unfinished: JobState[];
  /** Jobs that ended, as far back as the file goes. */
  ended: Set<string>;
}

// With nothing running, a file past this size (bytes) is emptied...
const TRUNCATE_BYTES = 1024 * 1024;
// ...and past this one it is rewritten with only the live jobs, even while busy.
const REWRITE_BYTES = 16 * 1024 * 1024;

export class RunJournal {
  private readonly file: string;
  private readonly live = new Map<string, JobState>();
  private writer: SegmentWriter | undefined;
  private bytes = 0;
  private closed = false;

  /**
   * `beforeForget` runs before the file is emptied of ended jobs: the queue
   * records its position then, so what they were cannot come back.
   */
  constructor(
    dir: string,
    private readonly log: Logger,
    private readonly beforeForget: () => void = () => undefined,
    private readonly syncMs = 5,
  ) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'running.log');
  }

  /** Reads what a previous process left unfinished, keeps it as live, and starts a fresh file. */
  recover(): Recovered {
    const ended = new Set<string>();
    if (fs.existsSync(this.file)) {
      const { items, tornBytes } = readSegment<JournalRecord>(this.file);
      if (tornBytes > 0) {
        this.log.warn(
          `reactor journal ${this.file} ends with ${tornBytes} bytes of a record cut short; they are skipped`,
        );
        // New records go after the last whole one, where a reader finds them.
        fs.truncateSync(this.file, fs.statSync(this.file).size - tornBytes);
      }
      for (const rec of items) {
        this.apply(rec);
        if (rec.op === 'end') ended.add(rec.id);
      }
    }
    // Kept as it is until the queue has recorded its position (the first rewrite after start).
    this.bytes = fs.existsSync(this.file) ? fs.statSync(this.file).size : 0;
    return { unfinished: [...this.live.values()], ended };
  }

  start(job: ReactionJob, plan: Reaction[]): void {
    this.append({ op: 'start', id: job.id, job, plan });
  }

  done(id: string, i: number): void {
    this.append({ op: 'done', id, i });
  }

  end(id: string): void {
    this.append({ op: 'end', id });
    if (this.live.size === 0 && this.bytes > TRUNCATE_BYTES) this.truncate();
    else if (this.bytes > REWRITE_BYTES) this.rewrite();
  }

  /** Jobs started and not ended. */
  get running(): number {
    return this.live.size;
  }

  /** Flushes and closes; what is still live is run again at the next start. */
  close(): void {
    this.closed = true;
    this.writer?.close(true);
    this.writer = undefined;
  }

  private apply(rec: JournalRecord): void {
    if (rec.op === 'start') this.live.set(rec.id, { job: rec.job, plan: rec.plan, done: [] });
    else if (rec.op === 'end') this.live.delete(rec.id);
    else this.live.get(rec.id)?.done.push(rec.i);
  }

  private append(rec: JournalRecord): void {
    // A job still running when the reactor stopped may finish afterwards: its record waits for the next start.
    if (this.closed) return;
    this.apply(rec);
    const buf = frame(rec);
    try {
      this.writer ??= new SegmentWriter(this.file, this.syncMs);
      this.writer.append(buf);
      this.bytes += buf.length;
    } catch (err) {
      // The job still runs; only a crash before it ends would now miss re-running it.
      this.log.error(`cannot write the reactor journal ${this.file}: ${errorLine(err)}`);
    }
  }

  /**
   * Nothing is running: the file only remembers ended jobs, so it is emptied
   * in place (a truncate, no fsync: should a crash bring the old contents
   * back, they only say those jobs ended).
   */
  private truncate(): void {
    try {
      this.beforeForget();
      fs.truncateSync(this.file, 0);
      this.bytes = 0;
    } catch (err) {
      this.log.warn(`cannot empty the reactor journal ${this.file}: ${errorLine(err)}`);
    }
  }

  /** Replaces the file by one holding only the live jobs: written aside, synced, renamed over (rare: a busy 16 MiB). */
  private rewrite(): void {
    try {
      this.beforeForget();
    } catch (err) {
      this.log.warn(`cannot record the reactor queue position: ${errorLine(err)}`);
    }
    this.writer?.close(true);
    this.writer = undefined;
    const tmp = `${this.file}.new`;
    try {
      const parts: Buffer[] = [];
      for (const st of this.live.values()) {
        parts.push(frame({ op: 'start', id: st.job.id, job: st.job, plan: st.plan }));
        for (const i of st.done) parts.push(frame({ op: 'done', id: st.job.id, i }));
      }
      const data = Buffer.concat(parts);
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        fs.writeSync(fd, data);
        fs.fdatasyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.file);
      syncDir(path.dirname(this.file));
      this.bytes = data.length;
    } catch (err) {
      this.log.error(`cannot rewrite the reactor journal ${this.file}: ${errorLine(err)}`);
    }
  }
}
