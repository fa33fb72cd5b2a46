import { splitlines } from '@tsalt/core';
import { percentFormat, strFormat } from './py-format.js';
import {
  bool,
  entries,
  fn,
  isArr,
  isNone,
  isObj,
  isStr,
  items,
  list,
  none,
  num,
  pyStrRv,
  str,
  toJs,
  V,
  type RV,
} from './values.js';

/*
 * Python methods Salt users call in reactor templates that @huggingface/jinja
 * lacks (it has upper, lower, strip, title, capitalize, startswith,
 * endswith, split, replace on strings; get, items, keys, values on dicts).
 * Looked up before the library's own only for `strip`/`lstrip`/`rstrip`,
 * whose library versions ignore the `chars` argument.
 */

function text(v: RV | undefined, what: string): string {
  if (v === undefined || !isStr(v)) throw new TypeError(`${what} must be a string`);
  return String(v.value);
}

function stripChars(s: string, chars: RV | undefined, left: boolean, right: boolean): string {
  if (chars === undefined || isNone(chars)) {
    let out = s;
    if (left) out = out.trimStart();
    if (right) out = out.trimEnd();
    return out;
  }
  const set = new Set(Array.from(text(chars, 'strip() chars')));
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  if (left) while (a < b && set.has(cps[a]!)) a++;
  if (right) while (b > a && set.has(cps[b - 1]!)) b--;
  return cps.slice(a, b).join('');
}

/** Python's `str.find`, with optional start/end. */
function find(s: string, args: RV[], fromRight: boolean): number {
  const sub = text(args[0], 'find() argument');
  const start = args[1] && !isNone(args[1]) ? Number(args[1].value) : 0;
  const end = args[2] && !isNone(args[2]) ? Number(args[2].value) : s.length;
  const hay = s.slice(0, end);
  const at = fromRight ? hay.lastIndexOf(sub) : hay.indexOf(sub, start);
  return at >= start ? at : -1;
}

function rsplit(s: string, args: RV[], kwargs: Map<string, RV>): RV {
  const sepV = args[0] ?? kwargs.get('sep');
  const max = Number((args[1] ?? kwargs.get('maxsplit'))?.value ?? -1);
  const sep = sepV && !isNone(sepV) ? text(sepV, 'rsplit() sep') : undefined;
  const parts = sep === undefined ? s.trim().split(/\s+/).filter(Boolean) : s.split(sep);
  if (max < 0 || parts.length <= max + 1) return list(parts.map(str));
  const head = parts.slice(0, parts.length - max).join(sep ?? ' ');
  return list([head, ...parts.slice(parts.length - max)].map(str));
}

function partition(s: string, sepV: RV | undefined, fromRight: boolean): RV {
  const sep = text(sepV, 'partition() sep');
  const at = fromRight ? s.lastIndexOf(sep) : s.indexOf(sep);
  if (at < 0) return list((fromRight ? ['', '', s] : [s, '', '']).map(str));
  return list([s.slice(0, at), sep, s.slice(at + sep.length)].map(str));
}

