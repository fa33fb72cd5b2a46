import { TsaltError } from '@tsalt/core';

/**
 * A spool failure. Codes: `SPOOL_LOCKED` (another Spool, in this process or
 * a live other one, owns the folder), `SPOOL_CLOSED` (push after close),
 * `SPOOL_WRITE` (the disk append failed).
 */
export class SpoolError extends TsaltError {
  constructor(code: 'SPOOL_LOCKED' | 'SPOOL_CLOSED' | 'SPOOL_WRITE', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
