import { isRecord } from '@tsalt/core';
import { yamlifyArg } from '@tsalt/loader';
import type { MasterRequestService, ModuleContext } from './context.js';

/*
 * The minion's side of peer publishing, as Salt 3006.8's publish module
 * speaks it: `minion_pub` (the master publishes and answers `{jid,
 * minions}`), then `pub_ret` every 0.3 s until every targeted minion has
 * returned or the timeout has passed; `minion_runner` for a runner. Used by
 * publish.* and saltutil.runner/wheel/cmd.
 */

/** How long one request waits for the master (ms): Salt's ReqChannel default, 60 s. */
const REQUEST_TIMEOUT_MS = 60_000;
/** Between two `pub_ret` polls (ms), as Salt's loop_interval 0.3 s. */
const POLL_MS = 300;

/** Salt's publish `_parse_args`: the argument yamlified, always a list. */
export function parsePublishArg(arg: unknown): unknown[] {
  const v = yamlifyArg(arg);
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The request service, or undefined (tsalt-call --local, the master's reactor). */
export function masterLink(ctx: ModuleContext): MasterRequestService | undefined {
  return ctx.opts.local === true ? undefined : ctx.services.masterRequest;
}

/** The request failed without a reply: Salt's timeout text, or an error. */
export class PeerTimeout extends Error {}

async function send(svc: MasterRequestService, load: Record<string, unknown>): Promise<unknown> {
  const r = await svc.send(load, REQUEST_TIMEOUT_MS);
  if (r.ok) return r.value;
  if (r.timedOut) throw new PeerTimeout(r.error);
  throw new Error(r.error);
}

export interface PeerPublish {
  tgt: unknown;
  fun: string;
  arg: unknown[];
  tgtType: string;
  returner: string;
  /** How long to wait for the returns (s). */
  timeout: number;
  form: 'clean' | 'full';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Publishes through the master and gathers the returns: `{minion: return}`
 * (clean) or `{minion: {ret, out?, retcode?}}` (full); `{}` when the master
 * refused. Throws PeerTimeout when the master did not answer.
 */
export async function peerPublish(
  ctx: ModuleContext,
  svc: MasterRequestService,
  p: PeerPublish,
): Promise<Record<string, unknown>> {
  const peerData = await send(svc, {
    cmd: 'minion_pub',
    fun: p.fun,
    arg: p.arg,
    tgt: p.tgt,
    tgt_type: p.tgtType,
    ret: p.returner,
    tmo: p.timeout,
    form: p.form,
    no_parse: Array.isArray(ctx.opts['no_parse']) ? ctx.opts['no_parse'] : [],
  });
  if (!isRecord(peerData) || typeof peerData['jid'] !== 'string' || peerData['jid'] === '') return {};
  const jid = peerData['jid'];
  const matched = new Set(Array.isArray(peerData['minions']) ? peerData['minions'].map(String) : []);
  if (matched.size === 0) return {};
  for (let loop = 0; ; loop++) {
    const ret = await send(svc, { cmd: 'pub_ret', jid });
    const rets = isRecord(ret) ? ret : {};
    const returned = Object.keys(rets);
    const all = [...matched].every((m) => m in rets);
    if (!all && (POLL_MS / 1000) * loop <= p.timeout) {
      await sleep(POLL_MS);
      continue;
    }
    if (!all && returned.length === 0) return {};
    if (p.form === 'full') return rets;
    const clean: Record<string, unknown> = {};
    for (const [host, r] of Object.entries(rets)) clean[host] = isRecord(r) ? r['ret'] : r;
    return clean;
  }
}

/** Runs a runner on the master under `peer_run` (`minion_runner`): its return, or `{}` when refused. */
export function peerRun(
  svc: MasterRequestService,
  cmd: 'minion_runner' | 'minion_wheel',
  fun: string,
  arg: unknown[],
  timeout: number,
): Promise<unknown> {
  return send(svc, { cmd, fun, arg, tmo: timeout });
}
