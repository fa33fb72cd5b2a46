import type { Logger } from '@tsalt/core';

/** What to do with a batch the store refused: try again later, or set the item aside for good. */
export type SpoolVerdict = 'retry' | 'reject';

export interface SpoolOptions<T> {
  /** The spool's own folder; created if missing. One Spool per folder per process. */
  dir: string;
  log: Logger;
  /** Writes a batch, in order, all or nothing (a transaction); throws to have it retried or rejected. */
  write: (batch: T[]) => Promise<void>;
  /** Most items per write call. @default 500 */
  batchMax?: number;
  /**
   * Sorts a write failure. 'reject' is permanent for the data (a value too
   * long for its column): a failing batch of several items is then retried
   * one item at a time, and the culprit goes to `<dir>/rejected/`.
   * @default every failure is 'retry'
   */
  classify?: (err: unknown) => SpoolVerdict;
  /**
   * One line naming a failure for the log, e.g. "MySQL server unavailable at
   * 127.0.0.1:3306: connect ECONNREFUSED". Failures with the same line are
   * logged once until a write succeeds. Must never include secrets.
   * @default the error's first message line
   */
  describeError?: (err: unknown) => string;
  /** Names an item in a reject line, e.g. "jid 2024... from minion web1". @default "item <seq>-<n>" */
  describeItem?: (item: T) => string;
  /** First retry delay after a failure, doubling up to `retryMaxMs`, with ±20% jitter. @default 100 */
  retryMinMs?: number;
  /** @default 30000 */
  retryMaxMs?: number;
  /** Longest wait before appended records are fdatasync'ed, in ms. @default 5 */
  syncMs?: number;
  /**
   * Backlog (items) past which sealed segments (1000 items each) leave memory
   * and are read back from disk when due, so a long outage cannot exhaust it.
   * @default 20000
   */
  memoryMaxItems?: number;
  /**
   * Delay (ms) before the delivery position is recorded after a write; 0
   * records it after every batch. A crash re-delivers at most this long's
   * worth of items, for one file rename per delay instead of per batch
   * (a queue taking thousands of small items a second). `saveCursor()`
   * records it at once. @default 0
   */
  cursorDelayMs?: number;
  /**
   * Keep appending to the open segment once all its items are written,
   * rather than deleting it and starting a new file at the next push. A
   * queue drained as fast as it fills (the reactor) otherwise creates,
   * fsyncs the folder of, and deletes one file per item. The file goes once
   * sealed (1000 items) and written, or at close. @default false
   */
  reuseOpenSegment?: boolean;
  /** What an item is called in log lines, singular and plural. @default ['write', 'writes'] */
  noun?: readonly [string, string];
}

export interface SpoolStats {
  /** Items pushed and not yet written (or rejected). */
  pending: number;
  /** Items set aside in `rejected/` by this Spool since it started. */
  rejected: number;
  /** The last failure's line while writes are failing; undefined once a write succeeds. */
  lastError: string | undefined;
}
