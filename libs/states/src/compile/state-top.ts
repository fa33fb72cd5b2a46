import { fnmatch, isRecord, pyStr, type Logger } from '@tsalt/core';
import { mergeTops, topMatches, type PillarError } from '@tsalt/pillar';
import type { MinionData } from '@tsalt/targeting';
import type { Dict } from './verify-high.js';

/*
 * Salt's BaseHighState.get_tops, merge_tops, verify_tops and top_matches
 * for the state top file. Reading the files is the caller's (through the
 * file client); merging targets and matching them reuse @tsalt/pillar's
 * top reader and @tsalt/targeting's matchers.
 */

/** Environment to SLS names, in top order (Salt's `state.show_top`). */
export type TopMatches = Record<string, string[]>;

export interface TopDeps {
  /** Every saltenv, `base` first (Salt's _get_envs). */
  envs: readonly string[];
  /** `top_file_merging_strategy`: merge (default), same, merge_all. */
  strategy: string;
  /** `default_top`: the env whose top serves an env without one under `same`. */
  defaultTop: string;
  /** `state_top_saltenv`: read only this env's top file. */
  stateTopSaltenv: string | null;
  /** `saltenv=`: only this env's top file, and only its section. */
  saltenv: string | null;
  nodegroups: Record<string, string | string[]>;
  minion: MinionData;
  log: Logger;
  /** The env's top file rendered (undefined when it has none); throws a render error. */
  renderTop(env: string): Promise<unknown>;
  /** An SLS of `env` rendered as a top file (a top's `include:`); undefined when missing. */
  renderTopSls(sls: string, env: string): Promise<unknown>;
  /** The SLS names of `env`. */
  avail(env: string): Promise<string[]>;
}

export interface TopResult {
  matches: TopMatches;
  /** verify_tops' errors (Salt returns them as the job's list). */
  errors: string[];
  /** A top file that failed to render: Salt logs it and goes on as if there were no top (so no matches). */
  renderErrors: string[];
}

type Targets = Record<string, unknown>;
type Merged = Record<string, Targets>;

/** Salt's get_tops: env -> the rendered top files (and the tops they include). */
async function getTops(d: TopDeps, renderErrors: string[]): Promise<Map<string, unknown[]>> {
  const tops = new Map<string, unknown[]>();
  const envs = d.saltenv ? [d.saltenv] : d.stateTopSaltenv ? [d.stateTopSaltenv] : d.envs;
  for (const env of envs) {
    let data: unknown;
    try {
      data = await d.renderTop(env);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      d.log.error(`Unable to render top file: ${msg}`);
      renderErrors.push(`Unable to render top file: ${msg}`);
      // Salt's get_top answers an empty top when any top file fails.
      return new Map();
    }
    const list = tops.get(env) ?? [];
    tops.set(env, list);
    list.push(isRecord(data) ? { ...data } : data === undefined || data === null ? {} : data);
  }
  // A top's `include:` names SLS files (patterns) of its env, read as more top files.
  for (const [env, list] of tops) {
    const done = new Set<string>();
    for (const top of [...list]) {
      if (!isRecord(top) || !('include' in top)) continue;
      const inc = top['include'];
      delete top['include'];
      for (const pat of Array.isArray(inc) ? inc : []) {
        if (typeof pat !== 'string') continue;
        for (const sls of (await d.avail(env)).filter((s) => fnmatch(s, pat))) {
          if (done.has(sls)) continue;
          done.add(sls);
          try {
            const more = await d.renderTopSls(sls, env);
            if (more !== undefined) list.push(more);
          } catch (err) {
            const msg = err instanceof Error ? err.message : String(err);
            renderErrors.push(`Unable to render top file: ${msg}`);
            return new Map();
          }
        }
      }
    }
  }
  return tops;
}

function sections(top: unknown): Array<[string, unknown]> {
  return isRecord(top) ? Object.entries(top).filter(([env]) => env !== 'include') : [];
}

function addTargets(into: Merged, env: string, targets: unknown): void {
  const t = (into[env] ??= {});
  if (isRecord(targets)) for (const [tgt, items] of Object.entries(targets)) t[tgt] = items;
}

