import { TsaltError } from '@tsalt/core';

/**
 * A schedule entry that cannot be evaluated. Codes: `BAD_ENTRY` (an entry
 * whose timing fields are wrong: a bad interval, an unparsable date or cron
 * string, conflicting options). The scheduler logs it with the entry's name
 * and skips that entry; the others keep running.
 */
export class ScheduleError extends TsaltError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
