import { isDeepStrictEqual } from 'node:util';
import { isRecord } from '@tsalt/core';
import { REQUISITES, type LowChunk, type RequisiteRef } from '../types.js';
import type { Dict } from './verify-high.js';

/*
 * Salt's compile_high_data and order_chunks: one chunk per (id, state,
 * name, function), the argument dicts flattened into it, `names` expanded,
 * then sorted by `order` and `state + name + fun`.
 */

/** The requisite lists normalised into one-key refs (Salt's runtime reads a bare string as `{id: ...}`). */
const NORMALISED: ReadonlySet<string> = new Set([...REQUISITES, 'prerequired']);

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** `- require: [a, {file: b}, {pkg: c, file: d}]` as `[{id: a}, {file: b}, {pkg: c}, {file: d}]`. */
export function normaliseRefs(value: unknown): RequisiteRef[] {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const out: RequisiteRef[] = [];
  for (const item of items) {
    if (typeof item === 'string' || typeof item === 'number') out.push({ id: String(item) });
    else if (isRecord(item)) for (const [k, v] of Object.entries(item)) out.push({ [k]: String(v) });
  }
  return out;
}

export function compileHighData(high: Dict): LowChunk[] {
  const chunks: Array<LowChunk & { name_order?: number }> = [];
  for (const [id, body] of Object.entries(high)) {
    if (id.startsWith('__') || !isRecord(body)) continue;
    for (const [state, run] of Object.entries(body)) {
      if (state.startsWith('__') || !Array.isArray(run)) continue;
      const funs: string[] = [];
      const names: unknown[] = [];
      const chunk: Dict = { state, name: id };
      if ('__sls__' in body) chunk['__sls__'] = body['__sls__'];
      if ('__env__' in body) chunk['__env__'] = body['__env__'];
      chunk['__id__'] = id;
      for (const arg of run) {
        if (typeof arg === 'string') {
          if (!funs.includes(arg)) funs.push(arg);
          continue;
        }
        if (!isRecord(arg)) continue;
        for (const [key, val] of Object.entries(arg)) {
          if (key === 'names') {
            for (const n of Array.isArray(val) ? val : [])
              if (!names.some((m) => isDeepStrictEqual(m, n))) names.push(n);
          } else if (key === 'state') {
            // A state override is not passed down.
            continue;
          } else if (key === 'name' && typeof val !== 'string') chunk[key] = id;
          else chunk[key] = val;
        }
      }
      const emit = (live: Dict): void => {
        for (const r of Object.keys(live)) if (NORMALISED.has(r)) live[r] = normaliseRefs(live[r]);
        for (const fun of funs) chunks.push({ ...clone(live), fun } as LowChunk);
      };
      if (names.length) {
        names.forEach((entry, i) => {
          const live = clone(chunk);
          if (isRecord(entry)) {
            const lowName = Object.keys(entry)[0] ?? '';
            live['name'] = lowName;
            // Per-name arguments: a list of one-key dicts (Salt's form), or one dict.
            const extra = entry[lowName];
            for (const d of Array.isArray(extra) ? extra : [extra]) if (isRecord(d)) Object.assign(live, d);
          } else live['name'] = String(entry);
          live['name_order'] = i + 1;
          emit(live);
        });
      } else emit(chunk);
    }
  }
  return orderChunks(chunks);
}

/**
 * Salt's order_chunks: `first` is 0; no order (or a non-numeric one) is the
 * cap, 100 past the largest positive integer order; `last` is cap+1000000,
 * a negative order counts back from there; names keep their written order
 * within their state (+ n/10000).
 */
export function orderChunks(chunks: Array<LowChunk & { name_order?: number }>): LowChunk[] {
  let cap = 1;
  for (const c of chunks) {
    const o: unknown = c['order'];
    if (Number.isInteger(o) && (o as number) > cap - 1 && (o as number) > 0) cap = (o as number) + 100;
  }
  for (const c of chunks) {
    const o: unknown = c['order'];
    let order: number;
    if (o === undefined) {
      c.order = cap;
      delete c.name_order;
      continue;
    }
    if (typeof o === 'number') order = o;
    else if (o === 'last') order = cap + 1000000;
    else if (o === 'first') order = 0;
    else order = cap;
    if (c.name_order !== undefined) {
      order += c.name_order / 10000;
      delete c.name_order;
    }
    if (order < 0) order = cap + 1000000 + order;
    c.order = order;
  }
  const key = (c: LowChunk): string => `${c.state}${String(c.name)}${c.fun}`;
  // Python compares strings by code point, not by locale.
  return chunks.sort((a, b) => a.order - b.order || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
