/**
 * @tsalt/returners: Salt's returner interface, and `local_cache`, the default
 * master job cache. Returners are loader plugins; the master uses one of them
 * as its job cache through the typed `JobCache` facade.
 *
 *   const reg = new Registry({ kind: 'returner', opts, log }, returnerPlugins());
 *   const cache = jobCacheFrom(reg, opts.master_job_cache ?? 'local_cache');
 *   const jid = await cache.prepJid();
 *   await cache.saveLoad(jid, load, minions);
 *
 * For returners writing to an external store: `returnerOptions` resolves
 * their `<name>.*` settings as Salt does, and `Spool` (@tsalt/spool) queues
 * writes on disk so an outage of the store loses nothing (docs/mysql.md).
 * Test helpers (the job cache contract, a recording logger) are in
 * `@tsalt/returners/testing`.
 *
 *   const o = returnerOptions(ctx.opts, 'redis', { host: 'salt', port: 6379 }, ret);
 *   const spool = new Spool<Row>({ dir, log, write: (rows) => store(rows) });
 *   spool.push(row);
 */
import localCache from './plugins/local_cache.js';
import mysql from './plugins/mysql.js';
import redis from './plugins/redis.js';
import syslog from './plugins/syslog.js';
import rawfileJson from './plugins/rawfile_json.js';
import local from './plugins/local.js';
import type { ReturnerPlugin } from './context.js';

export type { ReturnLoad, JidSummary, JidResult, JobCache } from './types.js';
export { jobCacheFrom } from './job-cache.js';
export { formatJidInstance } from './format.js';
export type { CheckMinions, ReturnerConfig, ReturnerContext, ReturnerPlugin, ReturnerServices } from './context.js';
export { ReturnerError } from './errors.js';
export {
  returnerOptions,
  optionString,
  optionInt,
  type ReturnerOptionsSource,
  type ResolvedOptions,
} from './options.js';
export { pyJsonDumps } from './mysql/py-json.js';
export { mysqlSettings, type MysqlSettings } from './mysql/connection.js';

/** Every returner shipped here, as a static list (no directory scan at startup). */
export function returnerPlugins(): ReturnerPlugin[] {
  return [localCache, mysql, redis, syslog, rawfileJson, local];
}
