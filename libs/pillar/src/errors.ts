import { TsaltError } from '@tsalt/core';

/*
 * What goes wrong while compiling one minion's pillar. None of these is
 * thrown out of `compile`: each is logged (with the file and line when
 * known) and its message, Salt's text, becomes an entry of `_errors`, while
 * the rest of the pillar still compiles. The `code` tells them apart in logs
 * and tests.
 */

/** Where a problem sits: the file and, when known, its 1-based line; `log` is the master log's text when it says more. */
export interface Place {
  file?: string | undefined;
  line?: number | undefined;
  log?: string | undefined;
}

/** `message` is Salt's text, the `_errors` entry; `log`, when set, is what the master log says instead. */
export class PillarError extends TsaltError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly log: string | undefined;
  constructor(code: string, message: string, place: Place = {}, options?: { cause?: unknown }) {
    super(code, message, options);
    this.file = place.file;
    this.line = place.line;
    this.log = place.log;
  }
}

/** PILLAR_SLS_MISSING: the top file or an include names an SLS no pillar root holds. */
export class SlsMissingError extends PillarError {
  static readonly CODE = 'PILLAR_SLS_MISSING';
  constructor(sls: string, saltenv: string, namedIn: Place) {
    super(
      SlsMissingError.CODE,
      `Specified SLS '${sls}' in environment '${saltenv}' is not available on the salt master`,
      namedIn,
    );
  }
}

/** PILLAR_ENV_MISSING: the top file names an environment pillar_roots does not have. */
export class EnvMissingError extends PillarError {
  static readonly CODE = 'PILLAR_ENV_MISSING';
  constructor(saltenv: string, namedIn: Place = {}) {
    super(EnvMissingError.CODE, `No matching pillar environment for environment '${saltenv}' found`, namedIn);
  }
}

/** PILLAR_RENDER: an SLS or top file failed to render (Jinja, YAML, unreadable). */
export class SlsRenderError extends PillarError {
  static readonly CODE = 'PILLAR_RENDER';
}

/** PILLAR_NOT_DICT: an SLS rendered to something other than a mapping. */
export class SlsNotDictError extends PillarError {
  static readonly CODE = 'PILLAR_NOT_DICT';
  constructor(sls: string, place: Place) {
    super(SlsNotDictError.CODE, `SLS '${sls}' does not render to a dictionary`, place);
  }
}

/** PILLAR_BAD_INCLUDE: `include:` is not a list, or one of its entries is not an SLS name. */
export class BadIncludeError extends PillarError {
  static readonly CODE = 'PILLAR_BAD_INCLUDE';
}

/** PILLAR_BAD_TOP: a top file whose shape is not `env: {target: [sls, {match: ...}]}`. */
export class BadTopError extends PillarError {
  static readonly CODE = 'PILLAR_BAD_TOP';
}
