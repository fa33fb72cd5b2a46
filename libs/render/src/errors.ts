import { TsaltError } from '@tsalt/core';

/*
 * Render failures. Every class has one stable `code`, so callers (the
 * reactor's error event, a state run's comment) can tell them apart without
 * parsing messages. Messages start with the file name and, when known, the
 * line: `/srv/salt/web.sls: line 4: Jinja error: ...`.
 */

interface Options {
  cause?: unknown;
  line?: number;
}

/** The base class: `line` is 1-based, in the source file (or in the rendered text, for YAML/JSON errors). */
export class RenderError extends TsaltError {
  readonly line: number | undefined;

  constructor(code: string, message: string, options: Options = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.line = options.line;
  }
}

/** RENDER_READ: the file cannot be read. */
export class RenderReadError extends RenderError {
  static readonly CODE = 'RENDER_READ';
  constructor(message: string, options: Options = {}) {
    super(RenderReadError.CODE, message, options);
  }
}

/** RENDER_JINJA: the template does not parse, or fails while rendering. */
export class JinjaRenderError extends RenderError {
  static readonly CODE = 'RENDER_JINJA';
  constructor(message: string, options: Options = {}) {
    super(JinjaRenderError.CODE, message, options);
  }
}

/** RENDER_YAML: the (rendered) text is not YAML. */
export class YamlRenderError extends RenderError {
  static readonly CODE = 'RENDER_YAML';
  constructor(message: string, options: Options = {}) {
    super(YamlRenderError.CODE, message, options);
  }
}

/** RENDER_JSON: the (rendered) text is not JSON. */
export class JsonRenderError extends RenderError {
  static readonly CODE = 'RENDER_JSON';
  constructor(message: string, options: Options = {}) {
    super(JsonRenderError.CODE, message, options);
  }
}

/** RENDER_UNKNOWN_RENDERER: a `#!` line or the `renderer` option names a renderer that does not exist. */
export class UnknownRendererError extends RenderError {
  static readonly CODE = 'RENDER_UNKNOWN_RENDERER';
  readonly renderer: string;
  constructor(message: string, renderer: string, options: Options = {}) {
    super(UnknownRendererError.CODE, message, options);
    this.renderer = renderer;
  }
}

/** RENDER_PIPELINE: a text renderer (jinja, yaml, json) was handed data by the renderer before it. */
export class PipelineError extends RenderError {
  static readonly CODE = 'RENDER_PIPELINE';
  constructor(message: string, options: Options = {}) {
    super(PipelineError.CODE, message, options);
  }
}

/**
 * RENDER_SALT_CALL: `salt['mod.fun'](...)` names no function, or (with
 * `renderSync`) a function answered with a promise.
 */
export class SaltCallError extends RenderError {
  static readonly CODE = 'RENDER_SALT_CALL';
  constructor(message: string, options: Options = {}) {
    super(SaltCallError.CODE, message, options);
  }
}
