import { pyRepr } from '@tsalt/core';
import { entries, isArr, isFloat, isInt, isNum, isObj, isStr, items, pyStrRv, str, toJs, type RV } from './values.js';

/*
 * Python string formatting for reactor templates: `'%s-%d' % (a, b)`,
 * `'%(id)s' % data` and `'{}/{name}'.format(a, name=b)`. The common
 * conversions and format specs; anything else raises a clear error rather
 * than printing something subtly different from Python.
 */

class FormatError extends Error {}

function numberOf(v: RV, spec: string): number {
  if (isNum(v) || v.type === 'BooleanValue') return Number(v.value);
  if (isStr(v) && spec === 's') return NaN;
  throw new FormatError(`%${spec} format: a number is required, not ${typeName(v)}`);
}

function typeName(v: RV): string {
  if (isStr(v)) return 'str';
  if (isInt(v)) return 'int';
  if (isFloat(v)) return 'float';
  if (isArr(v)) return 'list';
  if (isObj(v)) return 'dict';
  return v.type.replace(/Value$/, '').toLowerCase();
}

function pad(body: string, width: number, align: '<' | '>' | '^' | '=', fill: string): string {
  if (body.length >= width) return body;
  const gap = width - body.length;
  if (align === '<') return body + fill.repeat(gap);
  if (align === '^') return fill.repeat(Math.floor(gap / 2)) + body + fill.repeat(Math.ceil(gap / 2));
  if (align === '=' && /^[+\- ]/.test(body)) return body[0] + fill.repeat(gap) + body.slice(1);
  return fill.repeat(gap) + body;
}

/** One conversion (`d`, `f`, `x`...) with sign flag and precision, without width. */
function convert(v: RV, type: string, precision: number | undefined, sign: string, alt: boolean): string {
  switch (type) {
    case 's':
      return precision === undefined ? pyStrRv(v) : pyStrRv(v).slice(0, precision);
    case 'r':
    case 'a':
      return pyRepr(toJs(v));
    case 'd':
    case 'i':
    case 'n': {
      const n = Math.trunc(numberOf(v, type));
      return (n >= 0 ? sign : '') + String(n);
    }
    case 'f':
    case 'F':
    case '%': {
      const n = numberOf(v, type) * (type === '%' ? 100 : 1);
      return (n >= 0 ? sign : '') + n.toFixed(precision ?? 6) + (type === '%' ? '%' : '');
    }
    case 'e':
    case 'E': {
      const s = numberOf(v, type)
        .toExponential(precision ?? 6)
        .replace(/e([+-])(\d)$/, 'e$10$2');
      return (Number(v.value) >= 0 ? sign : '') + (type === 'E' ? s.toUpperCase() : s);
    }
    case 'g':
    case 'G': {
      const s = String(Number(numberOf(v, type).toPrecision(precision ?? 6)));
      return (Number(v.value) >= 0 ? sign : '') + (type === 'G' ? s.toUpperCase() : s);
    }
    case 'x':
    case 'X':
    case 'o':
    case 'b': {
      const n = Math.trunc(numberOf(v, type));
      const base = type === 'o' ? 8 : type === 'b' ? 2 : 16;
      const body = Math.abs(n).toString(base);
      const prefix = alt ? `0${type === 'X' ? 'X' : type}` : '';
      const digits = type === 'X' ? body.toUpperCase() : body;
      return (n < 0 ? '-' : sign) + prefix + digits;
    }
    case 'c':
      return isStr(v) ? String(v.value) : String.fromCodePoint(numberOf(v, type));
    default:
      throw new FormatError(`unsupported format character '${type}'`);
  }
}

