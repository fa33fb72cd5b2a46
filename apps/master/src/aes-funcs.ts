import type { KeyObject } from 'node:crypto';
import type { Logger } from '@tsalt/core';
import { errorLine, isRecord } from '@tsalt/core';
import { type KeyStore, DecryptError } from '@tsalt/crypto';
import {
  asBytes,
  BadMessageError,
  openAes,
  parseAesHead,
  parseCommand,
  parseFileRequest,
  parseMineRequest,
  FILE_COMMANDS,
  MINE_COMMANDS,
  parseMinionEventLoad,
  parseNonce,
  PEER_COMMANDS,
  parsePresenceLoad,
  parseReturnLoad,
  sealAes,
  type Envelope,
  type MinionEventLoad,
  type ReturnLoad,
} from '@tsalt/transport';
import { tokenValid } from './minion-token.js';
import type { ReturnLoad as StoredReturn } from '@tsalt/returners';
import { isJid } from '@tsalt/job';
import type { MasterConfig } from '@tsalt/config';
import type { SessionKeys } from './session.js';
import type { CacheWriter } from './cache-writer.js';
import type { Presence } from './presence.js';
import type { JobTargets } from './job-targets.js';
import { jobTargetedMinion, type ReturnTargetDeps } from './return-target.js';
import { servePillar, type MinionDataSink } from './pillar-funcs.js';
import type { PillarCompiler } from '@tsalt/pillar';
import type { FileServer } from '@tsalt/fileserver';
import { serveFileRequest } from './file-funcs.js';
import { servePeer, type PeerDeps } from './peer-funcs.js';
import { serveMine, type MineStore } from './mine-funcs.js';
import { requestIdentity, type RequestReplayGuard } from './request-replay.js';

export interface AesDeps {
  opts: MasterConfig;
  keys: KeyStore;
  session: SessionKeys;
  cache: CacheWriter;
  log: Logger;
  /** Fires on the master bus; false when refused (over max_event_size). */
  fire(tag: string, data: Record<string, unknown>): boolean | void;
  /** Who is connected, for salt/presence/*: every authenticated request counts. */
  presence?: Presence;
  /** Signs `_pillar` replies. */
  masterPrivate: KeyObject;
  /** The minions each recent job went to: the check on a tokless `_return` (`tokless_returns: targeted`). */
  targets?: JobTargets;
  /** Compiles each minion's pillar for `_pillar`. */
  pillar: PillarCompiler;
  /** The minion data cache: `_pillar` hands it the grains sent and the pillar compiled. */
  minionData?: MinionDataSink;
  /** Serves file_roots for the file client requests (`_serve_file`, `_file_list`, ...). */
  fileserver?: FileServer;
  /** Peer publishing (`minion_pub`, `pub_ret`, `minion_runner`, ...); absent: those requests answer `{}`. */
  peer?: PeerDeps;
  /** Where `_mine` and friends keep each minion's mine (absent: `minion_data_cache` and `enforce_mine_cache` off). */
  mine?: MineStore;
  /** Requests already served, so a captured one sent again is not acted on again (absent: no check). */
  replay?: RequestReplayGuard;
}

/** Requests that change something (the bus, the job cache, the mine, a peer job): the ones a replay must not repeat. */
const GUARDED = new Set(['_return', '_minion_event', '_mine', '_mine_delete', '_mine_flush', ...PEER_COMMANDS]);

/** What a replay is answered: what the first request got when it went well, without doing it again. */
const replayAnswer = (cmd: string): unknown => (PEER_COMMANDS.has(cmd) ? {} : true);

/** Salt's AESFuncs allow-list, for what this master implements so far, plus tsalt's `_presence` heartbeat. */
export const AES_COMMANDS = new Set([
  '_return',
  '_minion_event',
  '_presence',
  '_pillar',
  ...PEER_COMMANDS,
  ...MINE_COMMANDS,
]);

