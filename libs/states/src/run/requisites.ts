import { fnmatch, pyStr } from '@tsalt/core';
import { chunkTag, type LowChunk, type RequisiteRef, type StateReturn } from '../types.js';

/*
 * Requisites at run time (Salt's State.check_requisite and the target
 * lookup of call_chunk): which chunks a ref names, and what the results of
 * those chunks so far mean for the chunk that names them.
 */

/** The kinds check_requisite looks at, in Salt's order; `prerequired` is added when the chunk is not a prereq test run. */
export const RUN_REQUISITES = [
  'require',
  'require_any',
  'watch',
  'watch_any',
  'prereq',
  'onfail',
  'onfail_any',
  'onfail_all',
  'onchanges',
  'onchanges_any',
] as const;

/** A kind check_requisite reads: the compiler's kinds without `use` and `listen`, plus Salt's derived `prerequired`. */
export type RunRequisite = (typeof RUN_REQUISITES)[number] | 'prerequired';

/** Every requisite key a chunk may carry (removed from the mod_watch chunks that `listen` makes). */
export const REQUISITE_KEYWORDS = [...RUN_REQUISITES, 'onfail_stop', 'prerequired', 'listen'] as const;

/** A result as it sits in the run: the state's return plus whatever bookkeeping it has got so far. */
export type RunRet = StateReturn & {
  __id__?: string;
  __sls__?: string;
  __run_num__?: number;
  start_time?: string;
  duration?: number;
  __state_ran__?: boolean;
  skip_watch?: boolean;
};

/** The chunks each requisite kind resolved to (Salt's `__reqs__`, handed to mod_watch). */
export type ResolvedReqs = Partial<Record<RunRequisite, LowChunk[]>>;

/** One `[key, value]` ref: a bare string is an `id:` ref, and `file.managed: x` is `file: x` (Salt's trim_req). */
export function refPair(ref: unknown): [string, unknown] | undefined {
  if (typeof ref === 'string') return ['id', ref];
  if (ref === null || typeof ref !== 'object') return undefined;
  const first = Object.entries(ref as Record<string, unknown>)[0];
  if (first === undefined) return undefined;
  const [key, val] = first;
  const dot = key.indexOf('.');
  return [dot === -1 ? key : key.slice(0, dot), val];
}

/** The chunks a ref names: `sls:` a glob over SLS names; otherwise a glob over name or id, of that state module (any for `id:`). */
export function findTargets(chunks: readonly LowChunk[], key: string, val: unknown): LowChunk[] {
  const pattern = pyStr(val);
  return chunks.filter((c) => {
    if (key === 'sls') return fnmatch(c.__sls__, pattern);
    if (!fnmatch(String(c.name), pattern) && !fnmatch(c.__id__, pattern)) return false;
    return key === 'id' || c.state === key;
  });
}

function refList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The refs of `kind` on `low`, as `[key, value]` pairs (refs without a value are skipped, as Salt does). */
export function refsOf(low: LowChunk, kind: string): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const ref of refList(low[kind])) {
    const pair = refPair(ref);
    if (pair !== undefined && pair[1] !== null && pair[1] !== undefined) out.push(pair);
  }
  return out;
}

/**
 * The chunks as the runner uses them: copies, with `watch` folded into
 * `require` (and `watch_any` into `require_any`) when the state module has
 * no mod_watch (Salt's verify_data/check_requisite do this), and with
 * `prerequired` on every prereq target: Salt's requisite_in puts it there,
 * and the runner adds it when the compiler did not. Kinds named in
 * `disabled` (the `disabled_requisites` option) are dropped.
 */
export function prepareChunks(
  chunks: readonly LowChunk[],
  hasState: (fun: string) => boolean,
  disabled: readonly string[] = [],
): LowChunk[] {
  const out = chunks.map((c): LowChunk => ({ ...c }));
  // Salt's `disabled_requisites`: check_requisite ignores these kinds, which is as if they were not written.
  for (const c of out) for (const kind of disabled) delete c[kind];
  for (const c of out) {
    if (hasState(`${c.state}.mod_watch`)) continue;
    for (const [watch, require] of [
      ['watch', 'require'],
      ['watch_any', 'require_any'],
    ] as const) {
      if (c[watch] === undefined) continue;
      c[require] = [...refList(c[require]), ...refList(c[watch])] as RequisiteRef[];
      delete c[watch];
    }
  }
  for (const c of out) {
    for (const [key, val] of refsOf(c, 'prereq')) {
      for (const target of findTargets(out, key, val)) {
        const existing = refList(target.prerequired);
        const has = existing.some((r) => {
          const p = refPair(r);
          return p !== undefined && p[0] === c.state && p[1] === c.__id__;
        });
        if (!has) target.prerequired = [...existing, { [c.state]: c.__id__ }];
      }
    }
  }
  return out;
}

/** What check_requisite decides for a chunk. */
export type ReqStatus = 'met' | 'unmet' | 'fail' | 'pre' | 'onfail' | 'onchanges' | 'change';

/** The refs that named no chunk, by kind, in the order Salt lists them. */
export type LostReqs = [RunRequisite, [string, unknown][]][];

function kindsFor(pre: boolean): RunRequisite[] {
  return pre ? [...RUN_REQUISITES, 'prerequired'] : [...RUN_REQUISITES];
}

/** Refs of `low` that name no chunk at all (Salt's `lost`): empty when every target exists. */
export function lostRequisites(low: LowChunk, chunks: readonly LowChunk[], pre: boolean): LostReqs {
  const lost: LostReqs = [];
  for (const kind of kindsFor(pre)) {
    const missing = refsOf(low, kind).filter(([key, val]) => findTargets(chunks, key, val).length === 0);
    if (missing.length > 0) lost.push([kind, missing]);
  }
  return lost;
}

