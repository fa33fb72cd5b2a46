import { isRecord } from '@tsalt/core';
import type { MasterConfig } from '@tsalt/config';
import type { MergeStrategy } from './merge.js';

/** The compiled form the compiler reads: every key checked once, here. */
export interface PillarOptions {
  /** `pillar_roots`: environment to directories, searched in order. */
  roots: Record<string, string[]>;
  /** `state_top` as a path under each root (`salt://` and a leading `/` removed). */
  top: string;
  /** `renderer`: the pipeline of an SLS without a `#!` line. */
  renderer: string;
  mergeStrategy: MergeStrategy;
  mergeLists: boolean;
  /** `pillar_safe_render_error`: `_errors` hides render error texts (they stay in the master log). */
  safeRenderError: boolean;
  /** `pillar_includes_override_sls`: an included SLS wins over the one including it. */
  includesOverrideSls: boolean;
  /** The master's `pillarenv`; a request's own wins. */
  pillarenv: string | null;
  pillarenvFromSaltenv: boolean;
  /** `nodegroups` for `- match: nodegroup` and `N@`. */
  nodegroups: Record<string, string | string[]>;
  /** `pillar_opts`: the master's options go into every pillar under `master`. */
  pillarOpts: boolean;
  /** What templates see as `opts` (the master's options; `id` becomes the minion's). */
  opts: Record<string, unknown>;
}

/**
 * Salt's `_normalize_roots`: environment names as strings, each a list of
 * directories. A single string is taken as a one-directory list (Salt
 * would ignore it); anything else is an empty list, as in Salt.
 */
export function normalizeRoots(value: unknown): Record<string, string[]> {
  if (!isRecord(value)) return { base: ['/srv/pillar'] };
  const out: Record<string, string[]> = {};
  for (const [env, dirs] of Object.entries(value)) {
    if (typeof dirs === 'string') out[env] = [dirs];
    else if (Array.isArray(dirs)) out[env] = dirs.filter((d): d is string => typeof d === 'string' && d !== '');
    else out[env] = [];
  }
  return out;
}

/** Salt's nodegroups, a mapping or a list of one-key mappings (`repack_dictlist`), as targeting wants them. */
export function normalizeNodegroups(value: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const add = (m: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(m)) {
      if (typeof v === 'string') out[k] = v;
      else if (Array.isArray(v)) out[k] = v.map(String);
    }
  };
  if (isRecord(value)) add(value);
  else if (Array.isArray(value)) for (const m of value) if (isRecord(m)) add(m);
  return out;
}

/** `state_top` as Salt turns it into a path: `salt://top.sls`, `/top.sls` and `top.sls` are all `top.sls`. */
export function topPath(stateTop: string): string {
  return stateTop.replace(/^salt:\/\//, '').replace(/^\/+/, '') || 'top.sls';
}

/** The compiler's options from the master's compiled config. */
export function pillarOptions(opts: MasterConfig): PillarOptions {
  return {
    roots: normalizeRoots(opts.pillar_roots),
    top: topPath(opts.state_top),
    renderer: opts.renderer,
    mergeStrategy: opts.pillar_source_merging_strategy,
    mergeLists: opts.pillar_merge_lists,
    safeRenderError: opts.pillar_safe_render_error,
    includesOverrideSls: opts.pillar_includes_override_sls,
    pillarenv: opts.pillarenv,
    pillarenvFromSaltenv: opts.pillarenv_from_saltenv,
    nodegroups: normalizeNodegroups(opts.nodegroups),
    pillarOpts: opts.pillar_opts,
    opts,
  };
}

/**
 * Salt's `__env__` root: when the requested environment has no roots of
 * its own, `__env__`'s serve it, with `__env__` in their paths replaced by
 * its name. Returns the roots for this request.
 */
export function rootsFor(roots: Record<string, string[]>, env: string): Record<string, string[]> {
  const generic = roots['__env__'];
  if (!generic) return roots;
  const { __env__: _drop, ...rest } = roots;
  if (env in rest) return rest;
  return { ...rest, [env]: generic.map((d) => d.replaceAll('__env__', env)) };
}