/** What the minion gets when its request does not decrypt: it re-authenticates and retries. */
const BAD_LOAD = 'bad load';

/**
 * Requests from minions, encrypted with the session key. Each must name an
 * accepted minion and carry that minion's token (CVE-2024-38822), so one
 * minion cannot speak for another.
 */
export async function handleAes(env: Envelope, d: AesDeps): Promise<unknown> {
  const ct = asBytes(env.load);
  if (!ct) return BAD_LOAD;
  let load: unknown;
  try {
    load = openAes(d.session.aes, ct);
  } catch (err) {
    if (err instanceof DecryptError) d.log.debug('request did not decrypt with the current session key');
    else d.log.warn({ err: errorLine(err) }, 'dropped undecodable AES request');
    return BAD_LOAD;
  }
  if (!isRecord(load)) return BAD_LOAD;
  const nonce = parseNonce(load);
  const answer = (value: unknown): Buffer => sealAes(d.session.aes, value, nonce);
  // Salt's file client sends neither id nor tok: any holder of the session key is answered, as Salt does.
  // A load that does name an id and a tok must hold that minion's token, as for `_pillar`.
  const fileCmd = parseCommand(load).cmd;
  if (fileCmd !== undefined && FILE_COMMANDS.has(fileCmd) && d.fileserver) {
    const claimed = load['id'];
    if (typeof claimed === 'string' && load['tok'] !== undefined && !tokenValid(d.keys, claimed, load['tok'])) {
      d.log.warn({ cmd: fileCmd }, 'refused file request: token invalid for the id it names');
      return answer(false);
    }
    return answer(await serveFileRequest(parseFileRequest(load, fileCmd), d.fileserver, d.opts));
  }
  let head;
  try {
    head = parseAesHead(load);
  } catch (err) {
    if (!(err instanceof BadMessageError)) throw err;
    if (err.field === 'cmd')
      d.log.warn({ cmd: parseCommand(load).shown }, 'refused AES command outside the allow-list');
    else d.log.warn('refused AES request with a bad minion id');
    return answer(false);
  }
  const { cmd, id } = head;
  if (!AES_COMMANDS.has(cmd)) {
    d.log.warn({ cmd: cmd.slice(0, 40) }, 'refused AES command outside the allow-list');
    return answer(false);
  }
  // Salt's `_pillar` carries no tok: the reply is encrypted to the id's accepted key, so only its holder reads it.
  if (cmd === '_pillar') return servePillar(load, id, nonce, d);
  if (head.tok === undefined && cmd === '_return') {
    const ret = parsed(() => parseReturnLoad(load, id), id, d);
    if (!ret) return answer(false);
    // Before the once-per-job claim: a salt-minion's retry of a return that timed out is answered, not refused.
    return answer(
      await once(cmd, id, load, ct, d, jobJid(ret), async () =>
        toklessReturnAccepted(ret.jid, id, d) ? storeReturn(ret, d) : false,
      ),
    );
  }
  if (!tokenValid(d.keys, id, head.tok)) {
    d.log.warn({ minion: id, cmd }, 'refused request: minion key not accepted or token invalid');
    return answer(false);
  }
  if (cmd === '_presence') {
    const p = parsePresenceLoad(load);
    if (p.leaving) d.presence?.left(id);
    else d.presence?.seen(id, p.interval);
    return answer(true);
  }
  d.presence?.seen(id);
  if (cmd === '_return') {
    const ret = parsed(() => parseReturnLoad(load, id), id, d);
    if (!ret) return answer(false);
    // A minion's own jobs (`req`: its scheduler, salt-call; `nocache`) are its to report.
    if (ret.jid !== 'req' && ret.jid !== 'nocache' && !(await jobTargetedMinion(ret.jid, id, returnTargetDeps(d)))) {
      d.log.warn(
        { minion: id, jid: ret.jid.slice(0, 40) },
        'refused a return for a job that did not target that minion',
      );
      return answer(false);
    }
    return answer(await once(cmd, id, load, ct, d, jobJid(ret), () => storeReturn(ret, d)));
  }
  if (cmd === '_minion_event') {
    const ev = parsed(() => parseMinionEventLoad(load), id, d);
    return answer(ev ? await once(cmd, id, load, ct, d, undefined, () => fireMinionEvents(ev, id, d)) : false);
  }
  // Salt answers a peer request it refuses, or cannot serve, with {}.
  if (PEER_COMMANDS.has(cmd)) {
    const peer = d.peer;
    return answer(peer ? await once(cmd, id, load, ct, d, undefined, () => servePeer(cmd, load, id, peer)) : {});
  }
  if (MINE_COMMANDS.has(cmd)) {
    const req = parsed(() => parseMineRequest(load, cmd), id, d);
    // Salt answers a mine load missing its fields with {} (`_mine_get`) or False.
    if (!req) return answer(cmd === '_mine_get' ? {} : false);
    const mineDeps = { opts: d.opts, accepted: () => d.keys.ids('accepted'), log: d.log };
    const serve = (): Promise<unknown> => serveMine(req, id, d.mine ? { ...mineDeps, mine: d.mine } : mineDeps);
    return answer(GUARDED.has(cmd) ? await once(cmd, id, load, ct, d, undefined, serve) : await serve());
  }
  return answer(false);
}

