import { TsaltError } from '@tsalt/core';

/**
 * A runner failure. Codes: `JOB_CACHE_MISSING` (no job cache injected, or not
 * the one asked for), `BAD_DATE` (a start/end time we cannot read), `BAD_JID`
 * (not a jid, or a number: a 20-digit number has already lost digits),
 * `LOCAL_CLIENT_MISSING` (a runner that publishes got no `services.local`),
 * `CACHE_MISSING` (cache.* got no `services.minionData`).
 */
export class RunnerError extends TsaltError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
