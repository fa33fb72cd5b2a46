import { TsaltError } from '@tsalt/core';

/**
 * A job process failure. Codes: `JOB_PROCESS_START_FAILED` (a job process
 * could not be forked, did not load its modules in time, or exited before
 * taking its job). The job then returns retcode 1 with the message.
 */
export class JobProcessError extends TsaltError {
  constructor(code: 'JOB_PROCESS_START_FAILED', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