function returnTargetDeps(d: AesDeps): ReturnTargetDeps {
  // `cache` is the writer; the job cache it writes to holds the loads of jobs older than this process.
  const jobCache = (d.cache as Partial<CacheWriter>).cache;
  return { log: d.log, ...(d.targets ? { targets: d.targets } : {}), ...(jobCache ? { jobCache } : {}) };
}

/** The jid a `_return` is one of per minion, when it answers a published job (not `req` or `nocache`). */
const jobJid = (ret: ReturnLoad): string | undefined =>
  ret.jid !== 'req' && ret.jid !== 'nocache' && isJid(ret.jid) ? ret.jid : undefined;

/**
 * Runs `serve` unless this request was served already (d.replay): a replay
 * is answered as the first was, with one log line per replayed request. A
 * request that failed (false, or threw) is forgotten, so its retry is served.
 */
async function once(
  cmd: string,
  id: string,
  load: Record<string, unknown>,
  sealed: Uint8Array,
  d: AesDeps,
  job: string | undefined,
  serve: () => unknown,
): Promise<unknown> {
  const guard = d.replay;
  if (!guard) return serve();
  const identity = requestIdentity(cmd, id, load, sealed, job);
  const { fresh, firstReplay } = guard.admit(d.session.aes.keyString, identity);
  if (!fresh) {
    if (firstReplay) d.log.warn({ minion: id, cmd, ...(job ? { jid: job } : {}) }, 'dropped a replayed request');
    return replayAnswer(cmd);
  }
  try {
    const result = await serve();
    if (result === false) guard.forget(identity);
    return result;
  } catch (err) {
    guard.forget(identity);
    throw err;
  }
}

/** The typed load, or undefined with one log line naming the field that was wrong. */
function parsed<T>(parse: () => T, id: string, d: AesDeps): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof BadMessageError)) throw err;
    d.log.warn({ minion: id, field: err.field }, `dropped a bad request: ${err.message}`);
    return undefined;
  }
}

/** Minions already told why their tokless returns are refused: one line each, not one per job. */
const toldTokless = new Set<string>();
const TOLD_MAX = 10_000;

/**
 * A `_return` without `tok`, as Salt 3006.8 and older minions send. Any
 * minion holding the shared session key could have sent it under any id, so
 * by default it is refused (later Salt releases check tok here too, CVE-2024-38822).
 * With `tokless_returns: targeted` it is accepted from an accepted minion
 * for a job this master published to it, once per job: a minion can then
 * only forge another's answer to a job that other minion has not answered yet.
 */
