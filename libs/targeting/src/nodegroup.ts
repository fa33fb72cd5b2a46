/**
 * Salt's `nodegroup_comp`: expands a nodegroup from the master's
 * `nodegroups:` config into compound words, recursing into `N@` references.
 * A group written as a bare list of names becomes `L@a,b` (or `E@...` when
 * a name looks like a regex), as Salt does.
 */
import { TargetError } from './errors.js';

export const OPERATORS: ReadonlySet<string> = new Set(['and', 'or', 'not', '(', ')']);

const REGEX_CHARS = ['(', '[', '{', '\\', '?', '}', ']', ')'];

/** A group with no operators, no globs and no `X@` terms is a list of names (or one regex). */
function asListOrRegex(words: readonly string[]): string[] | undefined {
  if (words.some((w) => OPERATORS.has(w))) return undefined;
  if (words.some((w) => w.includes('*') || /^[A-Z]@/.test(w))) return undefined;
  const isRegex = words.some((w) => REGEX_CHARS.some((c) => w.includes(c)));
  return [`${isRegex ? 'E' : 'L'}@${words.join(',')}`];
}

function groupWords(name: string, nodegroups: Readonly<Record<string, string | string[]>>): string[] {
  if (!Object.hasOwn(nodegroups, name)) throw new TargetError(`Unknown nodegroup '${name}'`);
  const def: unknown = nodegroups[name];
  if (typeof def === 'string') return def.split(/\s+/).filter(Boolean);
  if (Array.isArray(def)) return def.map((w) => String(w));
  throw new TargetError(`Invalid nodegroup '${name}': expected a string or a list`);
}

/** Expands `name` to compound words. Throws TargetError for unknown or cyclic groups. */
export function expandNodegroup(name: string, nodegroups: Readonly<Record<string, string | string[]>>): string[] {
  return expand(name, nodegroups, new Set(), true);
}

function expand(
  name: string,
  nodegroups: Readonly<Record<string, string | string[]>>,
  seen: Set<string>,
  top: boolean,
): string[] {
  if (seen.has(name)) throw new TargetError(`Invalid nodegroup '${name}': it includes itself`);
  const words = groupWords(name, nodegroups);
  seen.add(name);
  const out: string[] = [];
  let nested = false;
  for (const w of words) {
    if (w.length >= 3 && w.startsWith('N@')) {
      nested = true;
      out.push(...expand(w.slice(2), nodegroups, seen, false));
    } else {
      out.push(w);
    }
  }
  seen.delete(name);
  if (nested || !top) {
    const joined = top ? undefined : asListOrRegex(words);
    if (joined) return joined;
    return out.length ? ['(', ...out, ')'] : out;
  }
  return asListOrRegex(words) ?? words;
}

/**
 * Salt's LocalClient `_prep_pub`: a nodegroup target becomes the compound
 * it stands for, and every `N@group` in a compound is expanded, so minions
 * never need the master's `nodegroups`. Each expansion is parenthesised so
 * it binds as one term. Throws TargetError with Salt's wording for a group
 * the config does not define.
 */
export function resolveNodegroups(
  tgt: string | readonly string[],
  tgtType: string,
  nodegroups: Readonly<Record<string, string | string[]>>,
  confFile = 'the master config file',
): { tgt: string | readonly string[]; tgtType: string } {
  const resolve = (name: string): string[] => {
    if (!Object.hasOwn(nodegroups, name)) throw new TargetError(`Node group ${name} unavailable in ${confFile}`);
    const words = expandNodegroup(name, nodegroups);
    return words.length > 1 && words[0] !== '(' ? ['(', ...words, ')'] : words;
  };
  if (tgtType === 'nodegroup') {
    if (typeof tgt !== 'string' || !tgt) throw new TargetError('Invalid nodegroup target: expected a nodegroup name');
    return { tgt: resolve(tgt).join(' '), tgtType: 'compound' };
  }
  if (tgtType !== 'compound') return { tgt, tgtType };
  const words = typeof tgt === 'string' ? tgt.split(/\s+/).filter(Boolean) : tgt.map((w) => String(w));
  if (!words.some((w) => w.length > 2 && w.startsWith('N@'))) return { tgt, tgtType };
  const out: string[] = [];
  for (const w of words) out.push(...(w.length > 2 && w.startsWith('N@') ? resolve(w.slice(2)) : [w]));
  return { tgt: out.join(' '), tgtType: 'compound' };
}
