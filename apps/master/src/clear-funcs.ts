import type { Logger } from '@tsalt/core';
import { errorLine, isRecord } from '@tsalt/core';
import type { KeyObject } from 'node:crypto';
import type { KeyStore } from '@tsalt/crypto';
import {
  BadMessageError,
  parsePublishKey,
  parsePublishRequest,
  sealPublish,
  type PublishLoad,
  type PublishRequest,
} from '@tsalt/transport';
import { checkMinions, resolveNodegroups, validateTarget, type MinionData } from '@tsalt/targeting';
import type { MasterConfig } from '@tsalt/config';
import { rootKeyMatches } from './root-key.js';
import type { SessionKeys } from './session.js';
import type { CacheWriter } from './cache-writer.js';

export interface ClearDeps {
  opts: MasterConfig;
  rootKey: string;
  keys: KeyStore;
  session: SessionKeys;
  masterPrivate: KeyObject;
  /** Hands a sealed publish to the Publisher process. */
  pub: { publish(payload: Buffer): Promise<void> };
  cache: CacheWriter;
  log: Logger;
  fire(tag: string, data: Record<string, unknown>): void;
  /** `<ext_job_cache>.save_load`, so the external store knows each job's load. */
  extSaveLoad?(returner: string, jid: string, load: Record<string, unknown>, minions: string[]): Promise<void>;
  /** Remembers whom each job went to, so a tokless return can be checked against it. */
  targets?: {
    record(jid: string, minions: readonly string[], target?: { tgt: string | string[]; tgtType: string }): void;
  };
  /** The minion data cache (absent with `minion_data_cache: False`): grains/pillar targets match on it. */
  minionData?: { get(id: string): { grains?: Record<string, unknown>; pillar?: Record<string, unknown> } | undefined };
  /** The connected minion ids (presence), for Salt's `[Not connected]`. */
  connected?: () => readonly string[];
}

/** Salt's ClearFuncs allow-list: only these may arrive unencrypted (besides `_auth`). */
export const CLEAR_COMMANDS = new Set(['publish', 'ping']);

function clearError(name: string, message: string): Record<string, unknown> {
  return { enc: 'clear', load: { error: { name, message } } };
}

/**
 * `publish` from a local client: checks the root key, resolves the expected
 * minions from the accepted keys, records the job, fires the bare-jid and
 * `salt/job/<jid>/new` events and publishes once on PUB.
 */
export async function handlePublish(load: Record<string, unknown>, d: ClearDeps): Promise<Record<string, unknown>> {
  if (!rootKeyMatches(d.rootKey, parsePublishKey(load))) {
    d.log.warn('publish refused: bad or missing root key');
    return clearError('AuthenticationError', 'Authentication failure of type "user" occurred.');
  }
  let req: PublishRequest;
  try {
    req = parsePublishRequest(load);
  } catch (err) {
    if (!(err instanceof BadMessageError)) throw err;
    return clearError('SaltInvocationError', err.message);
  }
  const { fun, kwargs } = req;
  let target = req.tgt;
  let tgtType = req.tgt_type;
  // Salt reads the delimiter from the publish kwargs (the CLI's --delimiter).
  const delimiter = typeof kwargs['delimiter'] === 'string' && kwargs['delimiter'] ? kwargs['delimiter'] : undefined;
  const nodegroups = isRecord(d.opts.nodegroups) ? (d.opts.nodegroups as Record<string, string | string[]>) : {};
  let matched: { minions: string[]; missing: string[] };
  try {
    // Salt's _prep_pub: minions get the compound a nodegroup stands for, never the group's name.
    const resolved = resolveNodegroups(target, tgtType, nodegroups, d.opts.conf_file || undefined);
    target = resolved.tgt as string | string[];
    tgtType = resolved.tgtType;
    validateTarget(target, tgtType, delimiter ? { delimiter } : {});
    matched = checkMinions(target, tgtType, d.keys.ids('accepted'), {
      ...(delimiter ? { delimiter } : {}),
      nodegroups,
      ...(d.minionData ? { data: cachedData(d.minionData) } : {}),
    });
  } catch (err) {
    return clearError('SaltInvocationError', errorLine(err));
  }
  if (matched.minions.length === 0 && matched.missing.length === 0) {
    return { enc: 'clear', load: { jid: '', minions: [], missing: [] } };
  }
  const jid = await d.cache.prepJid(req.jid);
  const { user, arg } = req;
  let ret = req.ret;
  // Salt's ext_job_cache: every minion also sends its return straight to that returner.
  const ext = typeof d.opts.ext_job_cache === 'string' ? d.opts.ext_job_cache : '';
  if (ext && !ret.split(',').includes(ext)) ret = ret ? `${ret},${ext}` : ext;
  const pubLoad: PublishLoad = { fun, arg, tgt: target, jid, ret, tgt_type: tgtType, user };
  for (const k of ['ret_config', 'ret_kwargs', 'metadata', 'delimiter'] as const) {
    // Passed through as the client sent them, as Salt's _prep_pub.
    if (kwargs[k] !== undefined) (pubLoad as Record<string, unknown>)[k] = kwargs[k];
  }
  // A job cache that cannot write must not stop the job (Salt's #21449): the writer holds and retries.
  await d.cache.saveLoad(jid, { ...pubLoad }, matched.minions);
  if (ext && d.extSaveLoad) await d.extSaveLoad(ext, jid, { ...pubLoad }, matched.minions);
  d.fire(jid, { minions: matched.minions });
  d.fire(`salt/job/${jid}/new`, {
    jid,
    tgt_type: tgtType,
    tgt: target,
    user,
    fun,
    arg,
    minions: matched.minions,
    missing: matched.missing,
  });
  // Missing ids were named by a list target: once their key is accepted (they re-authenticated), they may answer.
  d.targets?.record(jid, [...matched.minions, ...matched.missing], { tgt: target, tgtType });
  pubLoad.serial = d.session.nextSerial();
  const signer = d.opts.sign_pub_messages ? d.masterPrivate : undefined;
  await d.pub.publish(sealPublish(d.session.aes, signer, pubLoad));
  d.log.info({ jid, fun, tgt: target, minions: matched.minions.length }, 'published job');
  const notConnected = notConnectedOf(matched.minions, d);
  return {
    enc: 'clear',
    load: {
      jid,
      minions: matched.minions,
      missing: matched.missing,
      ...(notConnected.length ? { not_connected: notConnected } : {}),
    },
  };
}

function cachedData(cache: NonNullable<ClearDeps['minionData']>): (id: string) => MinionData | undefined {
  return (id) => {
    const data = cache.get(id);
    return data ? { id, ...data } : undefined;
  };
}

/**
 * Salt's `[Not connected]` test (get_cli_event_returns): the minion has
 * cached data, some minion is connected, and this one is not. tsalt's
 * publish reply carries the list (`not_connected`), as the CLI cannot see
 * the master's presence; Salt's clients ignore the extra key.
 */
function notConnectedOf(minions: readonly string[], d: ClearDeps): string[] {
  if (!d.minionData || !d.connected) return [];
  const connected = new Set(d.connected());
  if (connected.size === 0) return [];
  return minions.filter((id) => !connected.has(id) && d.minionData?.get(id) !== undefined);
}
