import fs from 'node:fs';
import { errorLine, type Logger } from '@tsalt/core';
import {
  checkId,
  dataFile,
  decodeData,
  dropMinionData,
  idOfEntry,
  minionsDir,
  removeData,
  writeData,
  type CachedMinionData,
} from './layout.js';

/** What `clear` drops: Salt's clear_grains / clear_pillar / clear_all. */
export type ClearWhat = 'grains' | 'pillar' | 'all';

export interface MinionDataCacheOptions {
  /** The master's `cachedir`: data lives under `<cachedir>/minions/<id>/data.p`. */
  cachedir: string;
  log?: Logger;
  /** Salt's `minion_data_cache`: false stores nothing and answers nothing. @default true */
  enabled?: boolean;
}

/** Changes seen by the watcher are read after this quiet time (ms), so a burst of writes is read once. */
const WATCH_SETTLE_MS = 50;

/** Which version of data.p the memory copy holds: inode, size and mtime. */
function stampOf(st: fs.Stats): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}

/**
 * The master's minion data cache (Salt's `salt.cache` with the `localfs`
 * driver, bank `minions/<id>`, key `data`): grains and pillar per minion.
 * Reads answer from memory, so targeting 10,000 minions does no disk I/O;
 * every change is written through to disk atomically, and the folder is
 * read back at start. Other processes (tsalt-run cache.clear_*, tsalt-key
 * -d) change the disk; `watch()` brings those changes into memory.
 *
 * Store and clear never reject: a disk failure is logged and the memory
 * copy still serves targeting, since the daemon must not die of it.
 */
export class MinionDataCache {
  readonly enabled: boolean;
  readonly cachedir: string;
  private readonly log: Logger | undefined;
  private readonly entries = new Map<string, { data: CachedMinionData; stamp?: string }>();
  /** The tail of each minion's write queue: writes of one minion land in order. */
  private readonly writes = new Map<string, Promise<void>>();
  private watcher: fs.FSWatcher | undefined;
  private readonly changed = new Set<string>();
  private settle: NodeJS.Timeout | undefined;

  constructor(o: MinionDataCacheOptions) {
    this.cachedir = o.cachedir;
    this.log = o.log;
    this.enabled = o.enabled ?? true;
    if (this.enabled) this.loadAll();
  }