/** Salt's merge_tops under each top_file_merging_strategy. */
function mergeByStrategy(d: TopDeps, tops: Map<string, unknown[]>): Merged {
  const top: Merged = {};
  let strategy = d.strategy;
  if (!['merge', 'same', 'merge_all'].includes(strategy)) {
    d.log.warn(`Invalid top_file_merging_strategy '${strategy}', falling back to 'merge'`);
    strategy = 'merge';
  }
  if (strategy === 'merge') {
    // The base top is authoritative; another env's top counts only for its own section, if base has none.
    for (const ctop of tops.get('base') ?? []) for (const [env, t] of sections(ctop)) addTargets(top, env, t);
    for (const [cenv, ctops] of tops) {
      if (cenv === 'base') continue;
      for (const ctop of ctops)
        for (const [env, t] of sections(ctop)) if (env === cenv && !(env in top)) addTargets(top, env, t);
    }
  } else if (strategy === 'same') {
    for (const [cenv, ctops] of tops) {
      const empty = (l: unknown[] | undefined): boolean => !l || l.every((x) => !sections(x).length);
      if (empty(ctops)) {
        const fallback = tops.get(d.defaultTop);
        if (empty(fallback)) {
          d.log.error(
            `The '${cenv}' saltenv has no top file, and the fallback saltenv specified by default_top (${d.defaultTop}) also has no top file`,
          );
          continue;
        }
        for (const ctop of fallback!) for (const [env, t] of sections(ctop)) if (env === cenv) addTargets(top, env, t);
        continue;
      }
      for (const ctop of ctops) for (const [env, t] of sections(ctop)) if (env === cenv) addTargets(top, env, t);
    }
  } else {
    const read = (items: unknown): { match: unknown; states: string[] } => {
      let match: unknown;
      const states: string[] = [];
      for (const item of Array.isArray(items) ? items : []) {
        if (isRecord(item)) match = item;
        if (typeof item === 'string') states.push(item);
      }
      return { match, states };
    };
    for (const ctops of tops.values())
      for (const ctop of ctops)
        for (const [env, targets] of sections(ctop)) {
          if (!isRecord(targets)) continue;
          const t = (top[env] ??= {});
          for (const [tgt, items] of Object.entries(targets)) {
            if (!(tgt in t)) {
              t[tgt] = items;
              continue;
            }
            const a = read(t[tgt]);
            const b = read(items);
            const merged: unknown[] = [];
            const match = b.match ?? a.match;
            if (match !== undefined) merged.push(match);
            merged.push(...a.states, ...b.states.filter((s) => !merged.includes(s)));
            t[tgt] = merged;
          }
        }
  }
  return top;
}

/** Salt's verify_tops, on the merged top. */
export function verifyTops(tops: unknown): string[] {
  const errors: string[] = [];
  if (!isRecord(tops)) return ['Top data was not formed as a dict'];
  for (const [env, matches] of Object.entries(tops)) {
    if (env === 'include') continue;
    if (env === '') errors.push('Empty saltenv statement in top file');
    if (!isRecord(matches)) {
      errors.push(`The top file matches for saltenv ${env} are not formatted as a dict`);
      continue;
    }
    for (const mods of Object.values(matches)) {
      if (!Array.isArray(mods)) {
        errors.push('Malformed topfile (state declarations not formed as a list)');
        continue;
      }
      for (const mod of mods) {
        if (isRecord(mod)) {
          for (const val of Object.values(mod))
            if (!val) errors.push(`Improperly formatted top file matcher in saltenv ${pyStr(mod)}: ${pyStr(val)} file`);
        } else if (mod === '') errors.push(`Environment ${env} contains an empty sls index`);
      }
    }
  }
  return errors;
}

/** The state top for one minion: Salt's get_top + verify_tops + top_matches. */
export async function readStateTop(d: TopDeps): Promise<TopResult> {
  const renderErrors: string[] = [];
  const merged = mergeByStrategy(d, await getTops(d, renderErrors));
  const errors = verifyTops(merged);
  // `'*': web` (a bare string) counts as a one-item list when matching, as in Salt.
  const data: Dict = {};
  for (const [env, targets] of Object.entries(merged)) {
    const t: Dict = {};
    for (const [tgt, items] of Object.entries(targets)) t[tgt] = typeof items === 'string' ? [items] : items;
    data[env] = t;
  }
  const ignored: PillarError[] = [];
  const top = mergeTops([{ env: '', file: 'top file', data }], ignored, { label: 'top file', ordered: false });
  const matched = topMatches(top, d.minion, {
    pillarenv: d.saltenv,
    nodegroups: d.nodegroups,
    log: d.log,
    label: 'state top',
  });
  const matches: TopMatches = {};
  for (const m of matched) (matches[m.env] ??= []).push(m.sls);
  return { matches, errors, renderErrors };
}
