import { errorLine, isRecord, pyRepr, type Logger } from '@tsalt/core';
import { matchMinion, TARGET_TYPES, type MinionData } from '@tsalt/targeting';
import { BadTopError, type PillarError } from './errors.js';

/*
 * The pillar top file, as Salt's Pillar.merge_tops and top_matches read it:
 *
 *   base:                  # environment
 *     '*':                 # target, compound unless a `match` says otherwise
 *       - common           # SLS names (or patterns: users.*)
 *     'os:Debian':
 *       - match: grain
 *       - debian
 */

/** One target's entry after merging every top file. */
export interface TopEntry {
  /** Salt's matcher name (`glob`, `grain`, `compound`...): the last `- match:` item, `compound` without one. */
  matcher: string;
  sls: string[];
  order: number;
  /** The top file the entry came from, for log lines. */
  file: string;
}

/** A rendered top file and where it came from. */
export interface TopSource {
  env: string;
  file: string;
  data: unknown;
}

export interface MergedTop {
  /** Environment to target to entry, targets sorted by `order` (stable). */
  envs: Map<string, Map<string, TopEntry>>;
  /** SLS names under an `ignore_missing: True` target, per environment: missing is not an error. */
  ignoreMissing: Map<string, Set<string>>;
}

/** An SLS to render for a minion: its environment, name, and the top file naming it. */
export interface MatchedSls {
  env: string;
  sls: string;
  file: string;
}

/** Salt's `order` item: an int, or a string of one; anything else is 0. */
function orderOf(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;
  return Number.isInteger(n) ? n : 0;
}

/** How a caller's top file differs from pillar's: its name in messages, and whether `- order:` sorts targets. */
export interface TopReadOptions {
  /** What the file is called in errors and log lines. @default 'pillar top file' */
  label?: string;
  /** Sort each environment's targets by their `- order:` item (pillar's top does, the state top does not). @default true */
  ordered?: boolean;
}

/**
 * Merges top files in the order read: a target named again (in the same
 * environment) replaces the earlier one. Problems go to `errors` with
 * Salt's text; the well-formed targets still count.
 */
export function mergeTops(sources: readonly TopSource[], errors: PillarError[], ro: TopReadOptions = {}): MergedTop {
  const label = ro.label ?? 'pillar top file';
  const envs = new Map<string, Map<string, TopEntry>>();
  const ignoreMissing = new Map<string, Set<string>>();
  const bad = (file: string, why: string): void => {
    errors.push(
      new BadTopError(BadTopError.CODE, `Error encountered while rendering ${label}.`, {
        file,
        log: `Error encountered while rendering ${label} ${file}: ${why}`,
      }),
    );
  };
  for (const src of sources) {
    if (src.data === null || src.data === undefined) continue;
    if (!isRecord(src.data)) {
      bad(src.file, `the top file is a ${typeof src.data}, not a mapping of environments`);
      continue;
    }
    for (const [env, targets] of Object.entries(src.data)) {
      if (env === 'include') continue;
      if (!isRecord(targets)) {
        bad(src.file, `environment '${env}' holds ${pyRepr(targets)}, not a mapping of targets`);
        continue;
      }
      const into = envs.get(env) ?? new Map<string, TopEntry>();
      envs.set(env, into);
      for (const [tgt, items] of Object.entries(targets)) {
        if (!Array.isArray(items)) {
          bad(src.file, `target '${tgt}' in environment '${env}' holds ${pyRepr(items)}, not a list`);
          continue;
        }
        const entry: TopEntry = { matcher: 'compound', sls: [], order: 0, file: src.file };
        let ignore = false;
        for (const item of items) {
          if (typeof item === 'string') {
            if (!entry.sls.includes(item)) entry.sls.push(item);
          } else if (isRecord(item)) {
            if (typeof item['match'] === 'string') entry.matcher = item['match'];
            if ('order' in item) entry.order = orderOf(item['order']);
            if (item['ignore_missing'] === true) ignore = true;
          }
        }
        if (ignore) {
          const set = ignoreMissing.get(env) ?? new Set<string>();
          for (const s of entry.sls) set.add(s);
          ignoreMissing.set(env, set);
        }
        // A target named again replaces the earlier one and takes the place its order gives it.
        into.delete(tgt);
        into.set(tgt, entry);
      }
    }
  }
  if (ro.ordered ?? true)
    for (const [env, targets] of envs) {
      envs.set(env, new Map([...targets].sort((a, b) => a[1].order - b[1].order)));
    }
  return { envs, ignoreMissing };
}

// The top file takes every target type the targeting lib matches.
const MATCHERS: ReadonlySet<string> = new Set(TARGET_TYPES);

export interface TopMatchOptions {
  /** Only this environment's targets count (Salt's `pillarenv`). */
  pillarenv: string | null;
  nodegroups: Record<string, string | string[]>;
  log: Logger;
  /** Prefix of log lines. @default 'pillar top' */
  label?: string;
}

/**
 * Salt's top_matches with confirm_top: the SLS names of every target this
 * minion matches, per environment, in top order, each once. A target that
 * cannot be evaluated (bad regex, unknown matcher or nodegroup) matches
 * nothing and is logged, as Salt's matchers do.
 */
export function topMatches(top: MergedTop, minion: MinionData, o: TopMatchOptions): MatchedSls[] {
  const out: MatchedSls[] = [];
  const seen = new Set<string>();
  for (const [env, targets] of top.envs) {
    if (o.pillarenv && env !== o.pillarenv) continue;
    for (const [tgt, entry] of targets) {
      if (!matches(tgt, entry, minion, o)) continue;
      for (const sls of entry.sls) {
        const key = `${env}\0${sls}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ env, sls, file: entry.file });
      }
    }
  }
  return out;
}

function matches(tgt: string, entry: TopEntry, minion: MinionData, o: TopMatchOptions): boolean {
  if (!MATCHERS.has(entry.matcher)) {
    o.log.warn(
      { file: entry.file, target: tgt },
      `${o.label ?? 'pillar top'}: unknown matcher '${entry.matcher}'; the target matches nothing`,
    );
    return false;
  }
  // Salt's nodegroup matcher: a name not in `nodegroups` matches nothing, quietly.
  if (entry.matcher === 'nodegroup' && !(tgt in o.nodegroups)) return false;
  try {
    return matchMinion(tgt, entry.matcher, minion, { nodegroups: o.nodegroups });
  } catch (err) {
    o.log.warn({ file: entry.file, target: tgt, minion: minion.id }, `${o.label ?? 'pillar top'}: ${errorLine(err)}`);
    return false;
  }
}
