import { pyStr } from '@tsalt/core';
import { parseDocument, isAlias, isMap, isScalar, isSeq, type Document } from 'yaml';

/**
 * Salt's `yamlify_arg` (salt/utils/args.py): a CLI string becomes a typed
 * value only where Salt would turn it into one. Salt parses with PyYAML's
 * YAML 1.1 SafeLoader plus two tweaks of its own (leading-zero integers are
 * decimal, timestamps stay strings), so the plain-scalar rules below are
 * PyYAML's, not YAML 1.2's: `yes`/`on` are booleans, `1e3` is a string,
 * `1:30` is 90.
 */
export function yamlifyArg(arg: unknown): unknown {
  if (typeof arg !== 'string') return arg;
  // YAML loads empty or blank input as null; Salt keeps the string.
  if (arg.trim() === '') return arg;
  // `1_000` would load as 1000; Salt keeps digit/underscore strings as typed.
  if (arg.includes('_') && /^[0-9_]+$/.test(arg.trim())) return arg;
  try {
    if (arg.includes('#')) {
      // `#` starts a YAML comment: only accept a parse that is not a string,
      // so no text after the `#` is lost.
      const parsed = safeLoad(arg);
      return typeof parsed === 'string' || parsed === null ? arg : parsed;
    }
    const parsed = arg === 'None' ? null : safeLoad(arg);
    if (isPlainObject(parsed)) return arg.startsWith('{') ? parsed : arg;
    if (Array.isArray(parsed)) return arg.startsWith('[') ? parsed : arg;
    if (parsed === null || ['string', 'number', 'boolean'].includes(typeof parsed)) {
      // `|` and `!` load as empty values; keep what the user typed.
      if (parsed === '' && (arg === '|' || arg === '!')) return arg;
      if (parsed === null && arg === '!') return arg;
      return parsed;
    }
    return arg;
  } catch {
    return arg;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const BOOL_RE = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const NULL_RE = /^(?:~|null|Null|NULL|)$/;
const INT_RE =
  /^(?:[-+]?0b[01_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT_RE =
  /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

class Unsupported extends Error {}

function sexagesimal(body: string, parse: (s: string) => number): number {
  let value = 0;
  for (const part of body.split(':')) value = value * 60 + parse(part);
  return value;
}

/** PyYAML's `construct_yaml_int`, after Salt's leading-zero tweak. */
function toInt(raw: string): number {
  let text = raw;
  // Salt (SaltYamlSafeLoader.construct_scalar): `010` is ten, not octal eight.
  if (text !== '0' && text.startsWith('0') && !text.startsWith('0b') && !text.startsWith('0x')) {
    text = text.replace(/^0+/, '') || '0';
  }
  text = text.replace(/_/g, '');
  const sign = text.startsWith('-') ? -1 : 1;
  if (text.startsWith('-') || text.startsWith('+')) text = text.slice(1);
  let n: number;
  if (text === '0') n = 0;
  else if (text.startsWith('0b')) n = parseStrict(text.slice(2), 2);
  else if (text.startsWith('0x')) n = parseStrict(text.slice(2), 16);
  else if (text.startsWith('0')) n = parseStrict(text, 8);
  else if (text.includes(':')) n = sexagesimal(text, (p) => parseStrict(p, 10));
  else n = parseStrict(text, 10);
  // Beyond 2^53 a JS number would silently change the value: keep the text.
  if (!Number.isSafeInteger(n)) throw new Unsupported('integer out of range');
  return sign * n;
}

function parseStrict(text: string, radix: number): number {
  const digits = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : radix === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!digits.test(text)) throw new Unsupported(`bad base-${radix} integer`);
  return parseInt(text, radix);
}

/** PyYAML's `construct_yaml_float`. */
function toFloat(raw: string): number {
  let text = raw.replace(/_/g, '').toLowerCase();
  const sign = text.startsWith('-') ? -1 : 1;
  if (text.startsWith('-') || text.startsWith('+')) text = text.slice(1);
  if (text === '.inf') return sign * Infinity;
  if (text === '.nan') return NaN;
  if (text.includes(':')) return sign * sexagesimal(text, (p) => Number(p));
  return sign * Number(text);
}

/** Resolves an untagged plain scalar the way PyYAML's implicit resolvers do. */
export function resolvePlainScalar(text: string): unknown {
  if (BOOL_RE.test(text)) return ['yes', 'true', 'on'].includes(text.toLowerCase());
  if (NULL_RE.test(text)) return null;
  if (FLOAT_RE.test(text)) return toFloat(text);
  if (INT_RE.test(text)) return toInt(text);
  return text;
}

const CORE_TAG = 'tag:yaml.org,2002:';

function convert(node: unknown, doc: Document, depth: number): unknown {
  if (depth > 100) throw new Unsupported('too deep');
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!target) throw new Unsupported('undefined alias');
    return convert(target, doc, depth + 1);
  }
  if (isScalar(node)) {
    const text = pyStr(node.value ?? '');
    const tag = node.tag;
    if (tag === undefined) return node.type === 'PLAIN' ? resolvePlainScalar(text) : text;
    if (tag === '!' || tag === `${CORE_TAG}str`) return text;
    const want = {
      [`${CORE_TAG}int`]: 'number',
      [`${CORE_TAG}float`]: 'number',
      [`${CORE_TAG}bool`]: 'boolean',
      [`${CORE_TAG}null`]: 'null',
    }[tag];
    const value = resolvePlainScalar(text);
    if (!want || (value === null ? 'null' : typeof value) !== want) throw new Unsupported(`tag ${tag}`);
    return value;
  }
  if (isMap(node)) {
    if (node.tag !== undefined && node.tag !== `${CORE_TAG}map`) throw new Unsupported(`tag ${node.tag}`);
    const out = new Map<string, unknown>();
    for (const pair of node.items) {
      const key = convert(pair.key, doc, depth + 1);
      if (key !== null && typeof key === 'object') throw new Unsupported('unhashable key');
      const name = String(key);
      if (out.has(name)) throw new Unsupported(`duplicate key ${name}`);
      out.set(name, convert(pair.value, doc, depth + 1));
    }
    // fromEntries defines own properties, so a `__proto__` key stays a key.
    return Object.fromEntries(out);
  }
  if (isSeq(node)) {
    if (node.tag !== undefined && node.tag !== `${CORE_TAG}seq`) throw new Unsupported(`tag ${node.tag}`);
    return node.items.map((item) => convert(item, doc, depth + 1));
  }
  throw new Unsupported('unknown node');
}

/**
 * Loads one YAML document with PyYAML-compatible scalar typing. The parser
 * runs with the failsafe schema so every scalar arrives as text, then the
 * 1.1 rules above type the plain ones. Throws on any parse error.
 */
function safeLoad(text: string): unknown {
  const doc = parseDocument(text, { schema: 'failsafe', version: '1.1' });
  const first = doc.errors[0];
  if (first) throw first;
  return convert(doc.contents, doc, 0);
}
