/**
 * Compound targets: `webserv* and G@os:Debian or E@web-dc1-srv.* and not L@a,b`.
 * Salt builds a Python expression and eval()s it; we parse the same words
 * with a small recursive-descent parser (precedence: not > and > or) and
 * evaluate the tree per minion. `not` right after a term implies `and`, as
 * Salt inserts it.
 */
import { invalidTarget, type TargetError } from './errors.js';
import { expandNodegroup } from './nodegroup.js';
import { compileTerm, evalTerm, type Term } from './terms.js';
import type { MinionData } from './types.js';
import { DEFAULT_DELIMITER } from './types.js';

export type Node = { t: 'term'; term: Term } | { t: 'not'; a: Node } | { t: 'and' | 'or'; a: Node; b: Node };

/** Salt's TARGET_REX: optional engine letter, optional delimiter (G/P/I/J only), '@', pattern. */
const TARGET_REX = /^(?:([GPIJLNSER])((?<=[GPIJ]).)?@)?(.+)$/;

const ENGINES: Record<string, string> = {
  G: 'grain',
  P: 'grain_pcre',
  I: 'pillar',
  J: 'pillar_pcre',
  L: 'list',
  S: 'ipcidr',
  E: 'pcre',
};

/** Stands for an `N@group` that cannot be expanded here: matches nothing. */
const NEVER = Symbol('never');
type Word = string | typeof NEVER;

const show = (w: Word): string => (typeof w === 'string' ? w : 'N@...');

export interface CompoundOptions {
  nodegroups?: Readonly<Record<string, string | string[]>>;
  /** validateTarget without a nodegroups config: accept any `N@name` as a term matching nothing. */
  lenientNodegroups?: boolean;
  /** `I@` matches exactly, globbing disabled (Salt's compound_pillar_exact). */
  pillarExact?: boolean;
}

export interface CompiledCompound {
  root: Node;
  /** Ids named by `L@` terms not directly after `not`: the master reports absent ones as missing. */
  listed: string[];
}

export function compoundWords(tgt: string | readonly string[]): string[] {
  return typeof tgt === 'string' ? tgt.split(/\s+/).filter(Boolean) : tgt.map((w) => String(w));
}

export function compileCompound(
  tgt: string | readonly string[],
  typeName: string,
  opts: CompoundOptions,
): CompiledCompound {
  const fail = (reason: string): TargetError => invalidTarget(typeName, tgt, reason);
  const words = expandWords(compoundWords(tgt), opts);
  const listed: string[] = [];
  let pos = 0;

  const term = (word: Word, negated: boolean): Node => {
    if (typeof word !== 'string') return { t: 'term', term: { kind: 'never' } };
    const m = TARGET_REX.exec(word);
    const engine = m?.[1];
    const pattern = m?.[3] ?? word;
    if (engine === undefined) {
      const unknown = /^([A-Z])@/.exec(word);
      if (unknown) throw fail(`unknown target engine '${unknown[1]}' in '${word}'`);
      return { t: 'term', term: compileTerm('glob', word, DEFAULT_DELIMITER) };
    }
    const type = engine === 'I' && opts.pillarExact ? 'pillar_exact' : ENGINES[engine];
    if (type === undefined) throw fail(`unsupported target engine '${engine}' in '${word}'`);
    const compiled = compileTerm(type, pattern, m?.[2] ?? DEFAULT_DELIMITER);
    if (compiled.kind === 'list' && !negated) listed.push(...compiled.ids);
    return { t: 'term', term: compiled };
  };

  const primary = (negated: boolean): Node => {
    const tok = words[pos++];
    if (tok === undefined) {
      const prev = words[pos - 2];
      throw fail(prev === undefined ? 'empty expression' : `unexpected end after '${show(prev)}'`);
    }
    if (tok === '(') {
      const inner = orExpr();
      if (words[pos] !== ')') throw fail("unbalanced parentheses (missing ')')");
      pos++;
      return inner;
    }
    if (tok === ')') throw fail("unbalanced parentheses (unexpected ')')");
    if (tok === 'and' || tok === 'or') {
      const prev = words[pos - 2];
      if (prev === undefined || prev === '(') throw fail(`expression may not begin with binary operator '${tok}'`);
      throw fail(`unexpected operator '${tok}' after '${show(prev)}'`);
    }
    return term(tok, negated);
  };

  const notExpr = (): Node => {
    if (words[pos] !== 'not') return primary(false);
    pos++;
    if (words[pos] === 'not' || words[pos] === '(') return { t: 'not', a: notExpr() };
    return { t: 'not', a: primary(true) };
  };

  const andExpr = (): Node => {
    let a = notExpr();
    for (let w = words[pos]; w === 'and' || w === 'not'; w = words[pos]) {
      if (w === 'and') pos++;
      a = { t: 'and', a, b: notExpr() };
    }
    return a;
  };

  const orExpr = (): Node => {
    let a = andExpr();
    while (words[pos] === 'or') {
      pos++;
      a = { t: 'or', a, b: andExpr() };
    }
    return a;
  };

  if (words.length === 0) throw fail('empty expression');
  const root = orExpr();
  const rest = words[pos];
  if (rest !== undefined) {
    if (rest === ')') throw fail("unbalanced parentheses (unexpected ')')");
    throw fail(`missing operator before '${show(rest)}'`);
  }
  return { root, listed: [...new Set(listed)] };
}

/** Replaces each `N@group` word with its expansion, parenthesised so it binds as one term. */
function expandWords(words: string[], opts: CompoundOptions): Word[] {
  const out: Word[] = [];
  for (const w of words) {
    if (w.length >= 3 && w.startsWith('N@')) {
      if (opts.nodegroups === undefined && opts.lenientNodegroups) {
        out.push(NEVER);
        continue;
      }
      const expanded = expandNodegroup(w.slice(2), opts.nodegroups ?? {});
      if (expanded.length) out.push('(', ...expanded, ')');
      else out.push(NEVER);
    } else {
      out.push(w);
    }
  }
  return out;
}

export function evalNode(n: Node, id: string, data: MinionData | undefined, unknown: boolean): boolean {
  switch (n.t) {
    case 'term':
      return evalTerm(n.term, id, data, unknown);
    case 'not':
      return !evalNode(n.a, id, data, unknown);
    case 'and':
      return evalNode(n.a, id, data, unknown) && evalNode(n.b, id, data, unknown);
    case 'or':
      return evalNode(n.a, id, data, unknown) || evalNode(n.b, id, data, unknown);
  }
}