  /** Reads every `<id>/data.p` under the cache folder into memory. */
  loadAll(): void {
    let names: string[];
    try {
      names = fs.readdirSync(minionsDir(this.cachedir));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log?.error({ err: errorLine(err) }, 'could not read the minion data cache');
      }
      return;
    }
    for (const name of names) if (!name.startsWith('.')) this.reload(name);
    this.log?.debug({ minions: this.entries.size }, 'loaded the minion data cache');
  }

  /** A minion's cached grains and pillar, or undefined when nothing is cached. Read-only. */
  get(id: string): CachedMinionData | undefined {
    return this.entries.get(id)?.data;
  }

  /** The ids with cached data, sorted. */
  ids(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** Salt's `_pillar` stores what the minion sent: its grains. */
  storeGrains(id: string, grains: Record<string, unknown>): Promise<void> {
    return this.update(id, (d) => ({ ...d, grains }));
  }

  /** The pillar compiled for that minion. */
  storePillar(id: string, pillar: Record<string, unknown>): Promise<void> {
    return this.update(id, (d) => ({ ...d, pillar }));
  }

  /** Both at once, as Salt's `_pillar` writes them. */
  store(id: string, data: CachedMinionData): Promise<void> {
    return this.update(id, (d) => ({ ...d, ...data }));
  }

  /**
   * Salt's `clear_cached_minion_data`: drops grains, pillar or both for one
   * minion, or for every cached one when `id` is undefined. When nothing is
   * left, data.p goes (the folder stays for the mine).
   */
  async clear(id: string | undefined, what: ClearWhat): Promise<void> {
    const ids = id === undefined ? this.ids() : [id];
    await Promise.all(
      ids.map((m) =>
        this.update(m, (d) => {
          const left: CachedMinionData = {};
          if (what === 'pillar' && d.grains) left.grains = d.grains;
          if (what === 'grains' && d.pillar) left.pillar = d.pillar;
          return left.grains || left.pillar ? left : undefined;
        }),
      ),
    );
  }

  /** Salt's `check_minion_cache` for a deleted key: the minion's whole folder goes. */
  async drop(id: string): Promise<void> {
    this.entries.delete(id);
    await this.enqueue(id, () => {
      dropMinionData(this.cachedir, id);
      return Promise.resolve();
    });
  }

  /** Follows changes other processes make on disk (tsalt-run cache.clear_*, tsalt-key -d). */
  watch(): void {
    if (!this.enabled || this.watcher) return;
    const dir = minionsDir(this.cachedir);
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.watcher = fs.watch(dir, (_ev, name) => {
        const id = typeof name === 'string' ? idOfEntry(name) : undefined;
        if (id === undefined) return;
        this.changed.add(id);
        this.settle ??= setTimeout(() => this.readChanged(), WATCH_SETTLE_MS);
      });
      this.watcher.on('error', (err) => this.log?.warn({ err: errorLine(err) }, 'minion data cache watch failed'));
    } catch (err) {
      this.log?.warn(
        { err: errorLine(err) },
        'cannot watch the minion data cache; other processes’ changes are seen at restart',
      );
    }
  }

  /** Stops watching and waits for queued writes. */
  async close(): Promise<void> {
    this.watcher?.close();
    this.watcher = undefined;
    clearTimeout(this.settle);
    this.settle = undefined;
    await Promise.all([...this.writes.values()]);
  }

  private readChanged(): void {
    this.settle = undefined;
    const ids = [...this.changed];
    this.changed.clear();
    // A minion with our own write in flight: the write's stamp decides; reading now could undo it.
    for (const id of ids) if (!this.writes.has(id)) this.reload(id);
  }

  /** Re-reads one minion's data.p if it changed on disk; forgets it when the file is gone. */
  private reload(id: string): void {
    let file: string;
    try {
      file = dataFile(this.cachedir, id);
    } catch {
      return;
    }
    try {
      const st = fs.statSync(file);
      const stamp = stampOf(st);
      if (this.entries.get(id)?.stamp === stamp) return;
      this.entries.set(id, { data: decodeData(fs.readFileSync(file), file), stamp });
    } catch (err) {
      this.entries.delete(id);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') {
        this.log?.warn({ minion: id, err: errorLine(err) }, 'skipped an unreadable minion data cache entry');
      }
    }
  }

  /** Applies `change` in memory now, then writes the result (or removes data.p when it answers undefined). */
  private update(id: string, change: (d: CachedMinionData) => CachedMinionData | undefined): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    try {
      checkId(id);
    } catch (err) {
      this.log?.warn({ err: errorLine(err) }, 'not caching minion data');
      return Promise.resolve();
    }
    const next = change(this.entries.get(id)?.data ?? {});
    if (next === undefined) this.entries.delete(id);
    else this.entries.set(id, { data: next });
    return this.enqueue(id, async () => {
      if (next === undefined) {
        await removeData(this.cachedir, id);
        return;
      }
      const st = await writeData(this.cachedir, id, next);
      const entry = this.entries.get(id);
      if (entry?.data === next) entry.stamp = stampOf(st);
    });
  }

  private enqueue(id: string, job: () => Promise<void>): Promise<void> {
    const prev = this.writes.get(id) ?? Promise.resolve();
    const run = prev
      .then(job)
      .catch((err: unknown) => this.log?.error({ minion: id, err: errorLine(err) }, 'minion data cache write failed'))
      .finally(() => {
        if (this.writes.get(id) === run) this.writes.delete(id);
      });
    this.writes.set(id, run);
    return run;
  }
}
