import { TsaltError } from '@tsalt/core';

/** An event over `max_event_size`, refused rather than trimmed. */
export class EventTooLargeError extends TsaltError {
  constructor(tag: string, size: number, limit: number) {
    super('EVENT_TOO_LARGE', `event ${tag} is ${size} bytes, over max_event_size ${limit}`);
  }
}

/** Bytes on the bus that are not `tag\n\nmsgpack`. */
export class BadEventError extends TsaltError {
  constructor(message: string) {
    super('BAD_EVENT', message);
  }
}

/**
 * The bus did not answer in time: nothing listens in sock_dir (the master
 * is not running, or sock_dir is wrong), or the master is up but too busy.
 */
export class BusUnavailableError extends TsaltError {
  constructor(sockDir: string, busyMs?: number) {
    super(
      'BUS_UNAVAILABLE',
      busyMs === undefined
        ? `cannot reach the master event bus in ${sockDir}: is tsalt-master running?`
        : `the master event bus in ${sockDir} did not answer within ${busyMs} ms: tsalt-master is running but busy`,
    );
  }
}
