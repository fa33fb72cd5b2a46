/**
 * One compiled matcher term (a target type applied to one pattern), and
 * how to evaluate it for a minion. Compilation validates the pattern once,
 * so evaluating over thousands of ids does no parsing.
 */
import { invalidTarget } from './errors.js';
import { fnmatch } from '@tsalt/core';
import { ipMatches, parseIpTarget, type IpTarget } from './ipcidr.js';
import { compilePyMatch, regexReason } from './py-regex.js';
import { candidatePatterns, subdictMatch, type SubdictMode } from './subdict.js';
import type { MinionData } from './types.js';

export type Term =
  | { kind: 'glob'; pattern: string }
  | { kind: 'pcre'; re: RegExp }
  | { kind: 'list'; ids: string[]; set: ReadonlySet<string> }
  | { kind: 'subdict'; field: 'grains' | 'pillar'; expr: string; delimiter: string; mode: SubdictMode }
  | { kind: 'ipcidr'; ip: IpTarget }
  | { kind: 'never' };

/**
 * Evaluates a term. `data` undefined means "no cached grains/pillar"
 * (master side); data terms then answer `unknown` (true when greedy).
 */
export function evalTerm(term: Term, id: string, data: MinionData | undefined, unknown: boolean): boolean {
  switch (term.kind) {
    case 'glob':
      return fnmatch(id, term.pattern);
    case 'pcre':
      return term.re.test(id);
    case 'list':
      return term.set.has(id);
    case 'subdict':
      return data === undefined ? unknown : subdictMatch(data[term.field], term.expr, term.delimiter, term.mode);
    case 'ipcidr':
      return data === undefined ? unknown : ipMatches(term.ip, data.grains);
    case 'never':
      return false;
  }
}

export function listIds(tgt: string | readonly string[]): string[] {
  const parts = typeof tgt === 'string' ? tgt.split(',') : tgt.map((x) => String(x));
  return [...new Set(parts.map((s) => s.trim()).filter(Boolean))];
}

const SUBDICT: Record<string, { field: 'grains' | 'pillar'; mode: SubdictMode }> = {
  grain: { field: 'grains', mode: 'glob' },
  grain_pcre: { field: 'grains', mode: 'pcre' },
  pillar: { field: 'pillar', mode: 'glob' },
  pillar_pcre: { field: 'pillar', mode: 'pcre' },
  pillar_exact: { field: 'pillar', mode: 'exact' },
};

/** Compiles every non-compound type. Throws TargetError naming the pattern. */
export function compileTerm(tgtType: string, pattern: string, delimiter: string): Term {
  switch (tgtType) {
    case 'glob':
      return { kind: 'glob', pattern };
    case 'pcre': {
      const re = compilePyMatch(pattern);
      if (re instanceof Error) throw invalidTarget('pcre', pattern, regexReason(re));
      return { kind: 'pcre', re };
    }
    case 'list': {
      const ids = listIds(pattern);
      return { kind: 'list', ids, set: new Set(ids) };
    }
    case 'ipcidr': {
      const ip = parseIpTarget(pattern);
      if (typeof ip === 'string') throw invalidTarget('ipcidr', pattern, ip);
      return { kind: 'ipcidr', ip };
    }
  }
  const sub = SUBDICT[tgtType];
  if (sub === undefined) throw invalidTarget(tgtType, pattern, 'unknown target type');
  if (!delimiter) throw invalidTarget(tgtType, pattern, 'empty delimiter');
  if (!pattern.includes(delimiter)) throw invalidTarget(tgtType, pattern, `expected <key>${delimiter}<value>`);
  if (sub.mode === 'pcre') {
    // Salt tries every split point, so the target is usable if any tail compiles.
    const errors = candidatePatterns(pattern, delimiter).map((p) => compilePyMatch(p.toLowerCase()));
    const firstErr = errors[0];
    if (errors.every((e) => e instanceof Error) && firstErr instanceof Error) {
      throw invalidTarget(tgtType, pattern, regexReason(firstErr));
    }
  }
  return { kind: 'subdict', field: sub.field, expr: pattern, delimiter, mode: sub.mode };
}
