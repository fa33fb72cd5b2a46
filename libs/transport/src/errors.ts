import { TsaltError } from '@tsalt/core';

/**
 * Bytes that are not a valid tsalt/Salt message: garbage, not msgpack, wrong
 * envelope, or a message whose field `field` has the wrong type or value.
 */
export class BadMessageError extends TsaltError {
  /** The field that was wrong (Salt's name), when one field was. */
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(field ? `BAD_MESSAGE_FIELD` : 'BAD_MESSAGE', message);
    this.field = field;
  }
}

/** A message over `max_request_size`. */
export class MessageTooLargeError extends TsaltError {
  constructor(size: number, limit: number) {
    super('MESSAGE_TOO_LARGE', `message of ${size} bytes exceeds the limit of ${limit} bytes`);
  }
}

/** A peer's message that took longer than `max_decode_time` to decode. */
export class DecodeBudgetError extends TsaltError {
  constructor(budgetMs: number, decoded: number, size: number) {
    super('DECODE_BUDGET', `decode ran over its ${budgetMs} ms budget after ${decoded} of ${size} bytes`);
  }
}

/** No reply within the request timeout. */
export class RequestTimeoutError extends TsaltError {
  constructor(what: string, timeoutMs: number) {
    super('REQUEST_TIMEOUT', `no reply to ${what} within ${timeoutMs} ms`);
  }
}

/** The socket was closed while a request was waiting. */
export class SocketClosedError extends TsaltError {
  constructor() {
    super('SOCKET_CLOSED', 'socket closed');
  }
}

/** The master offered a key other than the one pinned in `minion_master.pub`: Salt's wording. */
export class MasterKeyChangedError extends TsaltError {
  constructor() {
    super(
      'MASTER_KEY_CHANGED',
      "The master key has changed, the salt master could have been subverted, verify salt master's public key",
    );
  }
}
