/**
 * Outputter options. They reach a plugin as kwargs (`args.__kwargs__`),
 * so every outputter takes the same `output(data, **kwargs)` shape.
 */
import type { BoundArgs } from '@tsalt/loader';

export interface OutputOptions {
  /** ANSI colours (nested only). @default false */
  color?: boolean;
  /** json indent in spaces; null or negative prints one line. @default 4 */
  indent?: number | null;
  /** The job's retcode: nested prints lists and dicts in red when non-zero. @default 0 */
  retcode?: number;
}

export interface ResolvedOutputOptions {
  color: boolean;
  /** null: single line. */
  indent: number | null;
  retcode: number;
}

export const DEFAULT_JSON_INDENT = 4;

export function resolveOptions(opts: OutputOptions = {}): ResolvedOutputOptions {
  const indent = opts.indent === undefined ? DEFAULT_JSON_INDENT : opts.indent;
  return {
    color: opts.color === true,
    indent: indent === null || !Number.isFinite(indent) || indent < 0 ? null : Math.floor(indent),
    retcode: typeof opts.retcode === 'number' && Number.isFinite(opts.retcode) ? opts.retcode : 0,
  };
}

/** Reads the options an outputter plugin received as kwargs. */
export function optionsFromArgs(args: BoundArgs): ResolvedOutputOptions {
  const kw = (args['__kwargs__'] ?? {}) as Record<string, unknown>;
  return resolveOptions({
    color: kw['color'] === true,
    indent: typeof kw['indent'] === 'number' || kw['indent'] === null ? kw['indent'] : undefined,
    retcode: typeof kw['retcode'] === 'number' ? kw['retcode'] : undefined,
  });
}
