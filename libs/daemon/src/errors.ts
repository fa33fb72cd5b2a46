import { TsaltError } from '@tsalt/core';

export type DaemonErrorCode = 'DAEMON_CONFIG' | 'DAEMON_START';

/**
 * A daemon that cannot run. Codes: `DAEMON_CONFIG` (the config did not load
 * or validate; exit 2), `DAEMON_START` (start() failed; exit 1).
 */
export class DaemonError extends TsaltError {
  declare readonly code: DaemonErrorCode;
  constructor(code: DaemonErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The exit status for each DaemonError code. */
export const DAEMON_EXIT_CODES: Record<DaemonErrorCode, number> = { DAEMON_CONFIG: 2, DAEMON_START: 1 };
