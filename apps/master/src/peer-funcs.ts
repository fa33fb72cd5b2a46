import type { Logger } from '@tsalt/core';
import { errorLine, isRecord } from '@tsalt/core';
import { parseCliArgs } from '@tsalt/loader';
import type { MasterConfig } from '@tsalt/config';
import type { JobCache } from '@tsalt/returners';
import { BadMessageError, parsePeerPublish, parsePeerRun, parsePubRet, type PeerPublishLoad } from '@tsalt/transport';
import { permsFor, publishAllowed, runnerAllowed } from './peer-acl.js';
import type { PeerRunner } from './peer-runner.js';

/*
 * Peer publishing (Salt's AESFuncs.minion_pub, minion_publish, pub_ret,
 * minion_runner): a minion asks the master to publish a job, or to run a
 * runner, under the master's `peer` and `peer_run` ACLs. A refused call
 * answers `{}` as Salt does, is logged here with the minion and the
 * function, and never reaches a minion. The token was checked by the caller.
 */

export interface PeerDeps {
  opts: MasterConfig;
  log: Logger;
  /** The master's own clear `publish` (the root key added): resolves to the reply envelope. */
  publish(load: Record<string, unknown>): Promise<unknown>;
  jobCache: JobCache;
  /** Salt's check_minions over the accepted keys (nodegroups resolved); throws on a bad target. */
  minions(tgt: string | string[], tgtType: string): string[];
  /** Runs runners and wheel functions for a minion. */
  runner: Pick<PeerRunner, 'runner' | 'wheelCall' | 'close'>;
}

/** Who published each recent peer job (Salt's `publish_auth/<jid>` file): only they may read its returns. */
const owners = new Map<string, string>();
const OWNERS_MAX = 10_000;

/** How often minion_publish looks for new returns while it waits (ms). */
const POLL_MS = 250;

/** Salt's `parse_input(arg, no_parse)`: strings yamlified, `k=v` strings into one trailing `__kwarg__` dict. */
export function parseInput(arg: readonly unknown[], noParse: readonly string[]): unknown[] {
  const args: unknown[] = [];
  const kwargs: Record<string, unknown> = {};
  let haveKwargs = false;
  const setOwn = (k: string, v: unknown): void =>
    void Object.defineProperty(kwargs, k, { value: v, enumerable: true, writable: true, configurable: true });
  for (const a of arg) {
    if (typeof a === 'string') {
      const parsed = parseCliArgs([a], noParse);
      const one = parsed[0];
      if (isRecord(one) && one['__kwarg__'] === true) {
        for (const [k, v] of Object.entries(one)) if (k !== '__kwarg__') setOwn(k, v);
        haveKwargs = true;
      } else args.push(one);
    } else if (isRecord(a) && a['__kwarg__'] === true) {
      for (const [k, v] of Object.entries(a)) if (k !== '__kwarg__') setOwn(k, v);
      haveKwargs = true;
    } else args.push(a);
  }
  if (!haveKwargs) return args;
  setOwn('__kwarg__', true);
  return [...args, kwargs];
}

function parsed<T>(parse: () => T, id: string, cmd: string, d: PeerDeps): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof BadMessageError)) throw err;
    d.log.warn({ minion: id, cmd, field: err.field }, `refused a bad peer request: ${err.message}`);
    return undefined;
  }
}

const funText = (fun: string | string[]): string => (Array.isArray(fun) ? fun.join(',') : fun);

/** The ACL check of Salt's __verify_minion_publish; logs and answers false on a refusal. */
function publishPermitted(id: string, req: PeerPublishLoad, d: PeerDeps): boolean {
  const funs = Array.isArray(req.fun) ? req.fun : [req.fun];
  const refuse = (why: string): false => {
    d.log.warn({ minion: id, fun: funText(req.fun), tgt: req.tgt }, `peer publish refused: ${why}`);
    return false;
  };
  // A minion may not make another publish: that could loop for ever.
  if (funs.some((f) => f.startsWith('publish.'))) return refuse('a publish.* call may not be published');
  const acl = isRecord(d.opts.peer) ? d.opts.peer : {};
  const onBad = (pattern: string): void => d.log.error(`Invalid regular expression: ${pattern}`);
  const perms = permsFor(acl, id, onBad);
  try {
    const check = { minions: (t: string | string[], type: string) => d.minions(t, type), onBad };
    // The arguments as they will be published: a `k=v` string is checked as the keyword argument it becomes.
    const arg = Array.isArray(req.fun) ? req.arg : [parseInput(req.arg, req.noParse)];
    if (!publishAllowed(perms, req.fun, Array.isArray(req.fun) ? arg : arg[0], req.tgt, req.tgt_type, check))
      return refuse(`minion ${id} may not publish ${funText(req.fun)} (master config peer)`);
  } catch (err) {
    return refuse(`bad target: ${errorLine(err)}`);
  }
  return true;
}

function remember(jid: string, id: string): void {
  if (owners.size >= OWNERS_MAX) owners.delete(owners.keys().next().value as string);
  owners.set(jid, id);
}

