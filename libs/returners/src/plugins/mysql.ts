import { pyStr } from '@tsalt/core';
import { definePlugin } from '@tsalt/loader';
import { genJid, jidFromDate } from '@tsalt/job';
import { formatJidInstance, isRecord } from '../format.js';
import type { ReturnerConfig, ReturnerContext as PluginContext, ReturnerServices } from '../context.js';
import { ReturnerError } from '../errors.js';
import { checkJid } from '../local-cache/store.js';
import { pyJsonDumps } from '../mysql/py-json.js';
import type { MysqlItem } from '../mysql/rows.js';
import { mysqlQuery, mysqlState, mysqlTransaction, shutdownMysql, spoolRows } from '../mysql/state.js';

/*
 * mysql: Salt's MySQL returner and master job cache, over Salt's tables
 * (libs/returners/schema/mysql.sql; docs/mysql.md). Writes (returns, loads,
 * events) go through a durable spool and return at once; reads query MySQL.
 * Docstrings name config keys only: sys.doc must never show a credential.
 */

// Keys inside --return_kwargs / a load's ret_kwargs that must not be stored in the tables.
const SECRET_KEY = /pass|secret|token|key/i;

/** A copy of a load or return with credential-like ret_kwargs values masked. */
function redacted(load: Record<string, unknown>): Record<string, unknown> {
  const kw = load['ret_kwargs'];
  if (!isRecord(kw)) return load;
  const masked = Object.fromEntries(Object.entries(kw).map(([k, v]) => [k, SECRET_KEY.test(k) ? '******' : v]));
  return { ...load, ret_kwargs: masked };
}

function jidOpts(ctx: PluginContext): { utc_jid: boolean; unique_jid: boolean } {
  return { utc_jid: ctx.opts.utc_jid === true, unique_jid: ctx.opts.unique_jid === true };
}

function parse(text: unknown): unknown {
  try {
    return JSON.parse(String(text));
  } catch {
    return text;
  }
}

function state(ctx: PluginContext, ret?: Record<string, unknown>): ReturnType<typeof mysqlState> {
  return mysqlState(ctx.opts, ctx.log, ret);
}

function loadItem(jid: string, load: Record<string, unknown>): MysqlItem {
  return { t: 'load', jid, load: pyJsonDumps(redacted(load)) };
}

const CONFIG_DOC = `Config keys (minion or master config; with --return_config alt, alt.mysql.* first):
    mysql.host, mysql.port, mysql.user, mysql.pass, mysql.db,
    mysql.ssl_ca, mysql.ssl_cert, mysql.ssl_key, mysql.batch_max`;

