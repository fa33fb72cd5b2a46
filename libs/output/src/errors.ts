import { TsaltError } from '@tsalt/core';

/**
 * Output failures. Codes: `UNKNOWN_OUTPUTTER` (no outputter by that name).
 * Constructed as `new OutputError(code, message)`, like TsaltError.
 */
export class OutputError extends TsaltError {}

export function unknownOutputter(name: string, known: readonly string[]): OutputError {
  return new OutputError('UNKNOWN_OUTPUTTER', `Unknown outputter '${name}' (available: ${known.join(', ')})`);
}
