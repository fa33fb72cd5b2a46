import { TsaltError } from '@tsalt/core';

/**
 * A job-id or proc-file failure. Codes: `BAD_JID` (a value that fails
 * `isJid` where a jid is required; we never build a path from one).
 */
export class JobError extends TsaltError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
