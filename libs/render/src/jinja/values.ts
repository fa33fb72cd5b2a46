import { pyStr } from '@tsalt/core';
import { Environment, type RV } from './lib.js';

export type { RV } from './lib.js';

/*
 * A bridge to @huggingface/jinja's runtime values. The package exports only
 * Template, Environment, Interpreter, tokenize and parse, not its value
 * classes; `Environment.set` converts a JS value and returns the runtime
 * value, so each class is taken from a converted probe. Checked by the unit
 * tests, so an upgrade that changes the shapes fails loudly.
 */

type Ctor = new (value: unknown) => RV;

const probe = new Environment();
let probes = 0;
function ctorOf(sample: unknown): Ctor {
  return probe.set(`probe${probes++}`, sample).constructor as Ctor;
}

export const V = {
  Str: ctorOf(''),
  Int: ctorOf(1),
  Float: ctorOf(1.5),
  Bool: ctorOf(true),
  Null: ctorOf(null),
  Undef: ctorOf(undefined),
  Arr: ctorOf([]),
  Obj: ctorOf({}),
  Fn: ctorOf(() => 0),
};

// A helper, not `instanceof` inline: every class has the same instance type, so TS would narrow to never.
const inst = (v: RV, c: Ctor): boolean => v instanceof c;

export const isStr = (v: RV): boolean => inst(v, V.Str);
export const isInt = (v: RV): boolean => inst(v, V.Int);
export const isFloat = (v: RV): boolean => inst(v, V.Float);
export const isNum = (v: RV): boolean => inst(v, V.Int) || inst(v, V.Float);
export const isArr = (v: RV): boolean => inst(v, V.Arr);
export const isObj = (v: RV): boolean => inst(v, V.Obj);
export const isUndef = (v: RV): boolean => inst(v, V.Undef);
export const isNone = (v: RV): boolean => inst(v, V.Null) || inst(v, V.Undef);
export const isKwargs = (v: RV | undefined): boolean => v !== undefined && v.type === 'KeywordArgumentsValue';

export const str = (s: string): RV => new V.Str(s);
export const bool = (b: boolean): RV => new V.Bool(b);
export const none = (): RV => new V.Null(null);
export const num = (n: number, float = false): RV => (float || !Number.isInteger(n) ? new V.Float(n) : new V.Int(n));
export const list = (items: RV[]): RV => new V.Arr(items);

/** A callable for templates: `impl` gets positional values and the keyword arguments. */
export function fn(impl: (args: RV[], kwargs: Map<string, RV>) => RV): RV {
  return new V.Fn((all: RV[]) => {
    const [args, kwargs] = splitKwargs(all);
    return impl(args, kwargs);
  });
}

/** Keyword arguments arrive as a trailing KeywordArgumentsValue. */
export function splitKwargs(all: RV[]): [RV[], Map<string, RV>] {
  const last = all[all.length - 1];
  if (isKwargs(last)) return [all.slice(0, -1), entries(last!)];
  return [all, new Map<string, RV>()];
}

export function items(v: RV): RV[] {
  return (v as { value: RV[] }).value;
}

export function entries(v: RV): Map<string, RV> {
  return (v as { value: Map<string, RV> }).value;
}

/** A runtime value as plain JS (arrays, objects, primitives). */
export function toJs(v: RV): unknown {
  if (isArr(v)) return items(v).map(toJs);
  if (isObj(v) || v.type === 'NamespaceValue') return Object.fromEntries([...entries(v)].map(([k, x]) => [k, toJs(x)]));
  if (isUndef(v)) return undefined;
  // The library builds None without a payload, so `.value` is undefined there.
  if (inst(v, V.Null)) return null;
  return v.value;
}

/** Plain JS to a runtime value, as the library converts template variables. */
export function toRv(js: unknown): RV {
  if (js === undefined) return new V.Undef(undefined);
  if (js === null) return new V.Null(null);
  if (typeof js === 'string') return new V.Str(js);
  if (typeof js === 'number') return num(js);
  if (typeof js === 'bigint') return new V.Int(Number(js));
  if (typeof js === 'boolean') return new V.Bool(js);
  if (Array.isArray(js)) return new V.Arr(js.map(toRv));
  if (js instanceof Uint8Array) return new V.Str(Buffer.from(js).toString('utf8'));
  if (js instanceof Date) return new V.Str(js.toISOString());
  if (typeof js === 'object') return new V.Obj(new Map(Object.entries(js).map(([k, x]) => [k, toRv(x)])));
  return new V.Undef(undefined);
}

/** Python's `str()` of a runtime value: a float keeps its `.0`, None is `None`. */
export function pyStrRv(v: RV): string {
  if (isFloat(v) && Number.isInteger(v.value)) return `${String(v.value)}.0`;
  if (isUndef(v)) return '';
  return pyStr(toJs(v));
}

/**
 * The text of a runtime value given as an argument (a regex, a separator):
 * `fallback` when absent or None, a primitive as JS writes it, anything else
 * as Python's `str()` would (not `[object Object]`).
 */
export function argText(v: RV | undefined, fallback: string): string {
  const x = v?.value;
  if (v === undefined || x === undefined || x === null) return fallback;
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return String(x);
  return pyStrRv(v);
}

/** Python truthiness, which the library implements per type. */
export function truthy(v: RV): boolean {
  return v.__bool__().value;
}
