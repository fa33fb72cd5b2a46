/**
 * @tsalt/spool: a durable, ordered queue on disk. Items are appended to
 * segment files (one write(2) each, fdatasync batched) and handed to a
 * `write` callback in order, in batches, with retries; a later Spool over the
 * same folder delivers what an earlier process left. Used by the returners
 * (writes held while MySQL/Redis is down) and the reactor (accepted reactions).
 *
 *   const spool = new Spool<Row>({ dir, log, write: (rows) => store(rows) });
 *   spool.push(row);               // durable once it returns
 *   await spool.drain(2000);       // true once everything is written
 *   await spool.close(5000);
 */
export { Spool } from './spool.js';
export type { SpoolOptions, SpoolStats, SpoolVerdict } from './types.js';
export { SpoolError } from './errors.js';
export { frame, readSegment, syncDir, SegmentWriter, type SegmentRead } from './records.js';
