import fs from 'node:fs';
import { errorLine, type Logger } from '@tsalt/core';
import {
  checkId,
  dataFile,
  decodeData,
  decodeMine,
  dropMinionData,
  idOfEntry,
  minionsDir,
  removeData,
  writeData,
  writeKey,
  type CachedMinionData,
} from './layout.js';
import { encode } from '@msgpack/msgpack';

/** What `clear` drops: Salt's clear_grains / clear_pillar / clear_mine / clear_all (all three). */
export type ClearWhat = 'grains' | 'pillar' | 'mine' | 'all';

export interface MinionDataCacheOptions {
  /** The master's `cachedir`: data lives under `<cachedir>/minions/<id>/data.p`. */
  cachedir: string;
  log?: Logger;
  /** Salt's `minion_data_cache`: false stores nothing and answers nothing. @default true */
  enabled?: boolean;
  /** Whether the mine is kept: Salt's `minion_data_cache or enforce_mine_cache`. @default enabled */
  mine?: boolean;
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
  /** The mine (`mine.p`) is kept, even with `minion_data_cache: False` when `enforce_mine_cache` is set. */
  readonly mineEnabled: boolean;
  readonly cachedir: string;
  private readonly log: Logger | undefined;
  private readonly entries = new Map<string, { data: CachedMinionData; stamp?: string }>();
  private readonly mines = new Map<string, { data: Record<string, unknown>; stamp?: string }>();
  /** The tail of each minion's write queue: writes of one minion land in order. */
  private readonly writes = new Map<string, Promise<void>>();
  private watcher: fs.FSWatcher | undefined;
  private readonly changed = new Set<string>();
  private settle: NodeJS.Timeout | undefined;

  constructor(o: MinionDataCacheOptions) {
    this.cachedir = o.cachedir;
    this.log = o.log;
    this.enabled = o.enabled ?? true;
    this.mineEnabled = o.mine ?? this.enabled;
    if (this.enabled || this.mineEnabled) this.loadAll();
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
    this.log?.debug({ minions: this.entries.size, mines: this.mines.size }, 'loaded the minion data cache');
  }

  /** A minion's cached grains and pillar, or undefined when nothing is cached. Read-only. */
  get(id: string): CachedMinionData | undefined {
    return this.entries.get(id)?.data;
  }

  /** The ids with cached data, sorted. */
  ids(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** A minion's mine (function name to data), or undefined when it has none. Read-only. */
  getMine(id: string): Readonly<Record<string, unknown>> | undefined {
    return this.mines.get(id)?.data;
  }

  /** The ids with a cached mine, sorted. */
  mineIds(): string[] {
    return [...this.mines.keys()].sort();
  }

  /** Salt's `_mine`: merges `data` into the minion's mine, or replaces the mine with it when `clear`. */
  storeMine(id: string, data: Record<string, unknown>, clear = false): Promise<void> {
    return this.updateMine(id, (m) => (clear ? { ...data } : { ...m, ...data }));
  }

  /** Salt's `_mine_delete`: drops one function from the minion's mine. */
  deleteMine(id: string, fun: string): Promise<void> {
    return this.updateMine(id, (m) => {
      if (!(fun in m)) return m;
      const { [fun]: _gone, ...rest } = m;
      return rest;
    });
  }

  /** Salt's `_mine_flush`: the minion's whole mine goes (mine.p is removed); false when it had none. */
  async flushMine(id: string): Promise<boolean> {
    const had = this.mines.has(id);
    await this.updateMine(id, () => undefined);
    return had;
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
    if (what === 'mine' || what === 'all') {
      await Promise.all((id === undefined ? this.mineIds() : [id]).map((m) => this.updateMine(m, () => undefined)));
      if (what === 'mine') return;
    }
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
    this.mines.delete(id);
    await this.enqueue(id, () => {
      dropMinionData(this.cachedir, id);
      return Promise.resolve();
    });
  }

  /** Follows changes other processes make on disk (tsalt-run cache.clear_*, tsalt-key -d). */
  watch(): void {
    if (!(this.enabled || this.mineEnabled) || this.watcher) return;
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

  /** Re-reads one minion's data.p and mine.p if they changed on disk; forgets each whose file is gone. */
  private reload(id: string): void {
    try {
      if (this.enabled) this.reloadKey(id, this.entries, dataFile(this.cachedir, id), decodeData);
      if (this.mineEnabled) this.reloadKey(id, this.mines, dataFile(this.cachedir, id, 'mine'), decodeMine);
    } catch {
      // an id that cannot name a folder: not ours
    }
  }

  private reloadKey<T>(
    id: string,
    into: Map<string, { data: T; stamp?: string }>,
    file: string,
    decodeFile: (buf: Uint8Array, file: string) => T,
  ): void {
    try {
      const st = fs.statSync(file);
      const stamp = stampOf(st);
      if (into.get(id)?.stamp === stamp) return;
      into.set(id, { data: decodeFile(fs.readFileSync(file), file), stamp });
    } catch (err) {
      into.delete(id);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') {
        this.log?.warn({ minion: id, err: errorLine(err), file }, 'skipped an unreadable minion data cache entry');
      }
    }
  }

  /** As `update`, for mine.p. */
  private updateMine(
    id: string,
    change: (m: Record<string, unknown>) => Record<string, unknown> | undefined,
  ): Promise<void> {
    if (!this.mineEnabled) return Promise.resolve();
    try {
      checkId(id);
    } catch (err) {
      this.log?.warn({ err: errorLine(err) }, 'not caching mine data');
      return Promise.resolve();
    }
    const next = change(this.mines.get(id)?.data ?? {});
    if (next === undefined) this.mines.delete(id);
    else this.mines.set(id, { data: next });
    return this.enqueue(id, async () => {
      if (next === undefined) {
        await removeData(this.cachedir, id, 'mine');
        return;
      }
      const st = await writeKey(this.cachedir, id, 'mine', encode(next));
      const entry = this.mines.get(id);
      if (entry?.data === next) entry.stamp = stampOf(st);
    });
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
