import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '@tsalt/core';
import { genJid, isJid, jidToDate, type JidOptions } from '@tsalt/job';
import { formatJidInstance } from '../format.js';
import { ReturnerError } from '../errors.js';
import type { JidResult, JidSummary } from '../types.js';
import {
  appendRecord,
  blankLoadFile,
  bucketEntries,
  bucketOf,
  FILE_MODE,
  jidsInBucket,
  listBuckets,
  listJids,
  LOAD_SUFFIX,
  loadPath,
  pack,
  readLoadFile,
  readReturnStream,
  RET_SUFFIX,
  rewriteReturnStream,
  writeLoadFile,
  type ReturnRecord,
} from './files.js';

/** What we remember per recent jid, so a return costs one append, not a file read. */
interface JobState {
  ids: Set<string>;
  nocache: boolean;
}

// Jobs whose returner ids are kept in memory. Older jobs fall back to reading
// their return file once, so the bound only costs speed, never correctness.
const MAX_TRACKED_JIDS = 1024;
// Salt's prep_jid gives up after 5 collisions.
const PREP_ATTEMPTS = 5;
const HOUR_MS = 3_600_000;

export function checkJid(jid: unknown): string {
  if (!isJid(jid))
    throw new ReturnerError('BAD_JID', `Invalid jid: ${JSON.stringify(jid)?.slice(0, 60) ?? String(jid)}`);
  return jid as string;
}

/**
 * The local job cache rooted at `<cachedir>/jobs`. All file I/O is synchronous
 * on purpose: each operation (read-modify-write of a load file, check-then-
 * append of a return) runs whole, with no interleaving inside the process.
 * Duplicate detection assumes this process is the only writer.
 */
export class LocalCacheStore {
  private readonly seen = new Map<string, JobState>();

  constructor(readonly root: string) {}

  /** Reserves a jid by creating its load file with O_EXCL: two callers never get the same one. */
  prepJid(opts: JidOptions, nocache: boolean, passedJid: string | null): string {
    for (let attempt = 0; attempt < PREP_ATTEMPTS; attempt++) {
      const jid = checkJid(passedJid ?? genJid(opts));
      const file = loadPath(this.root, jid);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      try {
        const fd = fs.openSync(file, 'wx', FILE_MODE);
        try {
          fs.writeSync(fd, pack(blankLoadFile(nocache)));
        } finally {
          fs.closeSync(fd);
        }
        return jid;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (passedJid === null) continue;
        // A caller-chosen jid may already exist (Salt allows it); only record nocache.
        if (nocache) {
          const lf = readLoadFile(this.root, jid) ?? blankLoadFile();
          writeLoadFile(this.root, jid, { ...lf, nocache: true });
          this.seen.delete(jid);
        }
        return jid;
      }
    }
    throw new ReturnerError('JID_COLLISION', `Could not allocate a unique jid after ${PREP_ATTEMPTS} attempts`);
  }

  saveLoad(jid: string, load: Record<string, unknown>, minions: string[] | null): void {
    const lf = readLoadFile(this.root, jid) ?? blankLoadFile();
    lf.load = load;
    if (minions) lf.minions = [...minions];
    writeLoadFile(this.root, jid, lf);
  }

  saveMinions(jid: string, minions: string[], syndicId: string | null): void {
    const lf = readLoadFile(this.root, jid) ?? blankLoadFile();
    if (syndicId !== null) lf.syndic_minions[syndicId] = [...minions];
    else lf.minions = [...minions];
    writeLoadFile(this.root, jid, lf);
  }

  getLoad(jid: string): Record<string, unknown> {
    const lf = readLoadFile(this.root, jid);
    if (!lf?.load) return {};
    const ret: Record<string, unknown> = { ...lf.load };
    const all = new Set<string>([...(lf.minions ?? []), ...Object.values(lf.syndic_minions).flat()]);
    if (all.size) ret['Minions'] = [...all].sort();
    return ret;
  }

  /** Loads (or refreshes) the memory of who returned; repairs a stream with a bad tail. */
  private state(jid: string, log: Logger): JobState {
    const known = this.seen.get(jid);
    if (known) {
      this.seen.delete(jid);
      this.seen.set(jid, known);
      return known;
    }
    const stream = readReturnStream(this.root, jid);
    if (stream.corrupt) {
      log.warn({ jid, kept: stream.values.length }, 'Dropping a truncated record at the end of a job return file');
      rewriteReturnStream(this.root, jid, stream.values);
    }
    const st: JobState = {
      ids: new Set(stream.records.map((r) => r.id)),
      nocache: readLoadFile(this.root, jid)?.nocache ?? false,
    };
    this.seen.set(jid, st);
    if (this.seen.size > MAX_TRACKED_JIDS) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return st;
  }

  /** Appends one return. False when it was dropped (nocache job, or a second return from that minion). */
  addReturn(jid: string, rec: ReturnRecord, log: Logger): boolean {
    const st = this.state(jid, log);
    if (st.nocache) return false;
    if (st.ids.has(rec.id)) {
      log.warn(
        { jid, minion: rec.id },
        `An extra return was detected from minion ${rec.id}, please verify the minion, this could be a replay attack`,
      );
      return false;
    }
    appendRecord(this.root, jid, rec);
    st.ids.add(rec.id);
    return true;
  }