const PERCENT_RE = /%(?:\(([^)]*)\))?([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([sriadnfFeEgGxXoc%])/g;

/** Python's `fmt % values`: a tuple spreads, a dict feeds `%(name)s`, anything else (a list too) is one value. */
export function percentFormat(fmt: string, values: RV): string {
  const tuple = values.type === 'TupleValue';
  const positional = tuple ? [...items(values)] : [values];
  const mapping = isObj(values) ? entries(values) : undefined;
  let used = 0;
  const out = fmt.replace(
    PERCENT_RE,
    (
      whole,
      name: string | undefined,
      flags: string,
      width: string | undefined,
      prec: string | undefined,
      type: string,
    ) => {
      if (type === '%' && whole === '%%') return '%';
      let v: RV | undefined;
      if (name !== undefined) {
        if (!mapping) throw new FormatError('format requires a mapping');
        v = mapping.get(name);
        if (v === undefined) throw new FormatError(`KeyError: '${name}'`);
      } else {
        v = positional[used++];
        if (v === undefined) throw new FormatError('not enough arguments for format string');
      }
      const sign = flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
      const body = convert(
        v,
        type === 'i' ? 'd' : type,
        prec === undefined ? undefined : Number(prec),
        sign,
        flags.includes('#'),
      );
      const w = width && width !== '*' ? Number(width) : 0;
      if (flags.includes('-')) return pad(body, w, '<', ' ');
      if (flags.includes('0') && type !== 's' && type !== 'r') return pad(body, w, '=', '0');
      return pad(body, w, '>', ' ');
    },
  );
  if (tuple && used < positional.length) throw new FormatError('not all arguments converted during string formatting');
  return out;
}

const SPEC_RE = /^(?:(.)?([<>=^]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/;

/** Python's format-spec mini-language: `>10`, `.2f`, `08.3f`, `,d`, `x`. */
function applySpec(v: RV, spec: string): string {
  if (spec === '') return pyStrRv(v);
  const m = SPEC_RE.exec(spec);
  if (!m) throw new FormatError(`Invalid format specifier '${spec}'`);
  const [, fillCh, alignCh, signCh, alt, zero, width, group, prec, typeCh] = m;
  const type = typeCh ?? (isStr(v) ? 's' : isFloat(v) ? 'g' : isNum(v) ? 'd' : 's');
  let body = convert(
    v,
    type,
    prec === undefined ? undefined : Number(prec),
    signCh === '-' ? '' : (signCh ?? ''),
    alt !== undefined,
  );
  if (group && 'dfF'.includes(type)) {
    const [int = '', frac] = body.split('.');
    body = int.replace(/\B(?=(\d{3})+(?!\d))/g, group) + (frac !== undefined ? `.${frac}` : '');
  }
  const numeric = type !== 's';
  const fill = fillCh ?? (zero && !alignCh ? '0' : ' ');
  const align = (alignCh ?? (zero ? '=' : numeric ? '>' : '<')) as '<' | '>' | '^' | '=';
  return pad(body, width ? Number(width) : 0, align, fill);
}

/** Looks up `0`, `name`, `name[key]`, `name.attr` in a replacement field. */
function fieldValue(field: string, positional: RV[], kwargs: Map<string, RV>, next: () => number): RV {
  const m = /^([^.[]*)(.*)$/.exec(field)!;
  const head = m[1] ?? '';
  let v: RV | undefined =
    head === '' ? positional[next()] : /^\d+$/.test(head) ? positional[Number(head)] : kwargs.get(head);
  if (v === undefined)
    throw new FormatError(head === '' || /^\d+$/.test(head) ? 'Replacement index out of range' : `KeyError: '${head}'`);
  for (const part of (m[2] ?? '').matchAll(/\.(\w+)|\[([^\]]+)\]/g)) {
    const key = part[1] ?? part[2] ?? '';
    if (isObj(v)) v = entries(v).get(key);
    else if (isArr(v) && /^\d+$/.test(key)) v = items(v)[Number(key)];
    else v = undefined;
    if (v === undefined) throw new FormatError(`KeyError: '${key}'`);
  }
  return v;
}

/** Python's `str.format(*args, **kwargs)`, with `{{`/`}}` escapes, `!r`/`!s` and format specs. */
export function strFormat(fmt: string, positional: RV[], kwargs: Map<string, RV>): string {
  let auto = 0;
  const next = (): number => auto++;
  return fmt.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (whole, inner: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    const m = /^([^!:]*)(?:!([rsa]))?(?::(.*))?$/.exec(inner ?? '');
    if (!m) throw new FormatError(`bad replacement field {${inner ?? ''}}`);
    const v = fieldValue(m[1] ?? '', positional, kwargs, next);
    if (m[2] === 'r' || m[2] === 'a') return applySpec(str(pyRepr(toJs(v))), m[3] ?? '');
    return applySpec(v, m[3] ?? '');
  });
}

export { FormatError };
