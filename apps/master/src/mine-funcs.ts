import { errorLine, isRecord, type Logger } from '@tsalt/core';
import type { CachedMinionData } from '@tsalt/cache';
import type { MasterConfig } from '@tsalt/config';
import { checkMinions, type MinionData } from '@tsalt/targeting';
import type { MineGetRequest, MineRequest } from '@tsalt/transport';

/** Salt's marks of a mine entry that carries a minion-side ACL (salt.utils.mine). */
const ACL_ID = '__saltmine_acl__';
const ACL_DATA = '__data__';

/** The part of the minion data cache the mine uses (libs/cache MinionDataCache). */
export interface MineStore {
  get(id: string): CachedMinionData | undefined;
  getMine(id: string): Readonly<Record<string, unknown>> | undefined;
  storeMine(id: string, data: Record<string, unknown>, clear?: boolean): Promise<void>;
  deleteMine(id: string, fun: string): Promise<void>;
  flushMine(id: string): Promise<boolean>;
}

export interface MineDeps {
  opts: MasterConfig;
  /** The accepted minion ids, which `_mine_get` targets match against. */
  accepted(): readonly string[];
  /** Absent with `minion_data_cache: False` and no `enforce_mine_cache`: requests are answered, nothing kept. */
  mine?: MineStore;
  log: Logger;
}

/**
 * Salt's AESFuncs mine requests (masterapi RemoteFuncs `_mine*`), from
 * minion `id` (its token already checked): a minion writes only its own
 * mine; `_mine_get` reads the targeted minions' mines through the master's
 * `mine_get` ACL and each entry's `allow_tgt`.
 */
export async function serveMine(req: MineRequest, id: string, d: MineDeps): Promise<unknown> {
  switch (req.cmd) {
    case '_mine':
      await d.mine?.storeMine(id, req.data, req.clear);
      return true;
    case '_mine_delete':
      await d.mine?.deleteMine(id, req.fun);
      return true;
    case '_mine_flush':
      // Salt answers what the cache's flush answers: False when there was no mine.
      return d.mine ? d.mine.flushMine(id) : true;
    case '_mine_get':
      return d.mine ? mineGet(req, id, d.mine, d) : {};
  }
}

/** Python's `re.match`: the pattern anchored at the start only; an invalid one matches nothing. */
function reMatch(pattern: string, text: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})`).test(text);
  } catch {
    return false;
  }
}

/**
 * The master's `mine_get: {minion_regex: [function_regex, ...]}`: the
 * functions `id` may read; all of them when the key is unset, none when it
 * is not a mapping.
 */
export function mineGetAllowed(aclConf: unknown, id: string, funs: readonly string[]): string[] {
  if (aclConf === undefined || aclConf === null) return [...funs];
  if (!isRecord(aclConf)) return [];
  const perms = new Set<string>();
  for (const [match, list] of Object.entries(aclConf)) {
    if (reMatch(match, id) && Array.isArray(list)) for (const p of list) if (typeof p === 'string') perms.add(p);
  }
  return funs.filter((f) => [...perms].some((p) => reMatch(p, f)));
}

function mineGet(req: MineGetRequest, id: string, store: MineStore, d: MineDeps): Record<string, unknown> {
  const allowed = mineGetAllowed(d.opts.mine_get, id, req.funs);
  if (allowed.length === 0) return {};
  // Salt matches pillar exactly here (pillar_exact, compound_pillar_exact), globbing disabled.
  const asked = req.tgtType.toLowerCase();
  const tgtType = asked === 'pillar' ? 'pillar_exact' : asked === 'compound' ? 'compound_pillar_exact' : asked;
  const accepted = d.accepted();
  const nodegroups = isRecord(d.opts.nodegroups) ? (d.opts.nodegroups as Record<string, string | string[]>) : {};
  const data = (m: string): MinionData | undefined => {
    const c = store.get(m);
    return c ? { id: m, ...c } : undefined;
  };
  const targeted = (tgt: unknown, type: unknown, greedy: boolean): string[] => {
    try {
      const t = typeof type === 'string' && type ? type : 'glob';
      return checkMinions(tgt as string | string[], t, accepted, { nodegroups, data, greedy }).minions;
    } catch (err) {
      d.log.warn({ minion: id, err: errorLine(err) }, '_mine_get: bad target');
      return [];
    }
  };
  const ret: Record<string, unknown> = {};
  for (const minion of targeted(req.tgt, tgtType, false)) {
    const mine = store.getMine(minion);
    if (!mine) continue;
    for (const fun of allowed) {
      if (!(fun in mine)) continue;
      const entry = mine[fun];
      let value = entry;
      if (isRecord(entry) && ACL_ID in entry) {
        value = entry[ACL_DATA];
        // The minion-side ACL: only the minions allow_tgt matches (greedy, as Salt's check_minions) may read it.
        if (entry['allow_tgt'] !== undefined && entry['allow_tgt'] !== null) {
          const readers = targeted(entry['allow_tgt'], entry['allow_tgt_type'], true);
          if (!readers.includes(id)) {
            d.log.debug({ minion: id, fun, owner: minion }, 'Salt mine request denied by allow_tgt');
            continue;
          }
        }
      }
      if (req.byFunction) ((ret[fun] ??= {}) as Record<string, unknown>)[minion] = value;
      else ret[minion] = value;
    }
  }
  return ret;
}
