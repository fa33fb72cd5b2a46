import { pyStr } from '@tsalt/core';
import type { BoundArgs, Param, PluginFunction } from './types.js';
import { InvalidArgumentsError } from './errors.js';

function paramName(p: Param): string {
  return typeof p === 'string' ? p : p.name;
}

/** Python's list of names in a TypeError: `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'`. */
function pyNames(names: string[]): string {
  const q = names.map((n) => `'${n}'`);
  if (q.length <= 2) return q.join(' and ');
  return `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1] ?? ''}`;
}

/** Python's "takes N positional argument(s) but M were given" for a function without `*args`. */
function tooMany(name: string, params: readonly Param[], given: number): string {
  const required = params.filter((p) => typeof p === 'string').length;
  const takes =
    required === params.length
      ? `${params.length} positional argument${params.length === 1 ? '' : 's'}`
      : `from ${required} to ${params.length} positional arguments`;
  return `${name}() takes ${takes} but ${given} ${given === 1 ? 'was' : 'were'} given`;
}

/**
 * Binds Salt-style call arguments (positional list plus `key=value` kwargs)
 * onto a function's declared parameters, as Salt and Python would. First
 * Salt's minion check (`load_args_and_kwargs`): a keyword the function does
 * not take is refused, all of them in one line. Then Python's binding:
 * positionals, kwargs by name, defaults, with Python's TypeError wording.
 * Kwargs starting with `__pub_` are the publish metadata Salt passes along;
 * they are kept only for `varkw` functions.
 */
export function bindArgs(
  fun: string,
  spec: PluginFunction,
  args: unknown[],
  kwargs: Record<string, unknown>,
): BoundArgs {
  const params = spec.params ?? [];
  const pyName = fun.split('.').pop() ?? fun;
  const fail = (reason: string): InvalidArgumentsError => new InvalidArgumentsError(fun, reason, spec.doc);
  const names = new Set(params.map(paramName));

  const invalid = Object.entries(kwargs)
    .filter(([k]) => !names.has(k) && !spec.varkw && !k.startsWith('__pub_'))
    .map(([k, v]) => `${k}=${pyStr(v)}`);
  if (invalid.length) {
    throw new InvalidArgumentsError(
      fun,
      `The following keyword arguments are not valid: ${invalid.join(', ')}`,
      spec.doc,
      'kwargs',
    );
  }

  const bound: BoundArgs = {};
  const extra: unknown[] = [];
  args.forEach((value, i) => {
    const p = params[i];
    if (p !== undefined) bound[paramName(p)] = value;
    else extra.push(value);
  });
  if (extra.length && !spec.varargs) throw fail(tooMany(pyName, params, args.length));
  const extraKw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) {
    if (names.has(k)) {
      if (k in bound) throw fail(`${pyName}() got multiple values for argument '${k}'`);
      bound[k] = v;
    } else if (spec.varkw) {
      extraKw[k] = v;
    }
  }
  const missing: string[] = [];
  for (const p of params) {
    const name = paramName(p);
    if (name in bound) continue;
    if (typeof p === 'string') missing.push(name);
    else bound[name] = p.default;
  }
  if (missing.length) {
    const s = missing.length === 1 ? '' : 's';
    throw fail(`${pyName}() missing ${missing.length} required positional argument${s}: ${pyNames(missing)}`);
  }
  if (spec.varargs) bound['__args__'] = extra;
  if (spec.varkw) bound['__kwargs__'] = extraKw;
  return bound;
}

/** `fun(a, b=1, *args, **kwargs)`: the signature line `sys.doc` shows. */
export function signature(fun: string, spec: PluginFunction): string {
  const parts = (spec.params ?? []).map((p) => (typeof p === 'string' ? p : `${p.name}=${JSON.stringify(p.default)}`));
  if (spec.varargs) parts.push('*args');
  if (spec.varkw) parts.push('**kwargs');
  return `${fun}(${parts.join(', ')})`;
}
