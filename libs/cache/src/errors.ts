import { TsaltError } from '@tsalt/core';

/**
 * A minion data cache failure. Codes: `CACHE_BAD_ID` (an id that cannot
 * name a folder: empty, `.`/`..`, or holding `/` or NUL), `CACHE_READ` (a
 * `data.p` that is not msgpack of a dict).
 */
export class CacheError extends TsaltError {
  constructor(code: 'CACHE_BAD_ID' | 'CACHE_READ', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
