import { TsaltError } from '@tsalt/core';

/*
 * One class per way a local client can fail. CLIs map `code` to Salt's exit
 * status and print `message` as their one line.
 */

/** `<cachedir>/.root_key` is missing or unreadable: not the master's user, or no master ran here. */
export class RootKeyUnreadableError extends TsaltError {
  constructor(
    readonly file: string,
    why: string,
    options?: { cause?: unknown },
  ) {
    super(
      'ROOT_KEY_UNREADABLE',
      `Unable to read the root key ${file}: ${why}. Run tsalt as the master's user.`,
      options,
    );
  }
}

/** The master did not answer the publish request in time. */
export class MasterTimeoutError extends TsaltError {
  constructor(options?: { cause?: unknown }) {
    super('MASTER_TIMEOUT', 'Salt request timed out. The master is not responding.', options);
  }
}

/** The master refused the root key (Salt's AuthenticationError). */
export class AuthFailedError extends TsaltError {
  constructor(masterMessage: string) {
    super('AUTH_FAILED', `Authentication error occurred: ${masterMessage}`);
  }
}

/** The master refused the publish for another reason (bad target, no function...): its message as is. */
export class PublishRefusedError extends TsaltError {
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super('PUBLISH_REFUSED', message);
  }
}

/** The master event bus is not reachable, so returns could not be gathered. */
export class BusUnreachableError extends TsaltError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BUS_UNAVAILABLE', message, options);
  }
}

/** The master answered with something that is not a publish reply. */
export class BadReplyError extends TsaltError {
  constructor(message: string) {
    super('BAD_REPLY', message);
  }
}

/** The client was closed while a call was waiting on it. */
export class ClientClosedError extends TsaltError {
  constructor() {
    super('CLIENT_CLOSED', 'the local client was closed');
  }
}

/** Every code above, for `err.code` checks without importing each class. */
export const CLIENT_ERROR_CODES = [
  'ROOT_KEY_UNREADABLE',
  'MASTER_TIMEOUT',
  'AUTH_FAILED',
  'PUBLISH_REFUSED',
  'BUS_UNAVAILABLE',
  'BAD_REPLY',
  'CLIENT_CLOSED',
] as const;
