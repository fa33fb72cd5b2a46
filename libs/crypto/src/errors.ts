import { TsaltError } from '@tsalt/core';

/** A MAC mismatch or bad padding: the payload was not made with our session key. */
export class DecryptError extends TsaltError {
  constructor(message = 'payload failed to decrypt or authenticate') {
    super('DECRYPT_FAILED', message);
  }
}

/** A key file that cannot be read, parsed or written. */
export class KeyError extends TsaltError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KEY_INVALID', message, options);
  }
}

/** A signature that does not verify. */
export class SignatureError extends TsaltError {
  constructor(message: string) {
    super('BAD_SIGNATURE', message);
  }
}