function toklessReturnAccepted(jid: string, id: string, d: AesDeps): boolean {
  if (d.opts.tokless_returns === 'targeted') {
    if (d.keys.acceptedKey(id) && d.targets?.claim(jid, id)) return true;
    d.log.warn({ minion: id, jid }, 'refused a return without tok: not a job this master published to that minion');
    return false;
  }
  if (!toldTokless.has(id)) {
    if (toldTokless.size >= TOLD_MAX) toldTokless.clear();
    toldTokless.add(id);
    d.log.warn(
      { minion: id, jid },
      'refused a return without tok (a salt-minion 3006.8 or older); tokless_returns: targeted accepts them',
    );
  }
  return false;
}

/**
 * A return for a job the minion started itself (its scheduler, salt-call):
 * Salt's store_job gives jid `req` a new jid and saves a load for it
 * (`tgt` the minion, `arg` its fun_args), so jobs.list_jobs shows the job;
 * the return goes on (to the bus and the cache) with those fields.
 */
async function standaloneJob(ret: ReturnLoad, d: AesDeps): Promise<ReturnLoad> {
  const jid = await d.cache.prepJid();
  const load: Record<string, unknown> = {
    ...Object.fromEntries(Object.entries(ret).filter(([k]) => k !== 'cmd' && k !== 'return' && k !== 'retcode')),
    arg: ret['arg'] ?? ret.fun_args ?? [],
    tgt_type: 'glob',
    tgt: ret.id,
    jid,
  };
  // Salt saves this load whatever job_cache says (store_job), so the job is known by its jid.
  await d.cache.saveLoad(jid, load, [ret.id]);
  // Salt fires the load it saved: the event shows tgt, tgt_type and arg too.
  return { ...ret, ...load, jid };
}

/** Salt's `store_job`: cache the return, then fire `salt/job/<jid>/ret/<id>`. */
async function storeReturn(given: ReturnLoad, d: AesDeps): Promise<boolean> {
  // `nocache`: fired on the bus, kept out of the job cache (Salt's return_job: nocache).
  if (given.jid === 'nocache') {
    d.fire(`salt/job/nocache/ret/${given.id}`, given);
    return true;
  }
  const ret = given.jid === 'req' ? await standaloneJob(given, d) : given;
  const { jid, id } = ret;
  if (!isJid(jid)) {
    d.log.warn({ minion: id }, 'dropped return with a bad jid');
    return false;
  }
  // With ext_job_cache the minions write their returns there themselves; the master only fires the event (Salt's store_job).
  if (d.opts.job_cache && !d.opts.ext_job_cache) await d.cache.returner(ret as StoredReturn);
  d.fire(`salt/job/${jid}/ret/${id}`, ret);
  return true;
}

/**
 * `event.send` / `event.fire_master` from a minion (Salt's masterapi
 * `_minion_event`). A single event fires the whole load less tok and nonce,
 * `{cmd, id, tag, data, pretag}`, so the payload sits under `data['data']`
 * and `data['id']` is the sender, checked against its token above. A batch
 * (`events`, beacons) fires each entry's data plus `id`. With a `pretag`,
 * Salt fires each again as `<pretag>/<tag>`. False when the bus refused one.
 */
function fireMinionEvents(ev: MinionEventLoad, id: string, d: AesDeps): boolean {
  let ok = true;
  const fire = (tag: string, data: Record<string, unknown>): void => {
    if (d.fire(tag, data) === false) ok = false;
    if (ev.pretag) d.fire(`${ev.pretag}/${tag}`, data);
  };
  if (ev.kind === 'batch') {
    for (const one of ev.events) fire(one.tag, { ...one.data, id });
    return ok;
  }
  fire(ev.tag, { ...ev.fields, id });
  return ok;
}
