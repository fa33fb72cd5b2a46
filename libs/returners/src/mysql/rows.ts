import type { Pool, PoolConnection } from 'mysql2/promise';

/*
 * What the mysql returner spools: finished rows of Salt's three tables, the
 * JSON already rendered. No settings and no passwords ever go to disk.
 * Field names are short: every spooled row carries them.
 */
export type MysqlItem =
  | { t: 'load'; jid: string; load: string }
  | { t: 'ret'; fun: string; jid: string; ret: string; id: string; success: string; full: string }
  | { t: 'event'; tag: string; data: string; master: string };

interface TableSpec {
  head: string;
  tail: string;
  cols: number;
  values(item: MysqlItem): unknown[];
}

const TABLES: Record<MysqlItem['t'], TableSpec> = {
  // Salt ignores a duplicate jid (#22171); ON DUPLICATE KEY does that without INSERT IGNORE, which
  // would also silently truncate a too-long load instead of failing it.
  load: {
    head: 'INSERT INTO `jids` (`jid`, `load`) VALUES ',
    tail: ' ON DUPLICATE KEY UPDATE `jid` = `jid`',
    cols: 2,
    values: (i) => (i.t === 'load' ? [i.jid, i.load] : []),
  },
  ret: {
    head: 'INSERT INTO `salt_returns` (`fun`, `jid`, `return`, `id`, `success`, `full_ret`) VALUES ',
    tail: '',
    cols: 6,
    values: (i) => (i.t === 'ret' ? [i.fun, i.jid, i.ret, i.id, i.success, i.full] : []),
  },
  event: {
    head: 'INSERT INTO `salt_events` (`tag`, `data`, `master_id`) VALUES ',
    tail: '',
    cols: 3,
    values: (i) => (i.t === 'event' ? [i.tag, i.data, i.master] : []),
  },
};

// One INSERT stays well under max_allowed_packet (4 MiB on old MySQL, 16 MiB MariaDB, 64 MiB MySQL 8).
const STATEMENT_MAX_BYTES = 2 * 1024 * 1024;
// A write that hangs this long is abandoned and retried (ms).
const WRITE_TIMEOUT_MS = 60_000;

function itemBytes(item: MysqlItem): number {
  let n = 0;
  for (const v of Object.values(item)) n += typeof v === 'string' ? v.length : 8;
  return n;
}

/** Consecutive items of one table, cut so no statement grows past STATEMENT_MAX_BYTES. */
function statements(items: readonly MysqlItem[]): Array<{ spec: TableSpec; rows: MysqlItem[] }> {
  const out: Array<{ spec: TableSpec; rows: MysqlItem[]; bytes: number; t: string }> = [];
  for (const item of items) {
    const last = out[out.length - 1];
    const size = itemBytes(item);
    if (last && last.t === item.t && last.bytes + size <= STATEMENT_MAX_BYTES) {
      last.rows.push(item);
      last.bytes += size;
    } else {
      out.push({ spec: TABLES[item.t], rows: [item], bytes: size, t: item.t });
    }
  }
  return out;
}

// Connections whose session already runs in strict mode (the mysql2 core connection object).
const strict = new WeakSet<object>();

/**
 * Strict mode makes a too-long value an error (which the spool sets aside)
 * instead of a silent truncation of the JSON; most servers default to it.
 */
async function ensureStrict(conn: PoolConnection): Promise<void> {
  const core = (conn as unknown as { connection?: object }).connection ?? conn;
  if (strict.has(core)) return;
  await conn.query("SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_TRANS_TABLES')");
  strict.add(core);
}

/**
 * Writes one spooled batch in order, in one transaction, one multi-row
 * INSERT per run of same-table items: either all rows land or none do, so a
 * retry never doubles a row.
 */
export async function writeBatch(pool: Pool, items: readonly MysqlItem[]): Promise<void> {
  const conn = await pool.getConnection();
  let broken = false;
  try {
    await ensureStrict(conn);
    await conn.beginTransaction();
    for (const { spec, rows } of statements(items)) {
      const tuple = `(${Array(spec.cols).fill('?').join(', ')})`;
      const sql = spec.head + rows.map(() => tuple).join(', ') + spec.tail;
      await conn.query(
        { sql, timeout: WRITE_TIMEOUT_MS },
        rows.flatMap((r) => spec.values(r)),
      );
    }
    await conn.commit();
  } catch (err) {
    broken = (err as { fatal?: unknown }).fatal === true;
    if (!broken) await conn.rollback().catch(() => (broken = true));
    throw err;
  } finally {
    // A connection that failed mid-protocol is dropped, not handed to the next caller.
    if (broken) conn.destroy();
    else conn.release();
  }
}

/** Names a spooled row in a reject line: its table, jid and minion or tag. */
export function describeItem(item: MysqlItem): string {
  switch (item.t) {
    case 'ret':
      return `the return of jid ${item.jid} from minion ${item.id} (${item.fun})`;
    case 'load':
      return `the load of jid ${item.jid}`;
    case 'event':
      return `the event ${item.tag}`;
  }
}
