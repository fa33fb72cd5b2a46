import { TsaltError } from '@tsalt/core';

/**
 * A target that cannot be evaluated: unknown type, invalid regex or IP,
 * malformed compound expression, unknown nodegroup. Salt's matchers log and
 * return False for these; we throw so the CLI can say why before publishing.
 */
export class TargetError extends TsaltError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BAD_TARGET', message, options);
  }
}

/** `Invalid pcre target 'web-(': Unterminated group`: one line, names the target. */
export function invalidTarget(tgtType: string, tgt: string | readonly string[], reason: string): TargetError {
  const shown = typeof tgt === 'string' ? tgt : tgt.join(' ');
  return new TargetError(`Invalid ${tgtType} target '${shown}': ${reason}`);
}
