import { TsaltError } from '@tsalt/core';

/**
 * A reactor failure. Codes: `BAD_REACTION` (the rendered data is not
 * `{id: {type.fun: [args]}}`), `REACTION_FAILED` (the reaction ran and
 * failed), `NO_CLIENT` (no runner/wheel/caller client was given),
 * `STOPPING`. Rendering fails with @tsalt/render's RenderError
 * (`RENDER_READ`, `RENDER_JINJA`, `RENDER_YAML`...).
 */
export class ReactorError extends TsaltError {
  /** 1-based line in the SLS file, when known. */
  readonly line: number | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; line?: number } = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.line = options.line;
  }
}
