/**
 * Outputter options. They reach a plugin as kwargs (`args.__kwargs__`),
 * so every outputter takes the same `output(data, **kwargs)` shape.
 */
import type { BoundArgs } from '@tsalt/loader';

/**
 * The highstate outputter's settings: Salt's config keys of the same names
 * (master config for `tsalt`, minion config for `tsalt-call`). The defaults
 * are Salt's config defaults, not the outputter's own fallbacks, so a bare
 * renderOutput('highstate', ...) prints what an unconfigured Salt prints.
 */
export interface HighstateOptions {
  /** full, terse, mixed, changes or filter, each optionally with `_id` (case-insensitive). @default 'full' */
  state_output?: string;
  /** false hides states that succeeded without changes. @default true */
  state_verbose?: boolean;
  /** Hide states that succeeded without changes (like state_verbose false). @default false */
  state_output_diff?: boolean;
  /** Started/Duration per state and the total run time. @default true */
  state_output_profile?: boolean;
  /** Success % and Failure % in the summary. @default false */
  state_output_pct?: boolean;
  /** One block per id and result for states run over several `names`. @default false */
  state_compress_ids?: boolean;
  /** Aligned columns for terse lines. @default false */
  state_tabular?: boolean;
  /** filter mode: results (`'True'`, `'False'`, `'None'`) not shown; a string is split on commas. @default [] */
  state_output_exclude?: unknown;
  /** filter mode: results shown terse; a string is split on commas. @default [] */
  state_output_terse?: unknown;
}

export interface OutputOptions extends HighstateOptions {
  /** ANSI colours (nested, highstate). @default false */
  color?: boolean;
  /** json indent in spaces; null or negative prints one line. @default 4 */
  indent?: number | null;
  /** The job's retcode: nested prints lists and dicts in red when non-zero. @default 0 */
  retcode?: number;
}

export interface ResolvedHighstateOptions {
  /** Lower-cased. */
  stateOutput: string;
  verbose: boolean;
  diff: boolean;
  profile: boolean;
  pct: boolean;
  compressIds: boolean;
  tabular: boolean;
  /** As given (a string, a list, or what Salt would fail on); [] when unset. */
  exclude: unknown;
  terse: unknown;
}

export interface ResolvedOutputOptions {
  color: boolean;
  /** null: single line. */
  indent: number | null;
  retcode: number;
  highstate: ResolvedHighstateOptions;
}

export const DEFAULT_JSON_INDENT = 4;

/** The option names that are highstate settings, as passed in kwargs. */
export const HIGHSTATE_KEYS = [
  'state_output',
  'state_verbose',
  'state_output_diff',
  'state_output_profile',
  'state_output_pct',
  'state_compress_ids',
  'state_tabular',
  'state_output_exclude',
  'state_output_terse',
] as const satisfies readonly (keyof HighstateOptions)[];

function bool(v: unknown, dflt: boolean): boolean {
  return typeof v === 'boolean' ? v : dflt;
}

function filterList(v: unknown): unknown {
  return v === undefined ? [] : v;
}

export function resolveHighstate(opts: HighstateOptions = {}): ResolvedHighstateOptions {
  return {
    stateOutput: (typeof opts.state_output === 'string' ? opts.state_output : 'full').toLowerCase(),
    verbose: bool(opts.state_verbose, true),
    diff: bool(opts.state_output_diff, false),
    profile: bool(opts.state_output_profile, true),
    pct: bool(opts.state_output_pct, false),
    compressIds: bool(opts.state_compress_ids, false),
    tabular: bool(opts.state_tabular, false),
    exclude: filterList(opts.state_output_exclude),
    terse: filterList(opts.state_output_terse),
  };
}

export function resolveOptions(opts: OutputOptions = {}): ResolvedOutputOptions {
  const indent = opts.indent === undefined ? DEFAULT_JSON_INDENT : opts.indent;
  return {
    color: opts.color === true,
    indent: indent === null || !Number.isFinite(indent) || indent < 0 ? null : Math.floor(indent),
    retcode: typeof opts.retcode === 'number' && Number.isFinite(opts.retcode) ? opts.retcode : 0,
    highstate: resolveHighstate(opts),
  };
}

/** The options as kwargs for a plugin call (undefined ones left out). */
export function optionsToKwargs(opts: OutputOptions): Record<string, unknown> {
  const o = resolveOptions(opts);
  const kw: Record<string, unknown> = { color: o.color, indent: o.indent, retcode: o.retcode };
  for (const k of HIGHSTATE_KEYS) if (opts[k] !== undefined) kw[k] = opts[k];
  return kw;
}

/** Reads the options an outputter plugin received as kwargs. */
export function optionsFromArgs(args: BoundArgs): ResolvedOutputOptions {
  const kw = (args['__kwargs__'] ?? {}) as Record<string, unknown>;
  const hs: Record<string, unknown> = {};
  for (const k of HIGHSTATE_KEYS) if (kw[k] !== undefined) hs[k] = kw[k];
  return resolveOptions({
    ...(hs as HighstateOptions),
    color: kw['color'] === true,
    indent: typeof kw['indent'] === 'number' || kw['indent'] === null ? kw['indent'] : undefined,
    retcode: typeof kw['retcode'] === 'number' ? kw['retcode'] : undefined,
  });
}
