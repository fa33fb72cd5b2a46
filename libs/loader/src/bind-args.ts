import type { BoundArgs, Param, PluginFunction } from './types.js';
import { InvalidArgumentsError } from './errors.js';

function paramName(p: Param): string {
  return typeof p === 'string' ? p : p.name;
}

/**
 * Binds Salt-style call arguments (positional list plus `key=value` kwargs)
 * onto a function's declared parameters, as Python would: positionals first,
 * then kwargs by name, then defaults. Kwargs starting with `__pub_` are the
 * publish metadata Salt passes along; they are kept only for `varkw` functions.
 */
export function bindArgs(
  fun: string,
  spec: PluginFunction,
  args: unknown[],
  kwargs: Record<string, unknown>,
): BoundArgs {
  const params = spec.params ?? [];
  const bound: BoundArgs = {};
  const extra: unknown[] = [];
  args.forEach((value, i) => {
    const p = params[i];
    if (p !== undefined) bound[paramName(p)] = value;
    else extra.push(value);
  });
  if (extra.length && !spec.varargs) {
    throw new InvalidArgumentsError(
      `Passed invalid arguments to ${fun}: ${fun}() takes at most ${params.length} positional argument(s) (${args.length} given)`,
    );
  }
  const extraKw: Record<string, unknown> = {};
  const names = new Set(params.map(paramName));
  for (const [k, v] of Object.entries(kwargs)) {
    if (names.has(k)) {
      if (k in bound)
        throw new InvalidArgumentsError(`Passed invalid arguments to ${fun}: got multiple values for argument '${k}'`);
      bound[k] = v;
    } else if (spec.varkw || k.startsWith('__pub_')) {
      if (spec.varkw) extraKw[k] = v;
    } else {
      throw new InvalidArgumentsError(`Passed invalid arguments to ${fun}: got an unexpected keyword argument '${k}'`);
    }
  }
  for (const p of params) {
    const name = paramName(p);
    if (name in bound) continue;
    if (typeof p === 'string') {
      throw new InvalidArgumentsError(`Passed invalid arguments to ${fun}: missing required argument '${name}'`);
    }
    bound[name] = p.default;
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