function stringMethod(s: string, name: string): RV | undefined {
  const is = (re: RegExp): RV => fn(() => bool(s.length > 0 && re.test(s)));
  switch (name) {
    case 'strip':
    case 'lstrip':
    case 'rstrip':
      return fn(([chars]) => str(stripChars(s, chars, name !== 'rstrip', name !== 'lstrip')));
    case 'format':
      return fn((args, kwargs) => str(strFormat(s, args, kwargs)));
    case 'join':
      return fn(([seq]) => {
        if (seq === undefined || !(isArr(seq) || isStr(seq)))
          throw new TypeError('join() argument must be a list of strings');
        const parts = isStr(seq) ? Array.from(String(seq.value)) : items(seq).map((x) => text(x, 'join() item'));
        return str(parts.join(s));
      });
    case 'find':
    case 'index':
      return fn((args) => {
        const at = find(s, args, false);
        if (at < 0 && name === 'index') throw new Error('ValueError: substring not found');
        return num(at);
      });
    case 'rfind':
    case 'rindex':
      return fn((args) => {
        const at = find(s, args, true);
        if (at < 0 && name === 'rindex') throw new Error('ValueError: substring not found');
        return num(at);
      });
    case 'count':
      return fn(([sub]) => {
        const needle = text(sub, 'count() argument');
        return num(needle === '' ? Array.from(s).length + 1 : s.split(needle).length - 1);
      });
    case 'isdigit':
    case 'isnumeric':
    case 'isdecimal':
      return is(/^\p{Nd}+$/u);
    case 'isalpha':
      return is(/^\p{L}+$/u);
    case 'isalnum':
      return is(/^[\p{L}\p{Nd}]+$/u);
    case 'isspace':
      return is(/^\s+$/u);
    case 'islower':
      return fn(() => bool(/\p{Ll}/u.test(s) && s === s.toLowerCase()));
    case 'isupper':
      return fn(() => bool(/\p{Lu}/u.test(s) && s === s.toUpperCase()));
    case 'rsplit':
      return fn((args, kwargs) => rsplit(s, args, kwargs));
    case 'splitlines':
      return fn(() => list(splitlines(s).map(str)));
    case 'partition':
    case 'rpartition':
      return fn(([sep]) => partition(s, sep, name === 'rpartition'));
    case 'zfill':
      return fn(([w]) => {
        const width = Number(w?.value ?? 0);
        const sign = /^[+-]/.test(s) ? s[0]! : '';
        const body = sign ? s.slice(1) : s;
        return str(sign + body.padStart(Math.max(0, width - sign.length), '0'));
      });
    case 'ljust':
    case 'rjust':
    case 'center':
      return fn(([w, f]) => {
        const width = Number(w?.value ?? 0);
        const fill = f && isStr(f) ? String(f.value) : ' ';
        if (name === 'ljust') return str(s.padEnd(width, fill));
        if (name === 'rjust') return str(s.padStart(width, fill));
        const gap = Math.max(0, width - s.length);
        return str(fill.repeat(Math.floor(gap / 2)) + s + fill.repeat(Math.ceil(gap / 2)));
      });
    case 'swapcase':
      return fn(() => str(Array.from(s, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('')));
    case 'casefold':
      return fn(() => str(s.toLowerCase()));
    default:
      return undefined;
  }
}

function dictMethod(d: RV, name: string): RV | undefined {
  const map = entries(d);
  switch (name) {
    case 'has_key':
      return fn(([k]) => bool(k !== undefined && map.has(String(k.value))));
    case 'update':
      return fn(([other], kwargs) => {
        if (other !== undefined && isObj(other)) for (const [k, v] of entries(other)) map.set(k, v);
        for (const [k, v] of kwargs) map.set(k, v);
        return none();
      });
    case 'copy':
      return fn(() => new V.Obj(new Map(map)));
    case 'setdefault':
      return fn(([k, dflt]) => {
        const key = String(k?.value);
        if (!map.has(key)) map.set(key, dflt ?? none());
        return map.get(key)!;
      });
    case 'pop':
      return fn(([k, dflt]) => {
        const key = String(k?.value);
        const v = map.get(key);
        if (v === undefined) {
          if (dflt === undefined) throw new Error(`KeyError: '${key}'`);
          return dflt;
        }
        map.delete(key);
        return v;
      });
    default:
      return undefined;
  }
}

function same(a: RV, b: RV): boolean {
  return JSON.stringify(toJs(a)) === JSON.stringify(toJs(b));
}

function listMethod(l: RV, name: string): RV | undefined {
  const arr = items(l);
  switch (name) {
    case 'append':
      return fn(([x]) => (arr.push(x ?? none()), none()));
    case 'extend':
      return fn(([xs]) => (xs && isArr(xs) ? arr.push(...items(xs)) : undefined, none()));
    case 'insert':
      return fn(([i, x]) => (arr.splice(Number(i?.value ?? 0), 0, x ?? none()), none()));
    case 'pop':
      return fn(([i]) => {
        if (arr.length === 0) throw new Error('IndexError: pop from empty list');
        const at = i === undefined ? arr.length - 1 : (Number(i.value) + arr.length) % arr.length;
        return arr.splice(at, 1)[0]!;
      });
    case 'remove':
      return fn(([x]) => {
        const at = x === undefined ? -1 : arr.findIndex((y) => same(x, y));
        if (at < 0) throw new Error('ValueError: list.remove(x): x not in list');
        arr.splice(at, 1);
        return none();
      });
    case 'index':
      return fn(([x]) => {
        const at = x === undefined ? -1 : arr.findIndex((y) => same(x, y));
        if (at < 0) throw new Error(`ValueError: ${x === undefined ? 'None' : pyStrRv(x)} is not in list`);
        return num(at);
      });
    case 'count':
      return fn(([x]) => num(x === undefined ? 0 : arr.filter((y) => same(x, y)).length));
    case 'copy':
      return fn(() => list([...arr]));
    default:
      return undefined;
  }
}

/** Names looked up before the library's own methods, because its versions differ from Python's. */
export const OVERRIDDEN_STRING_METHODS = new Set(['strip', 'lstrip', 'rstrip']);

/** An extra Python method of `obj`, or undefined to let the library answer. */
export function pythonMethod(obj: RV, name: string): RV | undefined {
  if (isStr(obj)) return stringMethod(String(obj.value), name);
  if (isObj(obj)) return entries(obj).has(name) ? undefined : dictMethod(obj, name);
  if (isArr(obj)) return listMethod(obj, name);
  return undefined;
}

/** `'%s' % x` on strings (Python's printf-style formatting). */
export function percent(left: RV, right: RV): RV {
  return str(percentFormat(String(left.value), right));
}
