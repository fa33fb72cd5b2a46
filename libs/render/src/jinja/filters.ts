import { stringify } from 'yaml';
import { pyStr } from '@tsalt/core';
import {
  argText,
  bool,
  entries,
  isArr,
  isNone,
  isNum,
  isObj,
  isStr,
  isUndef,
  items,
  list,
  none,
  num,
  str,
  toJs,
  toRv,
  truthy,
  type RV,
} from './values.js';

/*
 * Filters Salt users rely on that @huggingface/jinja lacks: Salt's own
 * (`json`, `yaml`, `yaml_encode`, `yaml_dquote`, `regex_match`,
 * `regex_search`, `regex_replace`, `to_bool`) and Jinja builtins it does
 * not implement (`sum`, `min`, `max`, `select`, `reject`, `map('filter')`,
 * `round`, `truncate`, bare `default`/`d`, `count`). A filter answers
 * undefined to leave the call to the library.
 */

export interface FilterHost {
  /** Applies any filter (extra or the library's) by name, for `map('lower')`. */
  apply(name: string, operand: RV, args: RV[]): RV;
  /** The environment's tests (`odd`, `defined`, `string`...), for `select`/`reject`. */
  tests: ReadonlyMap<string, (...values: RV[]) => boolean>;
}

/** A Python regex as a JS one: named groups `(?P<n>...)` and `(?P=n)` spelled the JS way. */
function pyRegExp(pattern: string, flags: string): RegExp {
  const src = pattern.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  return new RegExp(src, flags);
}

function flag(v: RV | undefined): boolean {
  return v !== undefined && truthy(v);
}

/** Salt's regex_match/regex_search: the groups as a list, or None without a match. */
function regexGroups(operand: RV, args: RV[], kwargs: Map<string, RV>, anchored: boolean): RV {
  const ignorecase = flag(args[1] ?? kwargs.get('ignorecase'));
  const multiline = flag(args[2] ?? kwargs.get('multiline'));
  const re = pyRegExp(argText(args[0], ''), `${anchored ? 'y' : ''}${ignorecase ? 'i' : ''}${multiline ? 'm' : ''}u`);
  const m = re.exec(pyStr(toJs(operand)));
  if (!m) return none();
  return list(m.slice(1).map((g) => (g === undefined ? none() : str(g))));
}

function regexReplace(operand: RV, args: RV[], kwargs: Map<string, RV>): RV {
  const ignorecase = flag(args[2] ?? kwargs.get('ignorecase'));
  const multiline = flag(args[3] ?? kwargs.get('multiline'));
  const re = pyRegExp(argText(args[0], ''), `g${ignorecase ? 'i' : ''}${multiline ? 'm' : ''}u`);
  // Python's \1 and \g<name> in the replacement are $1 and $<name> in JS.
  const repl = argText(args[1], '')
    .replace(/\$/g, '$$$$')
    .replace(/\\(\d+)/g, '$$$1')
    .replace(/\\g<(\w+)>/g, '$$<$1>');
  return str(pyStr(toJs(operand)).replace(re, repl));
}

/** Salt's to_bool: None is False; strings true/yes/1/on (any case); numbers > 0; non-empty collections. */
function toBool(v: RV): RV {
  if (isNone(v)) return bool(false);
  if (isStr(v)) return bool(['true', 'yes', '1', 'on'].includes(String(v.value).toLowerCase()));
  if (isNum(v)) return bool(Number(v.value) > 0);
  return bool(truthy(v));
}

function seq(operand: RV, filter: string): RV[] {
  if (isArr(operand)) return items(operand);
  if (isObj(operand)) return [...entries(operand).keys()].map(str);
  if (isStr(operand)) return Array.from(String(operand.value), str);
  throw new TypeError(`${filter}: the value is not iterable`);
}

function compare(a: RV, b: RV): number {
  const x = a.value as number | string;
  const y = b.value as number | string;
  return x < y ? -1 : x > y ? 1 : 0;
}

function pick(operand: RV, args: RV[], host: FilterHost, keep: boolean, name: string): RV {
  const testName = args[0];
  const out = seq(operand, name).filter((item) => {
    if (testName === undefined) return truthy(item) === keep;
    const test = host.tests.get(String(testName.value));
    if (!test) throw new Error(`${name}: no test named '${String(testName.value)}'`);
    return test(item, ...args.slice(1)) === keep;
  });
  return list(out);
}

