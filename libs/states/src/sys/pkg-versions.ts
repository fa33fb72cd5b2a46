import { fnmatch, isRecord } from '@tsalt/core';
import type { StateContext } from '../types.js';
import { salt, text } from './state-ret.js';

/*
 * The version reading the pkg states share: `pkgs` lists, `>=1.2,<2`
 * conditions and their comparison through the minion's pkg.version_cmp.
 */

/** name -> wanted version (null for any), in the order given. */
export type Desired = Record<string, string | null>;

/**
 * Salt's `_repack_pkgs`: `['a', {b: '1.0'}]` to `{a: null, b: '1.0'}`;
 * null when the list is malformed (not a list, an item with several keys).
 */
export function repackPkgs(pkgs: unknown): Desired | null {
  if (!Array.isArray(pkgs)) return null;
  const out: Desired = {};
  for (const item of pkgs) {
    if (isRecord(item)) {
      const entries = Object.entries(item);
      if (entries.length !== 1) return null;
      const [n, v] = entries[0] as [string, unknown];
      out[n] = v === null || v === undefined || v === '' ? null : text(v);
    } else if (typeof item === 'string' || typeof item === 'number') out[String(item)] = null;
    else return null;
  }
  return out;
}

/** Salt's `split_comparison`: `>=1.2` to `['>=', '1.2']`; a bare or `=` version is `==`. */
export function comparisonSpec(spec: string): [string, string] {
  const m = /^(<=>|!=|>=|<=|>>|<<|<>|>|<|=)?\s?([^<>=]+)$/.exec(spec.trim());
  const op = m?.[1] ?? '';
  const version = m ? (m[2] ?? '') : spec.trim();
  return [op === '' || op === '=' ? '==' : op, version];
}

/** Salt's `_parse_version_string`: every comma-separated condition. */
export function versionConditions(spec: string): [string, string][] {
  const s = spec.trim();
  return s ? s.split(',').map(comparisonSpec) : [];
}

/** Ignore the epoch when the wanted version has none and the condition is an equality (Salt 3001's rule). */
function ignoresEpoch(op: string, want: string, ignoreEpoch: boolean | null): boolean {
  if (ignoreEpoch !== null) return ignoreEpoch;
  return !op.includes('<') && !op.includes('>') && !want.includes(':');
}

const stripEpoch = (v: string): string => v.replace(/^\d+:/, '');

/** pkg.version_cmp through the minion: -1, 0 or 1 (null when the module cannot tell). */
async function versionCmp(ctx: StateContext, a: string, b: string): Promise<number | null> {
  const r = await salt(ctx, 'pkg.version_cmp', [a, b]);
  return typeof r === 'number' ? r : null;
}

/** Salt's `_fulfills_version_spec`: one installed version against one condition. */
async function fulfillsSpec(
  ctx: StateContext,
  installed: string,
  op: string,
  want: string,
  ignoreEpoch: boolean | null,
): Promise<boolean> {
  if (op === '==' && fnmatch(installed, want)) return true;
  const drop = ignoresEpoch(op, want, ignoreEpoch);
  const c = await versionCmp(ctx, drop ? stripEpoch(installed) : installed, drop ? stripEpoch(want) : want);
  if (c === null) return false;
  switch (op) {
    case '==':
      return c === 0;
    case '!=':
    case '<>':
      return c !== 0;
    case '>=':
      return c >= 0;
    case '<=':
      return c <= 0;
    case '>':
    case '>>':
      return c > 0;
    case '<':
    case '<<':
      return c < 0;
    default:
      return false;
  }
}

/** Salt's `_fulfills_version_string`: some installed version meets every condition. */
export async function fulfillsVersion(
  ctx: StateContext,
  installed: readonly string[],
  spec: string,
  ignoreEpoch: boolean | null = null,
  allowUpdates = false,
): Promise<boolean> {
  const conds = versionConditions(spec);
  for (const v of installed) {
    let all = true;
    for (const [op0, want] of conds) {
      const op = allowUpdates && conds.length === 1 && op0 === '==' ? '>=' : op0;
      all = all && (await fulfillsSpec(ctx, v, op, want, ignoreEpoch));
    }
    if (all) return true;
  }
  return false;
}

/** Salt's `_get_desired_pkg`: `name=1.0`, `name>=1.0`, or the bare name. */
export function desiredLabel(name: string, desired: Desired): string {
  const v = desired[name];
  if (!v) return name;
  return /^[<>=]/.test(v) ? `${name}${v}` : `${name}=${v}`;
}

/** The installed packages: name -> every installed version (`pkg.list_pkgs versions_as_list=True`). */
export async function installedPkgs(
  ctx: StateContext,
  kwargs: Record<string, unknown> = {},
): Promise<Record<string, string[]>> {
  return (await salt(ctx, 'pkg.list_pkgs', [], { versions_as_list: true, ...kwargs })) as Record<string, string[]>;
}
