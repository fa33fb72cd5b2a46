import { isRecord, pyStr } from '@tsalt/core';

/*
 * Salt's peer ACLs (master config `peer` and `peer_run`): each key is a
 * regular expression matched against the asking minion's id, each value a
 * list of function regexes (or `{target: [functions]}` entries, as Salt's
 * auth_check allows). Matching is Python's `re.match`: anchored at the
 * start only, so `test.` allows `test.ping` and `web` matches `web01`.
 */

/** Compiled Python-style patterns, by source: the ACL is read on every peer call. */
const compiled = new Map<string, RegExp | null>();
const COMPILED_MAX = 1000;

/** `re.match(pattern, text)`; an invalid pattern matches nothing (and `onBad` hears of it). */
export function pyMatch(pattern: string, text: string, onBad?: (pattern: string) => void): boolean {
  let re = compiled.get(pattern);
  if (re === undefined) {
    try {
      // Python's named groups in JavaScript's spelling; the rest of the common syntax is shared.
      const js = pattern.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
      re = new RegExp(`^(?:${js})`);
    } catch {
      re = null;
    }
    if (compiled.size >= COMPILED_MAX) compiled.clear();
    compiled.set(pattern, re);
  }
  if (re === null) {
    onBad?.(pattern);
    return false;
  }
  return re.test(text);
}

/** The entries of every ACL key whose regex matches `id` (Salt gathers them all). */
export function permsFor(acl: Record<string, unknown>, id: string, onBad?: (pattern: string) => void): unknown[] {
  const perms: unknown[] = [];
  for (const [match, list] of Object.entries(acl)) {
    if (pyMatch(match, id, onBad) && Array.isArray(list)) perms.push(...(list as unknown[]));
  }
  return perms;
}

/** `peer_run`: may the runner `fun` run? Only plain string entries count, as Salt's minion_runner. */
export function runnerAllowed(perms: readonly unknown[], fun: string, onBad?: (pattern: string) => void): boolean {
  return perms.some((p) => typeof p === 'string' && pyMatch(p, fun, onBad));
}

/** What a publish check needs from the master: the minions a target reaches. */
export interface PublishCheck {
  /** Salt's check_minions: the accepted minions `tgt` reaches. */
  minions(tgt: string | string[], tgtType: string): string[];
  onBad?: (pattern: string) => void;
}

/** One function's arguments split as Salt's auth_check does: positional ones and the trailing `__kwarg__` dict. */
function splitArgs(args: unknown): { args: unknown[]; kwargs: Record<string, unknown> | undefined } {
  const list = Array.isArray(args) ? [...(args as unknown[])] : [];
  const last = list[list.length - 1];
  if (isRecord(last) && '__kwarg__' in last) {
    list.pop();
    return { args: list, kwargs: last };
  }
  return { args: list, kwargs: undefined };
}

/** Python's str() of an argument for matching, close enough for the scalars ACLs name. */
function argText(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
}

/** Salt's __args_check: `{args: [...], kwargs: {...}}` conditions, a null regex allowing anything. */
function argsAllowed(valid: unknown, a: ReturnType<typeof splitArgs>, onBad?: (p: string) => void): boolean {
  const conds = Array.isArray(valid) ? (valid as unknown[]) : [valid];
  return conds.some((cond) => {
    if (!isRecord(cond)) return false;
    const condArgs = Array.isArray(cond['args']) ? (cond['args'] as unknown[]) : [];
    for (let i = 0; i < condArgs.length; i++) {
      if (a.args.length <= i) return false;
      const re = condArgs[i];
      if (re === null || re === undefined) continue;
      if (!pyMatch(pyStr(re), argText(a.args[i]), onBad)) return false;
    }
    const condKwargs = isRecord(cond['kwargs']) ? cond['kwargs'] : {};
    for (const [k, re] of Object.entries(condKwargs)) {
      if (!a.kwargs || !(k in a.kwargs)) return false;
      if (re === null || re === undefined) continue;
      if (!pyMatch(pyStr(re), argText(a.kwargs[k]), onBad)) return false;
    }
    return true;
  });
}

/** Salt's __fun_check: a function regex, or `{regex: <args conditions>}`. */
function funAllowed(valid: unknown, fun: string, args: unknown, onBad?: (p: string) => void): boolean {
  const conds = Array.isArray(valid) ? (valid as unknown[]) : [valid];
  return conds.some((cond) => {
    if (typeof cond === 'string') return pyMatch(cond, fun, onBad);
    if (!isRecord(cond)) return false;
    const keys = Object.keys(cond);
    if (keys.length !== 1) return false;
    const name = keys[0] as string;
    return pyMatch(name, fun, onBad) && argsAllowed(cond[name], splitArgs(args), onBad);
  });
}

/**
 * `peer`: may this publish go out? Salt's auth_check with
 * `publish_validate`: a pillar target must reach no more minions by its
 * globs than it would by exact values (else the minion could reach minions
 * by pillar values it may not know); then each function must be allowed by
 * a plain regex entry, or by a `{target: [functions]}` entry whose target
 * covers every targeted minion.
 *
 * Salt lets a compound call (`fun` a list) through when any one of its
 * functions is allowed; tsalt asks that each one is.
 */
export function publishAllowed(
  perms: readonly unknown[],
  fun: string | string[],
  arg: unknown,
  tgt: string | string[],
  tgtType: string,
  check: PublishCheck,
): boolean {
  const type = tgtType.toLowerCase();
  let targeted: Set<string> | undefined;
  const reached = (): Set<string> => (targeted ??= new Set(check.minions(tgt, tgtType)));
  if (type === 'pillar' || type === 'pillar_pcre') {
    const exact = new Set(check.minions(tgt, 'pillar_exact'));
    if ([...reached()].some((id) => !exact.has(id))) return false;
  }
  const funs = Array.isArray(fun) ? fun : [fun];
  const args: unknown[] = Array.isArray(fun) ? (Array.isArray(arg) ? (arg as unknown[]) : []) : [arg];
  return funs.every((one, num) =>
    perms.some((entry) => {
      if (typeof entry === 'string') return pyMatch(entry, one, check.onBad);
      if (!isRecord(entry)) return false;
      const keys = Object.keys(entry);
      if (keys.length !== 1) return false;
      const valid = keys[0] as string;
      const allowed = new Set(check.minions(valid, 'compound'));
      if ([...reached()].some((id) => !allowed.has(id))) return false;
      return funAllowed(entry[valid], one, args[num], check.onBad);
    }),
  );
}