export function extraFilter(
  name: string,
  operand: RV,
  args: RV[],
  kwargs: Map<string, RV>,
  host: FilterHost,
): RV | undefined {
  switch (name) {
    case 'json':
      return host.apply('tojson', operand, args);
    case 'yaml':
      // Salt's yaml filter: flow style, as yaml.safe_dump(default_flow_style=True).
      return str(
        stringify(toJs(operand) ?? null, {
          collectionStyle: 'flow',
          lineWidth: 0,
          flowCollectionPadding: false,
        }).trimEnd(),
      );
    case 'yaml_encode':
      return str(stringify(toJs(operand) ?? null).trimEnd());
    case 'yaml_dquote':
      return str(JSON.stringify(pyStr(toJs(operand))));
    case 'yaml_squote':
      return str(`'${pyStr(toJs(operand)).replace(/'/g, "''")}'`);
    case 'regex_match':
      return regexGroups(operand, args, kwargs, true);
    case 'regex_search':
      return regexGroups(operand, args, kwargs, false);
    case 'regex_replace':
      return regexReplace(operand, args, kwargs);
    case 'to_bool':
      return toBool(operand);
    case 'd':
    case 'default':
      // The library handles `default(x)`; the bare form is Jinja's `default('')`.
      if (args.length > 0 || kwargs.size > 0) return name === 'd' ? host.apply('default', operand, args) : undefined;
      return isUndef(operand) ? str('') : operand;
    case 'count':
      return host.apply('length', operand, []);
    case 'sum': {
      const attr = kwargs.get('attribute');
      const start = Number((args[0] ?? kwargs.get('start'))?.value ?? 0);
      const values = seq(operand, name).map((x) => (attr && isObj(x) ? entries(x).get(String(attr.value)) : x));
      const total = values.reduce((acc, x) => acc + Number(x?.value ?? 0), start);
      return num(
        total,
        values.some((x) => x !== undefined && x.type === 'FloatValue'),
      );
    }
    case 'min':
    case 'max': {
      const values = seq(operand, name);
      if (values.length === 0) return none();
      return values.reduce((best, x) => (compare(x, best) * (name === 'min' ? -1 : 1) > 0 ? x : best));
    }
    case 'select':
    case 'reject':
      return pick(operand, args, host, name === 'select', name);
    case 'map':
      // map(attribute=...) is the library's; map('upper') applies a filter to each item.
      if (args.length === 0) return undefined;
      return list(seq(operand, name).map((x) => host.apply(String(args[0]?.value), x, args.slice(1))));
    case 'round': {
      const precision = Number((args[0] ?? kwargs.get('precision'))?.value ?? 0);
      const method = argText(args[1] ?? kwargs.get('method'), 'common');
      const f = 10 ** precision;
      const x = Number(operand.value) * f;
      const r = method === 'ceil' ? Math.ceil(x) : method === 'floor' ? Math.floor(x) : Math.round(x);
      return num(r / f, true);
    }
    case 'truncate': {
      const s = pyStr(toJs(operand));
      const length = Number((args[0] ?? kwargs.get('length'))?.value ?? 255);
      const end = argText(args[2] ?? kwargs.get('end'), '...');
      return str(s.length <= length ? s : s.slice(0, Math.max(0, length - end.length)) + end);
    }
    case 'list':
      return isStr(operand) ? list(seq(operand, name)) : isObj(operand) ? list(seq(operand, name)) : undefined;
    case 'reverse':
      return isStr(operand) ? str(Array.from(String(operand.value)).reverse().join('')) : undefined;
    case 'string':
      return isNone(operand) ? str(isUndef(operand) ? '' : 'None') : undefined;
    case 'dict':
      return isArr(operand)
        ? toRv(Object.fromEntries(items(operand).map((p) => toJs(p) as [string, unknown])))
        : undefined;
    default:
      return undefined;
  }
}

/** Names this file adds, for the docs and the unit tests. */
export const EXTRA_FILTERS = [
  'json',
  'yaml',
  'yaml_encode',
  'yaml_dquote',
  'yaml_squote',
  'regex_match',
  'regex_search',
  'regex_replace',
  'to_bool',
  'd',
  'default',
  'count',
  'sum',
  'min',
  'max',
  'select',
  'reject',
  'map',
  'round',
  'truncate',
  'list',
  'reverse',
  'string',
  'dict',
] as const;
