import { TsaltError } from '@tsalt/core';

/**
 * A reactor failure. Codes: `RENDER_JINJA` (the template does not parse or
 * fails while rendering), `RENDER_YAML` (the rendered text is not YAML),
 * `SLS_MISSING` (the SLS file cannot be read), `BAD_REACTION` (the rendered
 * data is not `{id: {type.fun: [args]}}`), `REACTION_FAILED` (the reaction
 * ran and failed), `NO_CLIENT` (no runner/wheel/caller client was given).
 */
export class ReactorError extends TsaltError {
  /** 1-based line in the SLS file (or in its rendered text, for YAML errors), when known. */
  readonly line: number | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; line?: number } = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.line = options.line;
  }
}
