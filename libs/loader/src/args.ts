import { isRecord } from '@tsalt/core';
import { yamlifyArg } from './yamlify.js';

/**
 * Salt's KWARG_REGEX: `name=value`, where name starts like a Python
 * identifier and `==` is not a kwarg. Python's `.` stops at a newline and its
 * `$` also matches before one trailing newline, so a value spanning lines
 * stays a positional argument, as in Salt.
 */
const KWARG_RE = /^([\p{L}\p{Nl}\p{No}_][\p{L}\p{N}_.-]*)=(?!=)([^\n]*)\n?$/u;

/** Splits `name=value`, or returns null when the string is not a kwarg. */
export function parseKwarg(s: string): [string, string] | null {
  const m = KWARG_RE.exec(s);
  return m && m[1] !== undefined && m[2] !== undefined ? [m[1], m[2]] : null;
}

/** Sets an own property, so a `__proto__` key cannot touch the prototype. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * CLI side, Salt's `parse_input(args, condition=True)`: every argument is
 * yamlified (`3` becomes 3), `name=value` strings become kwargs, and the
 * kwargs travel as ONE trailing dict marked `__kwarg__: true` (Salt's wire
 * form). Names in `noParse` keep their value as the raw string
 * (`salt --no-parse`).
 */
export function parseCliArgs(argv: readonly string[], noParse: readonly string[] = []): unknown[] {
  const args: unknown[] = [];
  const kwargs: Record<string, unknown> = {};
  let haveKwargs = false;
  for (const a of argv) {
    const kw = parseKwarg(a);
    if (kw) {
      const [name, value] = kw;
      setOwn(kwargs, name, noParse.includes(name) ? value : yamlifyArg(value));
      haveKwargs = true;
    } else {
      args.push(yamlifyArg(a));
    }
  }
  if (!haveKwargs) return args;
  const marker: Record<string, unknown> = { __kwarg__: true };
  for (const [k, v] of Object.entries(kwargs)) setOwn(marker, k, v);
  return [...args, marker];
}

/**
 * Minion side, Salt's `load_args_and_kwargs`: dicts marked `__kwarg__: true`
 * become kwargs (marker removed); a bare `name=value` string is also a kwarg
 * (value yamlified), as Salt still accepts from API callers. Other arguments
 * pass through unchanged: the CLI already yamlified them, and doing it twice
 * would mangle a quoted `'"3"'`. With `pub`, each publish field is added as a
 * `__pub_<field>` kwarg (the registry keeps those only for `**kwargs`
 * functions, as Salt does).
 */
export function splitPublishArgs(
  arg: readonly unknown[],
  pub?: Record<string, unknown>,
): { args: unknown[]; kwargs: Record<string, unknown> } {
  const args: unknown[] = [];
  const kwargs: Record<string, unknown> = {};
  for (const a of arg) {
    if (typeof a === 'string') {
      const kw = parseKwarg(a);
      if (kw) setOwn(kwargs, kw[0], yamlifyArg(kw[1]));
      else args.push(a);
    } else if (isRecord(a) && a['__kwarg__'] === true) {
      for (const [k, v] of Object.entries(a)) if (k !== '__kwarg__') setOwn(kwargs, k, v);
    } else {
      args.push(a);
    }
  }
  if (pub) for (const [k, v] of Object.entries(pub)) setOwn(kwargs, `__pub_${k}`, v);
  return { args, kwargs };
}
