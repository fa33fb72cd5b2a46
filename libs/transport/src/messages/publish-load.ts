import { isRecord } from '@tsalt/core';
import { BadMessageError } from '../errors.js';
import { isStrOrList, optNonEmpty, optString } from './fields.js';

/**
 * `publish` from a local client on the request port (Salt's
 * `ClearFuncs.publish`). The root `key` is read first, on its own
 * (`parsePublishKey`): an unauthenticated caller is refused before anything
 * else of its load is looked at.
 */
export interface PublishRequest {
  fun: string | string[];
  tgt: string | string[];
  /** 'glob' when absent. */
  tgt_type: string;
  arg: unknown[];
  /** A jid the client chose, else undefined (the master makes one). */
  jid: string | undefined;
  /** 'root' when absent. */
  user: string;
  /** `--return a,b`; '' when absent. */
  ret: string;
  /** Salt's publish kwargs: `delimiter`, `ret_config`, `ret_kwargs`, `metadata`, … kept as sent. */
  kwargs: Record<string, unknown>;
}

/** The root key a local client offers (undefined when none). */
export function parsePublishKey(load: Record<string, unknown>): string | undefined {
  return optString(load, 'key');
}

/** A `publish`'s fields, or a refusal naming `fun` or `tgt` (messages are what the client is told). */
export function parsePublishRequest(load: Record<string, unknown>): PublishRequest {
  const fun = load['fun'];
  if (typeof fun !== 'string' && !Array.isArray(fun)) throw new BadMessageError('publish has no function', 'fun');
  const tgt = load['tgt'];
  if (typeof tgt !== 'string' && !Array.isArray(tgt)) throw new BadMessageError('publish has no target', 'tgt');
  const arg = load['arg'];
  const kwargs = load['kwargs'];
  return {
    fun: fun as string | string[],
    tgt: tgt as string | string[],
    tgt_type: optString(load, 'tgt_type') ?? 'glob',
    arg: Array.isArray(arg) ? arg : [],
    jid: optNonEmpty(load, 'jid'),
    user: optString(load, 'user') ?? 'root',
    ret: optString(load, 'ret') ?? '',
    kwargs: isRecord(kwargs) ? kwargs : {},
  };
}

/**
 * The publish load: what the master seals on the publish port and every
 * minion opens (Salt's `_prep_pub` load). Fields a Salt master adds that
 * tsalt does not read (`kwargs`, `__pub_*`, …) are kept as they came.
 */
export interface PublishLoad {
  fun: string | string[];
  arg: unknown[];
  tgt: string | string[];
  tgt_type: string;
  jid: string;
  /** Returners to send to besides the master (`--return`): a comma list, or a list. */
  ret?: unknown;
  user?: string;
  /** The master's publish counter: a minion drops one not above the last it ran (replay). */
  serial?: number;
  /** For grain and pillar targets (`--delimiter`). */
  delimiter?: string;
  metadata?: unknown;
  ret_config?: unknown;
  ret_kwargs?: unknown;
  [k: string]: unknown;
}

/** The replay counter, read before the rest: a replayed publish is dropped whatever it holds. 0 when absent. */
export function parsePublishSerial(load: Record<string, unknown>): number {
  const serial = load['serial'];
  return typeof serial === 'number' ? serial : 0;
}

/** A publish load as a minion receives it, or a refusal naming `jid`, `tgt` or `fun`. */
export function parsePublishLoad(load: Record<string, unknown>): PublishLoad {
  const { jid, tgt, fun, arg } = load;
  if (typeof jid !== 'string') throw new BadMessageError('publish: jid must be a string', 'jid');
  if (!isStrOrList(tgt)) throw new BadMessageError('publish: tgt must be a string or a list of strings', 'tgt');
  if (typeof fun !== 'string' && !Array.isArray(fun)) throw new BadMessageError('publish: no function', 'fun');
  const out: PublishLoad = {
    ...load,
    jid,
    tgt,
    fun: fun as string | string[],
    arg: Array.isArray(arg) ? arg : [],
    tgt_type: optString(load, 'tgt_type') ?? 'glob',
  };
  // Kept even when '' (it reaches the job as sent); only a non-string is dropped.
  if (optString(load, 'delimiter') === undefined) delete out.delimiter;
  if (optString(load, 'user') === undefined) delete out.user;
  if (typeof out.serial !== 'number') delete out.serial;
  return out;
}
