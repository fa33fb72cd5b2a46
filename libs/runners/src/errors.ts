import { TsaltError } from '@tsalt/core';

/**
 * A runner failure. Codes: `JOB_CACHE_MISSING` (no job cache injected, or not
 * the one asked for), `BAD_DATE` (a start/end time we cannot read), `BAD_JID`
 * (a jid that is not a string: a 20-digit number has already lost digits).
 */
export class RunnerError extends TsaltError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
