import { BadMessageError } from '../errors.js';
import { isStrOrList } from './fields.js';

/*
 * Peer requests from minions (Salt's AESFuncs.minion_pub, minion_publish,
 * pub_ret, minion_runner): what `publish.*` and `saltutil.runner/wheel/cmd`
 * send. Salt answers any malformed one with `{}`; the parsers refuse with
 * BadMessageError naming the field, and the master answers `{}`.
 */

/** The AES commands of peer publishing, tsalt's `minion_wheel` included. */
export const PEER_COMMANDS = new Set(['minion_pub', 'minion_publish', 'pub_ret', 'minion_runner', 'minion_wheel']);

/** `minion_pub` / `minion_publish`: a job the minion asks the master to publish. */
export interface PeerPublishLoad {
  /** One function, or a compound call's list (Salt splits `a,b` on commas). */
  fun: string | string[];
  /** The arguments, raw as the minion sent them (the master parses `k=v` once it has allowed the call); a list per function for a compound call. */
  arg: unknown[];
  tgt: string | string[];
  tgt_type: string;
  /** Returners for the published job, comma-separated; '' for none. */
  ret: string;
  /** `tmo` or `timeout` (s), when given; undefined when absent. */
  timeout: number | undefined;
  /** A `tmo`/`timeout` that was not a number: Salt's minion_publish refuses the call. */
  badTimeout: string | undefined;
  /** `full`: each minion's whole return; else only the returned data. */
  form: 'full' | 'clean';
  /** Keyword names whose values stay raw strings (Salt's `no_parse`). */
  noParse: string[];
}

function noParse(load: Record<string, unknown>): string[] {
  const v = load['no_parse'];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function timeoutOf(load: Record<string, unknown>): { timeout: number | undefined; bad: string | undefined } {
  let timeout: number | undefined;
  let bad: string | undefined;
  for (const key of ['tmo', 'timeout']) {
    const v = load[key];
    if (v === undefined || v === null) continue;
    // Python's int(): an integer, or a string holding one (a float string fails as in Salt).
    const n =
      typeof v === 'number' ? Math.trunc(v) : typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v) ? Number(v) : NaN;
    if (Number.isFinite(n)) timeout = n;
    else bad = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return { timeout, bad };
}

/** Salt's `fun` with commas: a compound call, each argument string split on whitespace. */
function compound(fun: string, arg: unknown[]): { fun: string | string[]; arg: unknown[] } {
  if (!fun.includes(',')) return { fun, arg };
  const args = arg.map((a) => (typeof a === 'string' ? a.split(/\s+/).filter((s) => s !== '') : []));
  return { fun: fun.split(','), arg: args };
}

/** The publish a minion asks for, or a refusal naming the field (Salt needs fun, arg, tgt and ret). */
export function parsePeerPublish(load: Record<string, unknown>): PeerPublishLoad {
  const fun = load['fun'];
  if (typeof fun !== 'string' || fun === '') throw new BadMessageError('peer publish: fun must be a string', 'fun');
  const arg = load['arg'];
  if (!Array.isArray(arg)) throw new BadMessageError('peer publish: arg must be a list', 'arg');
  const tgt = load['tgt'];
  if (!isStrOrList(tgt)) throw new BadMessageError('peer publish: tgt must be a string or a list', 'tgt');
  const ret = load['ret'];
  if (ret === undefined) throw new BadMessageError('peer publish: ret is missing', 'ret');
  const tgtType = load['tgt_type'];
  const t = timeoutOf(load);
  return {
    ...compound(fun, arg as unknown[]),
    tgt,
    tgt_type: typeof tgtType === 'string' && tgtType !== '' ? tgtType : 'glob',
    ret: typeof ret === 'string' ? ret : '',
    timeout: t.timeout,
    badTimeout: t.bad,
    form: load['form'] === 'full' ? 'full' : 'clean',
    noParse: noParse(load),
  };
}

/** `minion_runner` (and tsalt's `minion_wheel`): a master function to run for the minion. */
export interface PeerRunLoad {
  fun: string;
  arg: unknown[];
  noParse: string[];
}

export function parsePeerRun(load: Record<string, unknown>): PeerRunLoad {
  const fun = load['fun'];
  if (typeof fun !== 'string' || fun === '') throw new BadMessageError('minion_runner: fun must be a string', 'fun');
  const arg = load['arg'];
  if (!Array.isArray(arg)) throw new BadMessageError('minion_runner: arg must be a list', 'arg');
  return { fun, arg: arg as unknown[], noParse: noParse(load) };
}

/** `pub_ret`: the returns so far of a job this minion published. */
export function parsePubRet(load: Record<string, unknown>): { jid: string } {
  const jid = load['jid'];
  if (typeof jid !== 'string' && typeof jid !== 'number') throw new BadMessageError('pub_ret: jid is missing', 'jid');
  return { jid: String(jid) };
}
