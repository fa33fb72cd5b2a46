/**
 * The three entry points over one compiled form: the minion's
 * self-selection (`matchMinion`), the master's expected-minion list
 * (`checkMinions`) and the pre-publish check (`validateTarget`).
 */
import { compileCompound, evalNode, type Node } from './compound.js';
import { invalidTarget, TargetError } from './errors.js';
import { expandNodegroup } from './nodegroup.js';
import { compileTerm, listIds } from './terms.js';
import { DEFAULT_DELIMITER, TARGET_TYPES, type MinionData, type TargetOptions, type TargetType } from './types.js';

interface Compiled {
  root: Node;
  /** Ids a list names, in order: `missing` on the master. */
  listed: string[];
  /** list type: results keep the target's order, as Salt does. */
  ordered: boolean;
}

interface CompileOptions extends TargetOptions {
  lenientNodegroups?: boolean;
}

function isTargetType(t: string): t is TargetType {
  return (TARGET_TYPES as readonly string[]).includes(t);
}

function compile(tgt: string | readonly string[], tgtType: string, opts: CompileOptions): Compiled {
  if (!isTargetType(tgtType)) throw new TargetError(`Unknown target type '${tgtType}'`);
  if (typeof tgt !== 'string' && !Array.isArray(tgt)) {
    throw new TargetError(`Invalid ${tgtType} target: expected a string or a list`);
  }
  if (tgtType === 'compound' || tgtType === 'compound_pillar_exact') {
    const c = compileCompound(tgt, tgtType, { ...opts, pillarExact: tgtType === 'compound_pillar_exact' });
    return { root: c.root, listed: c.listed, ordered: false };
  }
  if (tgtType === 'nodegroup') {
    if (typeof tgt !== 'string' || !tgt) throw invalidTarget('nodegroup', tgt, 'expected a nodegroup name');
    if (opts.nodegroups === undefined && opts.lenientNodegroups) {
      return { root: { t: 'term', term: { kind: 'never' } }, listed: [], ordered: false };
    }
    const words = expandNodegroup(tgt, opts.nodegroups ?? {});
    const c = compileCompound(words, 'nodegroup', opts);
    return { root: c.root, listed: c.listed, ordered: false };
  }
  if (tgtType === 'list') {
    const ids = listIds(tgt);
    return { root: { t: 'term', term: { kind: 'list', ids, set: new Set(ids) } }, listed: ids, ordered: true };
  }
  if (typeof tgt !== 'string') throw invalidTarget(tgtType, tgt, 'expected a string, not a list');
  const term = compileTerm(tgtType, tgt, opts.delimiter ?? DEFAULT_DELIMITER);
  return { root: { t: 'term', term }, listed: [], ordered: false };
}

/**
 * Minion-side self-selection (Salt's matchers): does this minion match?
 * Missing grains/pillar count as empty. Throws TargetError for a bad target.
 */
export function matchMinion(
  tgt: string | string[],
  tgtType: string,
  minion: MinionData,
  opts: TargetOptions = {},
): boolean {
  const c = compile(tgt, tgtType, opts);
  const data: MinionData = { id: minion.id, grains: minion.grains ?? {}, pillar: minion.pillar ?? {} };
  return evalNode(c.root, minion.id, data, false);
}

export interface CheckMinionsOptions extends TargetOptions {
  /** The master's minion data cache: cached grains/pillar, or undefined when none. */
  data?: (id: string) => MinionData | undefined;
  /**
   * Keep minions with no cached data for grain/pillar/ipcidr terms: the
   * minion decides for itself, so over-including only costs a wait.
   * @default true
   */
  greedy?: boolean;
}

/**
 * Master-side expected minions (Salt's `check_minions`): the accepted ids
 * the target should reach. List targets naming unknown ids put them in
 * `missing`. Throws TargetError for a bad target.
 */
export function checkMinions(
  tgt: string | string[],
  tgtType: string,
  accepted: readonly string[],
  opts: CheckMinionsOptions = {},
): { minions: string[]; missing: string[] } {
  const c = compile(tgt, tgtType, opts);
  const greedy = opts.greedy ?? true;
  const known = new Set(accepted);
  const missing = c.listed.filter((id) => !known.has(id));
  if (c.ordered) return { minions: c.listed.filter((id) => known.has(id)), missing };
  const minions: string[] = [];
  for (const id of known) {
    const data = opts.data?.(id);
    if (evalNode(c.root, id, data, greedy)) minions.push(id);
  }
  return { minions, missing };
}

/**
 * Checks a target before publishing; throws TargetError. Without
 * `opts.nodegroups`, nodegroup names are not checked.
 */
export function validateTarget(tgt: string | string[], tgtType: string, opts: TargetOptions = {}): void {
  compile(tgt, tgtType, { ...opts, lenientNodegroups: true });
}