  setEndtime(jid: string, time: string, log: Logger): void {
    this.state(jid, log);
    appendRecord(this.root, jid, { endtime: time });
  }

  getEndtime(jid: string): string | false {
    return readReturnStream(this.root, jid).endtime ?? false;
  }

  getJid(jid: string): Record<string, JidResult> {
    const ret: Record<string, JidResult> = {};
    for (const r of readReturnStream(this.root, jid).records) {
      if (r.id in ret) continue;
      const one: JidResult = { return: r.return };
      if (typeof r.retcode === 'number') one.retcode = r.retcode;
      if (typeof r.success === 'boolean') one.success = r.success;
      if (typeof r.out === 'string') one.out = r.out;
      ret[r.id] = one;
    }
    return ret;
  }

  getJids(): Record<string, JidSummary> {
    const ret: Record<string, JidSummary> = {};
    for (const jid of listJids(this.root, LOAD_SUFFIX)) {
      const load = readLoadFile(this.root, jid)?.load;
      if (load) ret[jid] = formatJidInstance(jid, load);
    }
    return ret;
  }

  /** Salt's shape: a list, oldest first, of the newest `count` jobs with `JID` added. */
  getJidsFilter(count: number, filterFindJob: boolean): Array<JidSummary & { JID: string }> {
    const out: Array<JidSummary & { JID: string }> = [];
    const jids = listJids(this.root, LOAD_SUFFIX).reverse();
    for (const jid of jids) {
      if (out.length >= count) break;
      const load = readLoadFile(this.root, jid)?.load;
      if (!load) continue;
      const summary = formatJidInstance(jid, load);
      if (filterFindJob && summary.Function === 'saltutil.find_job') continue;
      out.push({ JID: jid, ...summary });
    }
    return out.reverse();
  }

  /** `{minion: newest return of fun}`, walking jobs newest first. */
  getFun(fun: string): Record<string, Record<string, unknown>> {
    const ret: Record<string, Record<string, unknown>> = {};
    for (const jid of listJids(this.root, RET_SUFFIX).reverse()) {
      // Most jobs ran another function: skip their returns without reading them.
      const loadFun = readLoadFile(this.root, jid)?.load?.['fun'];
      if (typeof loadFun === 'string' && loadFun !== fun) continue;
      for (const r of readReturnStream(this.root, jid).records) {
        if (r.fun === fun && !(r.id in ret)) ret[r.id] = { ...r, jid };
      }
    }
    return ret;
  }

  getMinions(): string[] {
    const ids = new Set<string>();
    for (const jid of listJids(this.root, RET_SUFFIX)) {
      for (const r of readReturnStream(this.root, jid).records) ids.add(r.id);
    }
    return [...ids].sort();
  }

  /**
   * Drops jobs older than `keepSeconds`: whole hour buckets when all of the
   * hour is past the cutoff, single jobs (by jid time) in the boundary bucket,
   * and empty buckets of past hours. Returns how many jobs were removed.
   */
  clean(keepSeconds: number, utc: boolean, nowMs: number, log: Logger): number {
    if (keepSeconds <= 0) return 0;
    const cutoff = nowMs - keepSeconds * 1000;
    let removed = 0;
    for (const bucket of listBuckets(this.root)) {
      const dir = path.join(this.root, bucket);
      const start = jidToDate(bucket.padEnd(20, '0'), utc).getTime();
      const end = start + HOUR_MS;
      if (end <= cutoff) {
        removed += jidsInBucket(this.root, bucket, LOAD_SUFFIX).length;
        fs.rmSync(dir, { recursive: true, force: true });
        this.forgetBucket(bucket);
        continue;
      }
      if (start < cutoff) {
        for (const name of bucketEntries(this.root, bucket)) {
          const jid = name.endsWith(LOAD_SUFFIX)
            ? name.slice(0, -LOAD_SUFFIX.length)
            : name.endsWith(RET_SUFFIX)
              ? name.slice(0, -RET_SUFFIX.length)
              : '';
          if (!isJid(jid) || jidToDate(jid, utc).getTime() >= cutoff) continue;
          fs.rmSync(path.join(dir, name), { force: true });
          this.seen.delete(jid);
          if (name.endsWith(LOAD_SUFFIX)) removed += 1;
        }
      }
      // Only past hours: the current hour's folder may be about to receive a prep_jid.
      if (end <= nowMs && bucketEntries(this.root, bucket).length === 0) {
        try {
          fs.rmdirSync(dir);
        } catch (err) {
          log.debug({ bucket, err: (err as Error).message }, 'could not remove empty job bucket');
        }
      }
    }
    return removed;
  }

  private forgetBucket(bucket: string): void {
    for (const jid of [...this.seen.keys()]) if (bucketOf(jid) === bucket) this.seen.delete(jid);
  }
}

// One store per jobs folder, so the duplicate memory survives between calls.
const STORES = new Map<string, LocalCacheStore>();
const MAX_STORES = 16;

export function storeFor(cachedir: string): LocalCacheStore {
  const root = path.resolve(cachedir, 'jobs');
  let store = STORES.get(root);
  if (!store) {
    store = new LocalCacheStore(root);
    STORES.set(root, store);
    if (STORES.size > MAX_STORES) {
      const oldest = STORES.keys().next().value;
      if (oldest !== undefined) STORES.delete(oldest);
    }
  }
  return store;
}
