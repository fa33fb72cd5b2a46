/**
 * state_compress_ids (Salt's `_compress_ids`): the states of one id run over
 * several `names` become one entry per id, sls and result, `<id> (<count>)`,
 * with the lowest `__run_num__`, the summed duration, the earliest start and
 * the changes keyed by name. Any surprise in the data leaves it as it was.
 */
import { pyStr } from '@tsalt/core';
import { isDict, pyRound, truthy } from './highstate-py.js';

type Ret = Record<string, unknown>;

function groupKey(tname: string, info: Ret): string {
  for (const k of ['__id__', '__sls__', 'result']) if (!(k in info)) throw new Error(`KeyError: ${k}`);
  return [tname.split('_|-')[0] ?? '', info['__id__'], info['__sls__'], info['result']].map(pyStr).join('_');
}

export function compressIds(data: unknown): unknown {
  if (!isDict(data)) return data;
  try {
    const out: Record<string, Record<string, Ret>> = {};
    for (const [host, hostdata] of Object.entries(data)) {
      if (!isDict(hostdata)) throw new Error("'list' object has no attribute 'items'");
      const hostOut: Record<string, Ret> = {};
      out[host] = hostOut;
      const count = new Map<string, number>();
      for (const [tname, info] of Object.entries(hostdata)) {
        if (!isDict(info)) throw new Error('TypeError');
        const k = groupKey(tname, info);
        count.set(k, (count.get(k) ?? 0) + 1);
      }
      for (const [tname, raw] of Object.entries(hostdata)) {
        const info = raw as Ret;
        const n = count.get(groupKey(tname, info)) ?? 1;
        if (n === 1) {
          hostOut[tname] = info;
          continue;
        }
        const comps = tname.split('_|-');
        if (comps.length < 3) throw new Error('IndexError');
        comps[2] = ['state_compressed', info['__sls__'], info['__id__'], info['result']].map(pyStr).join('_');
        comps[1] = `${pyStr(info['__id__'])} (${n})`;
        const key = comps.join('_|-');
        const first = hostOut[key];
        if (first === undefined) {
          hostOut[key] = { ...info };
          continue;
        }
        first['__run_num__'] = Math.min(num(info['__run_num__']), num(first['__run_num__']));
        first['duration'] = pyRound(num(info['duration']) + num(first['duration']), 3);
        const [a, b] = [info['start_time'], first['start_time']];
        if (typeof a !== 'string' || typeof b !== 'string') throw new Error('TypeError');
        first['start_time'] = a < b ? a : b;
        if (truthy(first['changes']) && truthy(info['changes'])) {
          const fc = first['changes'];
          if (!isDict(fc)) throw new Error('AttributeError');
          if (!truthy(fc['compressed changes']))
            first['changes'] = { 'compressed changes': { [pyStr(first['name'])]: fc } };
          const merged = (first['changes'] as Ret)['compressed changes'];
          if (!isDict(merged)) throw new Error('AttributeError');
          merged[pyStr(info['name'])] = info['changes'];
        } else if (truthy(info['changes'])) {
          first['changes'] = { 'compressed changes': { [pyStr(info['name'])]: info['changes'] } };
        }
      }
    }
    return out;
  } catch {
    // Salt logs "Unable to compress state output by ID! Returning output normally." and prints the data as is.
    return data;
  }
}

function num(v: unknown): number {
  if (typeof v !== 'number') throw new Error('TypeError');
  return v;
}
