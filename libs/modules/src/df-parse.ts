import { pyStr } from '@tsalt/core';
import { ModuleError } from './errors.js';

/** Parsers for `df -P`, `df -iP` and `blkid`, in salt/modules/disk.py's shapes (values stay text, as there). */

export interface DfUsage {
  filesystem: string;
  '1K-blocks': string;
  used: string;
  available: string;
  capacity: string;
}

/**
 * The columns of `df -P` rows, with a filesystem name holding spaces joined
 * back (the second column is the first all-digit one) and a row that df
 * wrapped after a long name put back together.
 */
function dfRows(out: string): string[][] {
  const rows: string[][] = [];
  let pending: string | null = null;
  for (const raw of out.split('\n')) {
    if (!raw || raw.startsWith('Filesystem')) continue;
    const line: string = pending === null ? raw : `${pending} ${raw}`;
    const c = line.trim().split(/\s+/);
    if (c.length === 1) {
      pending = line;
      continue;
    }
    pending = null;
    while (c.length >= 2 && !/^\d+$/.test(c[1] ?? '')) c.splice(0, 2, `${c[0] ?? ''} ${c[1] ?? ''}`);
    if (c.length >= 2) rows.push(c);
  }
  return rows;
}

/** `df -P`: {mount: {filesystem, 1K-blocks, used, available, capacity}}. */
export function parseDfUsage(out: string): Record<string, DfUsage> {
  const ret: Record<string, DfUsage> = {};
  for (const c of dfRows(out)) {
    if (c.length < 6) return {}; // Salt logs "Problem parsing disk usage information" and gives up
    ret[c[5] ?? ''] = {
      filesystem: c[0] ?? '',
      '1K-blocks': c[1] ?? '',
      used: c[2] ?? '',
      available: c[3] ?? '',
      capacity: c[4] ?? '',
    };
  }
  return ret;
}

/** `df -P`: {mount: capacity}. */
export function parseDfPercent(out: string): Record<string, string> {
  const ret: Record<string, string> = {};
  for (const c of dfRows(out)) {
    if (c.length < 6) return {};
    ret[c[5] ?? ''] = c[4] ?? '';
  }
  return ret;
}

export interface DfInodes {
  inodes: string;
  used: string;
  free: string;
  use: string;
  filesystem: string;
}

/** `df -iP`: {mount: {inodes, used, free, use, filesystem}}. */
export function parseDfInodes(out: string): Record<string, DfInodes> {
  const ret: Record<string, DfInodes> = {};
  for (const line of out.split('\n')) {
    if (line.startsWith('Filesystem')) continue;
    const c = line.trim().split(/\s+/);
    if (c.length === 1 && c[0] === '') continue;
    if (c.length < 6) return {};
    ret[c[5] ?? ''] = {
      inodes: c[1] ?? '',
      used: c[2] ?? '',
      free: c[3] ?? '',
      use: c[4] ?? '',
      filesystem: c[0] ?? '',
    };
  }
  return ret;
}

/** `blkid`: {device: {UUID, TYPE, ...}}. */
export function parseBlkid(out: string): Record<string, Record<string, string>> {
  const ret: Record<string, Record<string, string>> = {};
  for (const line of out.split('\n')) {
    if (!line) continue;
    const colon = line.indexOf(': ');
    if (colon < 0) continue;
    const info: Record<string, string> = {};
    for (const m of line.slice(colon + 2).matchAll(/([^\s=]+)="([^"]*)"/g)) info[m[1] ?? ''] = m[2] ?? '';
    ret[line.slice(0, colon)] = info;
  }
  return ret;
}

/** Salt's `_clean_flags`: only df's harmless flags pass, each one character. */
export function dfFlags(args: unknown, caller: string): string {
  if (args === null || args === undefined) return '';
  const allowed = new Set('aBhHiklPtTxv'.split(''));
  const items = Array.isArray(args) ? args.map(String) : pyStr(args).split('');
  for (const f of items)
    if (!allowed.has(f)) throw new ModuleError('INVALID_ARGUMENT', `Invalid flag passed to ${caller}`);
  return items.join('');
}
