import { isRecord } from '@tsalt/core';
import { BadMessageError } from '../errors.js';
import { isStrOrList, optNonEmpty, reqString } from './fields.js';

/**
 * The mine's AES requests (Salt's AESFuncs `_mine`, `_mine_get`,
 * `_mine_delete`, `_mine_flush`), each from the minion named by the request
 * head, about its own mine (or, for `_mine_get`, what it may read of others').
 */
export const MINE_COMMANDS: ReadonlySet<string> = new Set(['_mine', '_mine_get', '_mine_delete', '_mine_flush']);

/** `_mine`: function name to data, merged into the sender's mine, or replacing it when `clear`. */
export interface MineStoreRequest {
  cmd: '_mine';
  data: Record<string, unknown>;
  clear: boolean;
}

/** `_mine_get`: the mine data of the minions `tgt` matches, for one function, a comma list or a list. */
export interface MineGetRequest {
  cmd: '_mine_get';
  tgt: string | string[];
  /** The functions asked for, deduplicated as Salt does for a comma string. */
  funs: string[];
  /** Salt answers `{fun: {minion: data}}` for several functions (or a list), `{minion: data}` for one. */
  byFunction: boolean;
  tgtType: string;
}

export interface MineDeleteRequest {
  cmd: '_mine_delete';
  fun: string;
}

export interface MineFlushRequest {
  cmd: '_mine_flush';
}

export type MineRequest = MineStoreRequest | MineGetRequest | MineDeleteRequest | MineFlushRequest;

/**
 * One mine request, after the head (`cmd`, `id`, `tok`) was checked; throws
 * BadMessageError naming the field that is missing or wrong (Salt answers
 * those with `{}` or False). `tgt_type` falls back to the older
 * `expr_form`, then `glob`, as Salt's masterapi.
 */
export function parseMineRequest(load: Record<string, unknown>, cmd: string): MineRequest {
  switch (cmd) {
    case '_mine': {
      const data = load['data'];
      if (!isRecord(data)) throw new BadMessageError('_mine: data must be a mapping', 'data');
      return { cmd, data, clear: load['clear'] === true };
    }
    case '_mine_get': {
      const tgt = load['tgt'];
      if (!isStrOrList(tgt)) throw new BadMessageError('_mine_get: tgt must be a string or a list', 'tgt');
      const fun = load['fun'];
      let funs: string[];
      let byFunction: boolean;
      if (typeof fun === 'string') {
        funs = [...new Set(fun.split(','))];
        byFunction = funs.length > 1;
      } else if (Array.isArray(fun) && fun.every((f) => typeof f === 'string')) {
        funs = fun;
        byFunction = true;
      } else {
        throw new BadMessageError('_mine_get: fun must be a string or a list of strings', 'fun');
      }
      const tgtType = optNonEmpty(load, 'tgt_type') ?? optNonEmpty(load, 'expr_form') ?? 'glob';
      return { cmd, tgt, funs, byFunction, tgtType };
    }
    case '_mine_delete':
      return { cmd, fun: reqString(load, 'fun', '_mine_delete') };
    case '_mine_flush':
      return { cmd };
    default:
      throw new BadMessageError(`not a mine request: ${cmd.slice(0, 40)}`, 'cmd');
  }
}

/** The minion's reading of a `_mine_get` reply: the mapping, or `{}` for anything else (a refusal, False). */
export function parseMineGetReply(reply: unknown): Record<string, unknown> {
  return isRecord(reply) ? reply : {};
}
