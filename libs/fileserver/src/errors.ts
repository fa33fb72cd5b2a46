import { TsaltError } from '@tsalt/core';

/** A salt:// path the file server will not look up: absolute, `..`, a NUL byte, or out of the roots. */
export class UnsafePathError extends TsaltError {
  constructor(message: string) {
    super('FILESERVER_UNSAFE_PATH', message);
  }
}
