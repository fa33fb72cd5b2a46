import { TsaltError } from '@tsalt/core';

/** Bytes that are not a valid tsalt/Salt message: garbage, not msgpack, wrong envelope. */
export class BadMessageError extends TsaltError {
  constructor(message: string) {
    super('BAD_MESSAGE', message);
  }
}

/** A message over `max_request_size`. */
export class MessageTooLargeError extends TsaltError {
  constructor(size: number, limit: number) {
    super('MESSAGE_TOO_LARGE', `message of ${size} bytes exceeds the limit of ${limit} bytes`);
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
