import { TsaltError } from '@tsalt/core';

/**
 * A wheel failure. Codes: `BAD_MATCH` (a key match that is neither a glob,
 * a list of globs nor, for the `*_dict` functions, a `{status: [ids]}` map),
 * `BAD_KEY_ID` (an id the key store refuses), `BAD_KEY_STATUS` (an unknown
 * status folder in a `*_dict` match).
 */
export class WheelError extends TsaltError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