export default definePlugin<ReturnerConfig, ReturnerServices>({
  name: 'mysql',
  doc: `Return data to a MySQL (or MariaDB) server, in Salt's tables jids, salt_returns and salt_events.
Writes are spooled on disk and sent in order, batched, once the server answers; nothing is lost while it is down.

${CONFIG_DOC}`,
  functions: {
    returner: {
      doc: `Store one minion return as a salt_returns row (fun, jid, return, id, success, full_ret).
A 'req' jid (salt-call) first gets a new jid and a jids row. Returns at once: the row is spooled.

${CONFIG_DOC}`,
      params: ['ret'],
      fn(ctx, { ret }) {
        if (!isRecord(ret) || typeof ret['id'] !== 'string' || ret['id'] === '') {
          throw new ReturnerError('BAD_RETURN', 'A return load needs a string id');
        }
        const items: MysqlItem[] = [];
        let jid: string;
        if (ret['jid'] === 'req') {
          jid = genJid(jidOpts(ctx));
          items.push(loadItem(jid, { ...ret, jid }));
        } else {
          jid = checkJid(ret['jid']);
        }
        const full = redacted({ ...ret, jid });
        items.push({
          t: 'ret',
          fun: pyStr(ret['fun'] ?? ''),
          jid,
          ret: pyJsonDumps(ret['return']),
          id: ret['id'],
          // Salt inserts the Python bool; MySQL stores it as '1' / '0'.
          success: ret['success'] ? '1' : '0',
          full: pyJsonDumps(full),
        });
        spoolRows(state(ctx, ret), items);
      },
    },
    save_load: {
      doc: 'Save the publish load of a job as a jids row. A jid already stored is left as it is.',
      params: ['jid', 'load', { name: 'minions', default: null }],
      fn(ctx, { jid, load }) {
        const j = checkJid(jid);
        if (!isRecord(load)) throw new ReturnerError('BAD_LOAD', 'The job load must be a mapping');
        spoolRows(state(ctx), [loadItem(j, load)]);
      },
    },
    save_minions: {
      doc: 'Included for API consistency: like Salt, the mysql job cache does not store minion lists.',
      params: ['jid', 'minions', { name: 'syndic_id', default: null }],
      fn: () => undefined,
    },
    prep_jid: {
      doc: 'Return passed_jid, or a new jid. Nothing is reserved in the database, so a publish never waits for it.',
      params: [
        { name: 'nocache', default: false },
        { name: 'passed_jid', default: null },
      ],
      fn(ctx, { passed_jid }) {
        if (passed_jid !== null && passed_jid !== undefined && passed_jid !== '') return checkJid(passed_jid);
        return genJid(jidOpts(ctx));
      },
    },
    get_load: {
      doc: 'Return the load of a job from jids, or {} (no Minions: the mysql job cache does not keep them).',
      params: ['jid'],
      async fn(ctx, { jid }) {
        const j = checkJid(jid);
        const rows = await mysqlQuery<{ load: string }>(state(ctx), 'SELECT `load` FROM `jids` WHERE `jid` = ?', [j]);
        const load = rows[0] ? parse(rows[0].load) : {};
        return isRecord(load) ? load : {};
      },
    },
    get_jid: {
      doc: 'Return {minion: full return} for a job, from salt_returns. A repeated return from a minion is ignored.',
      params: ['jid'],
      async fn(ctx, { jid }) {
        const j = checkJid(jid);
        const rows = await mysqlQuery<{ id: string; full_ret: string }>(
          state(ctx),
          'SELECT `id`, `full_ret` FROM `salt_returns` WHERE `jid` = ?',
          [j],
        );
        const out: Record<string, unknown> = {};
        // Rows come back in insertion order (InnoDB's index on jid): the first return of a minion wins,
        // as in local_cache, so a replayed return cannot replace it.
        for (const r of rows) if (!(r.id in out)) out[r.id] = parse(r.full_ret);
        return out;
      },
    },
    get_fun: {
      doc: 'Return {minion: newest full return of fun}, from salt_returns.',
      params: ['fun'],
      async fn(ctx, { fun }) {
        if (typeof fun !== 'string') throw new ReturnerError('BAD_FUN', 'fun must be a function name');
        const rows = await mysqlQuery<{ id: string; full_ret: string }>(
          state(ctx),
          `
          SELECT s.id, s.full_ret FROM salt_returns s
          JOIN (SELECT id, MAX(jid) AS jid FROM salt_returns WHERE fun = ? GROUP BY id) newest
            ON s.id = newest.id AND s.jid = newest.jid
          WHERE s.fun = ?`,
          [fun, fun],
        );
        const out: Record<string, unknown> = {};
        for (const r of rows) if (!(r.id in out)) out[r.id] = parse(r.full_ret);
        return out;
      },
    },
    get_jids: {
      doc: 'Return {jid: {Function, Arguments, Target, Target-type, User, StartTime[, Metadata]}} for every job in jids.',
      async fn(ctx) {
        const rows = await mysqlQuery<{ jid: string; load: string }>(
          state(ctx),
          'SELECT `jid`, `load` FROM `jids` ORDER BY `jid`',
        );
        const out: Record<string, unknown> = {};
        for (const r of rows) {
          const load = parse(r.load);
          out[r.jid] = formatJidInstance(r.jid, isRecord(load) ? load : {});
        }
        return out;
      },
    },
    get_jids_filter: {
      doc: 'Return a list of the newest count jobs (with JID), skipping saltutil.find_job unless filter_find_job is False.',
      params: ['count', { name: 'filter_find_job', default: true }],
      async fn(ctx, { count, filter_find_job }) {
        const n = Number(count);
        if (!Number.isFinite(n)) throw new ReturnerError('BAD_COUNT', 'count must be a number');
        // The LIKE pattern is Salt's: loads are stored as Python writes JSON ('"fun": "..."').
        const where = filter_find_job === false ? '' : 'WHERE `load` NOT LIKE \'%"fun": "saltutil.find_job"%\'';
        const rows = await mysqlQuery<{ jid: string; load: string }>(
          state(ctx),
          `
          SELECT * FROM (SELECT \`jid\`, \`load\` FROM \`jids\` ${where} ORDER BY \`jid\` DESC LIMIT ?) tmp
          ORDER BY \`jid\``,
          [Math.max(0, Math.floor(n))],
        );
        return rows.map((r) => {
          const load = parse(r.load);
          return { ...formatJidInstance(r.jid, isRecord(load) ? load : {}), JID: r.jid };
        });
      },
    },
    get_minions: {
      doc: 'Return the ids of every minion with a row in salt_returns.',
      async fn(ctx) {
        const rows = await mysqlQuery<{ id: string }>(
          state(ctx),
          'SELECT DISTINCT `id` FROM `salt_returns` ORDER BY `id`',
        );
        return rows.map((r) => r.id);
      },
    },
    clean_old_jobs: {
      doc: `Delete jobs older than keep_jobs_seconds (or an edited keep_jobs, in hours) from jids and salt_returns,
by the time in their jid, and older events from salt_events. 0 keeps everything. With archive_jobs: True,
rows are first copied to jids_archive, salt_returns_archive and salt_events_archive.`,
      async fn(ctx) {
        const keep = ctx.opts.keep_jobs_ms / 1000; // s, as the SQL below compares
        if (keep <= 0) return;
        const st = state(ctx);
        // Rows still spooled are written first, so none lands after the purge that should be in it.
        await st.spool.drain(3000);
        // Jids are fixed-width times, so comparing text compares times; back-dated jobs purge correctly.
        const cutoff = jidFromDate(new Date(Date.now() - keep * 1000), jidOpts(ctx));
        const isOld = "`jid` < ? AND `jid` REGEXP '^[0-9]{20}'";
        const stmts: Array<[string, unknown[]]> = [];
        if (ctx.opts.archive_jobs === true) {
          for (const t of ['jids', 'salt_returns', 'salt_events'])
            stmts.push([`CREATE TABLE IF NOT EXISTS \`${t}_archive\` LIKE \`${t}\``, []]);
          stmts.push(
            [`INSERT IGNORE INTO \`jids_archive\` SELECT * FROM \`jids\` WHERE ${isOld}`, [cutoff]],
            [`INSERT INTO \`salt_returns_archive\` SELECT * FROM \`salt_returns\` WHERE ${isOld}`, [cutoff]],
            [
              'INSERT IGNORE INTO `salt_events_archive` SELECT * FROM `salt_events` WHERE `alter_time` < NOW() - INTERVAL ? SECOND',
              [keep],
            ],
          );
        }
        stmts.push(
          [`DELETE FROM \`jids\` WHERE ${isOld}`, [cutoff]],
          [`DELETE FROM \`salt_returns\` WHERE ${isOld}`, [cutoff]],
          ['DELETE FROM `salt_events` WHERE `alter_time` < NOW() - INTERVAL ? SECOND', [keep]],
        );
        // CREATE TABLE commits implicitly; the copies and deletes after it share one transaction.
        await mysqlTransaction(st, stmts);
      },
    },
    event_return: {
      doc: 'Store master events ({tag, data} each) as salt_events rows with master_id = the master id.',
      params: ['events'],
      fn(ctx, { events }) {
        const list = Array.isArray(events) ? events : [events];
        const master = typeof ctx.opts.id === 'string' ? ctx.opts.id : '';
        const items: MysqlItem[] = [];
        for (const e of list) {
          if (!isRecord(e)) continue;
          items.push({ t: 'event', tag: pyStr(e['tag'] ?? ''), data: pyJsonDumps(e['data'] ?? ''), master });
        }
        if (items.length) spoolRows(state(ctx), items);
      },
    },
  },
  shutdown: (ctx) => shutdownMysql(ctx.opts),
});
