import { TsaltError } from '@tsalt/core';

/**
 * A returner or job-cache failure. Codes: `BAD_JID` (a jid failing `isJid`;
 * no path is ever built from one), `BAD_RETURN` (a return load without a
 * string `id`), `RETURNER_MISSING` (the named returner is not loaded, or
 * lacks a job-cache function), `MYSQL_UNAVAILABLE` (no server to talk to), `MYSQL_ERROR`
 * (the server refused: credentials, missing table...), `MYSQL_SSL` (an
 * unreadable mysql.ssl_* file), `NO_CACHEDIR`. The spool's own failures
 * (`SPOOL_LOCKED`, `SPOOL_CLOSED`, `SPOOL_WRITE`) are `SpoolError`s from @tsalt/spool.
 */
export class ReturnerError extends TsaltError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
