/**
 * @tsalt/cache: the master's minion data cache (Salt's `localfs` cache,
 * `<cachedir>/minions/<id>/data.p`), read by targeting and `cache.*` runners.
 *
 *   const cache = new MinionDataCache({ cachedir: opts.cachedir, log, enabled: opts.minion_data_cache });
 *   await cache.storeGrains('web1', grains);
 *   cache.get('web1')?.grains;            // from memory
 *   cache.watch();                        // follow tsalt-run cache.clear_* and tsalt-key -d
 */
export { MinionDataCache, type MinionDataCacheOptions, type ClearWhat } from './minion-data-cache.js';
export {
  dropMinionData,
  dataFile,
  minionsDir,
  encodeData,
  decodeData,
  decodeMine,
  type BankKey,
  type CachedMinionData,
} from './layout.js';
export { CacheError } from './errors.js';