/** Salt's comment for a chunk whose requisites name chunks that do not exist. */
export function lostComment(lost: LostReqs): string {
  let comment = 'The following requisites were not found:\n';
  for (const [kind, refs] of lost) {
    comment += `${' '.repeat(19)}${kind}:\n`;
    for (const [key, val] of refs) comment += `${' '.repeat(23)}${key}: ${pyStr(val)}\n`;
  }
  return comment;
}

/** The targets of every ref of `low`, by kind, or undefined when some ref names no chunk. */
export function resolveRequisites(low: LowChunk, chunks: readonly LowChunk[], pre: boolean): ResolvedReqs | undefined {
  // Every kind is there, empty when unused, as in Salt's reqs dict (test.mod_watch reads `__reqs__['watch']`).
  const reqs: ResolvedReqs = {};
  for (const kind of kindsFor(pre)) {
    const list: LowChunk[] = [];
    reqs[kind] = list;
    if (low[kind] === undefined || low[kind] === null) continue;
    for (const [key, val] of refsOf(low, kind)) {
      const targets = findTargets(chunks, key, val);
      if (targets.length === 0) return undefined;
      list.push(...targets);
    }
  }
  return reqs;
}

/** Whether `low` carries any requisite check_requisite reads (Salt's `present`). */
export function hasRequisites(low: LowChunk): boolean {
  return [...RUN_REQUISITES, 'prerequired'].some((k) => low[k] !== undefined);
}

function isEmpty(changes: unknown): boolean {
  if (changes === null || changes === undefined || changes === false || changes === '') return true;
  if (Array.isArray(changes)) return changes.length === 0;
  return typeof changes === 'object' && Object.keys(changes).length === 0;
}

/**
 * Salt's verdict over the targets' results: `running` for every kind but
 * `prereq`, whose targets' test-mode results sit in `pre`. A target with
 * no result yet makes the chunk `unmet` (the caller runs it first).
 */
export function requisiteStatus(
  reqs: ResolvedReqs,
  running: Readonly<Record<string, RunRet>>,
  pre: Readonly<Record<string, RunRet>>,
): ReqStatus {
  const all = new Set<string>();
  for (const [kind, targets] of Object.entries(reqs) as [RunRequisite, LowChunk[]][]) {
    const stats = new Set<string>();
    for (const target of targets) {
      const ttag = chunkTag(target);
      // A prereq target that settled without a test run (its own requisites decided) counts as it stands.
      const r = kind === 'prereq' ? (pre[ttag] ?? running[ttag]) : running[ttag];
      if (r === undefined) {
        stats.add('unmet');
        continue;
      }
      if (kind.startsWith('onfail')) {
        if (r.result === true) {
          stats.add('onfail'); // this target succeeded: no reason to run the handler
          continue;
        }
      } else if (r.result === false) {
        stats.add('fail');
        continue;
      }
      if (kind.startsWith('onchanges')) {
        stats.add(isEmpty(r.changes) ? 'onchanges' : 'onchangesmet');
        continue;
      }
      if (kind.startsWith('watch') && !isEmpty(r.changes)) {
        stats.add('change');
        continue;
      }
      if (kind === 'prereq') {
        // The target's test run: null means it would change, so the prereq-ing state runs.
        if (r.result === null) {
          stats.add('premet');
          stats.add('met');
        } else {
          stats.add('pre');
        }
        continue;
      }
      if (kind === 'prerequired' && r.result !== null) continue;
      if (r.__state_ran__ !== false) stats.add('met');
    }
    if (kind.endsWith('_any') || kind === 'onfail') {
      if (stats.has('met') || stats.has('change')) stats.delete('fail');
      if (stats.has('onchangesmet')) {
        stats.delete('onchanges');
        stats.delete('fail');
      }
      // A target that failed (met) is enough for an onfail handler.
      if (stats.has('onfail') && stats.has('met')) stats.delete('onfail');
    }
    // onfail_all: one target that succeeded cancels the handler.
    if (kind.endsWith('_all') && stats.has('onfail')) stats.delete('met');
    for (const s of stats) all.add(s);
  }
  if (all.has('unmet')) return 'unmet';
  if (all.has('fail')) return 'fail';
  if (all.has('pre')) return all.has('premet') ? 'met' : 'pre';
  if (all.has('onfail') && !all.has('onchangesmet')) return 'onfail';
  if (all.has('onchanges') && !all.has('onchangesmet')) return 'onchanges';
  if (all.has('change')) return 'change';
  if (all.has('onfail')) return 'onfail';
  return 'met';
}

/**
 * `roots` and every chunk their requisites name, transitively, in run
 * order: what Salt's state.sls_id runs for one id (call_chunk pulls each
 * requisite in before the id).
 */
export function withRequisites(chunks: readonly LowChunk[], roots: readonly LowChunk[]): LowChunk[] {
  const keep = new Set<LowChunk>(roots);
  const queue = [...roots];
  for (let low = queue.pop(); low !== undefined; low = queue.pop()) {
    for (const kind of [...RUN_REQUISITES, 'prerequired'])
      for (const [key, val] of refsOf(low, kind))
        for (const target of findTargets(chunks, key, val)) {
          if (keep.has(target)) continue;
          keep.add(target);
          queue.push(target);
        }
  }
  return chunks.filter((c) => keep.has(c));
}