/** Publishes an allowed peer job with the minion as its user; the master's reply load, or undefined. */
async function publishFor(id: string, req: PeerPublishLoad, d: PeerDeps): Promise<Record<string, unknown> | undefined> {
  const arg = Array.isArray(req.fun) ? req.arg : parseInput(req.arg, req.noParse);
  const reply = await d.publish({ tgt: req.tgt, fun: req.fun, arg, tgt_type: req.tgt_type, ret: req.ret, user: id });
  const body = isRecord(reply) && isRecord(reply['load']) ? reply['load'] : undefined;
  if (!body || isRecord(body['error'])) {
    d.log.warn({ minion: id, fun: funText(req.fun), err: body?.['error'] }, 'peer publish failed');
    return undefined;
  }
  const jid = typeof body['jid'] === 'string' ? body['jid'] : '';
  if (jid) remember(jid, id);
  d.log.info({ minion: id, jid, fun: funText(req.fun), tgt: req.tgt }, 'published a peer job');
  return body;
}

/** Salt's get_cache_returns: `{minion: {ret, out?}}` (tsalt adds `retcode` when known). */
async function cacheReturns(jid: string, d: PeerDeps): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  if (!jid) return out;
  const data = await d.jobCache.getJid(jid);
  for (const [minion, r] of Object.entries(data)) {
    out[minion] = {
      ret: r.return,
      ...(r.out !== undefined ? { out: r.out } : {}),
      ...(r.retcode !== undefined ? { retcode: r.retcode } : {}),
    };
  }
  return out;
}

/** `minion_pub`: publishes and answers `{jid, minions}` at once; the minion then polls `pub_ret`. */
async function minionPub(load: Record<string, unknown>, id: string, d: PeerDeps): Promise<unknown> {
  const req = parsed(() => parsePeerPublish(load), id, 'minion_pub', d);
  if (!req || !publishPermitted(id, req, d)) return {};
  const body = await publishFor(id, req, d);
  if (!body) return {};
  return { jid: body['jid'], minions: Array.isArray(body['minions']) ? body['minions'] : [] };
}

/** `minion_publish`: publishes, waits up to the timeout (s) for the returns, and answers them. */
async function minionPublish(load: Record<string, unknown>, id: string, d: PeerDeps): Promise<unknown> {
  const req = parsed(() => parsePeerPublish(load), id, 'minion_publish', d);
  if (!req) return {};
  if (req.badTimeout !== undefined) {
    d.log.warn(`Failed to parse timeout value: ${req.badTimeout}`);
    return {};
  }
  if (!publishPermitted(id, req, d)) return {};
  const body = await publishFor(id, req, d);
  if (!body) return {};
  const jid = typeof body['jid'] === 'string' ? body['jid'] : '';
  const expected = Array.isArray(body['minions']) ? (body['minions'] as string[]) : [];
  const deadline = Date.now() + (req.timeout ?? d.opts.timeout) * 1000;
  let rets = await cacheReturns(jid, d);
  while (jid && expected.some((m) => !(m in rets)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    rets = await cacheReturns(jid, d);
  }
  const out: Record<string, unknown> = {};
  for (const [minion, r] of Object.entries(rets)) out[minion] = req.form === 'full' ? { ...r, jid } : r['ret'];
  if (req.form === 'full') out['__jid__'] = jid;
  return out;
}

/** `pub_ret`: the returns so far of a job this minion published; `{}` for anyone else's. */
async function pubRet(load: Record<string, unknown>, id: string, d: PeerDeps): Promise<unknown> {
  const req = parsed(() => parsePubRet(load), id, 'pub_ret', d);
  if (!req) return {};
  if (owners.get(req.jid) !== id) {
    d.log.warn({ minion: id, jid: req.jid }, 'pub_ret refused: the job was not published by that minion');
    return {};
  }
  return cacheReturns(req.jid, d);
}

/**
 * `minion_runner` (and tsalt's `minion_wheel`, the wheel function named
 * `wheel.<fun>` in the ACL): under `peer_run`, runs on the master and
 * answers the return; a refusal answers `{}`.
 */
async function minionRun(load: Record<string, unknown>, id: string, cmd: string, d: PeerDeps): Promise<unknown> {
  const req = parsed(() => parsePeerRun(load), id, cmd, d);
  if (!req) return {};
  const wheel = cmd === 'minion_wheel';
  const name = wheel ? `wheel.${req.fun.replace(/^wheel\./, '')}` : req.fun;
  const acl = isRecord(d.opts.peer_run) ? d.opts.peer_run : {};
  const onBad = (pattern: string): void => d.log.error(`Invalid regular expression: ${pattern}`);
  if (!runnerAllowed(permsFor(acl, id, onBad), name, onBad)) {
    d.log.warn(
      { minion: id, fun: name },
      `peer runner refused: minion ${id} may not run ${name} (master config peer_run)`,
    );
    return {};
  }
  const arg = parseInput(req.arg, req.noParse);
  d.log.info({ minion: id, fun: name }, 'running a peer runner');
  return wheel ? d.runner.wheelCall(id, req.fun, arg) : d.runner.runner(id, req.fun, arg);
}

/** One peer request, by its command (one of PEER_COMMANDS). */
export function servePeer(cmd: string, load: Record<string, unknown>, id: string, d: PeerDeps): Promise<unknown> {
  if (cmd === 'minion_pub') return minionPub(load, id, d);
  if (cmd === 'minion_publish') return minionPublish(load, id, d);
  if (cmd === 'pub_ret') return pubRet(load, id, d);
  return minionRun(load, id, cmd, d);
}
