import { errorLine, TsaltError, type Logger } from '@tsalt/core';
import type { MinionConfig } from '@tsalt/config';
import { loadOrCreateKeyPair } from '@tsalt/crypto';
import { Registry } from '@tsalt/loader';
import { MinionData, minionFileClient, type FileClient } from '@tsalt/modules';
import { returnerPlugins } from '@tsalt/returners';
import { MasterClient, RequestTimeoutError, zmqVersion } from '@tsalt/transport';
import { CliExit, EXIT } from './common.js';

/** How long the master may take to answer one request (ms): Salt's request_channel_timeout (60 s). */
const REQUEST_TIMEOUT_MS = 60_000;

/** Salt's EX_NOPERM: salt-call's exit when the master rejected the minion's key. */
const EX_NOPERM = 77;

/** What tsalt-call holds once signed in to the master as the minion. */
export interface CallerMaster {
  client: MasterClient;
  /** Grains computed here, pillar fetched from the master (`_pillar`) at start, as Salt's SMinion does. */
  data: MinionData;
  fileClient: FileClient | undefined;
}

/**
 * A failed sign-in as salt-call reports it: `Unable to sign_in to master:
 * ...` (exit 1), the pending key's question (exit 2), the rejection (exit 77).
 */
export function signInExit(err: unknown): CliExit {
  const code = err instanceof TsaltError ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'KEY_PENDING') return new CliExit(EXIT.AUTH, message);
  if (code === 'AUTH_REJECTED') return new CliExit(EX_NOPERM, message);
  return new CliExit(EXIT.GENERIC, `Unable to sign_in to master: ${message}`);
}

/**
 * Signs in to the master with the minion's own keys (pki_dir, made when
 * missing, as Salt does), then fetches the pillar and sets up the remote
 * file client. Throws a CliExit when the master cannot be had.
 */
export async function connectMaster(opts: MinionConfig, log: Logger): Promise<CallerMaster> {
  const pair = loadOrCreateKeyPair(opts.pki_dir, 'minion', opts.keysize);
  const client = new MasterClient({ opts, pair, log });
  try {
    await client.reauthenticate();
  } catch (err) {
    client.close();
    throw signInExit(err);
  }
  const data = new MinionData({
    opts,
    log,
    zmqversion: zmqVersion,
    requestPillar: (load) => client.privateRequest(load, 'pillar', REQUEST_TIMEOUT_MS),
  });
  data.computeGrains();
  await data.refreshPillar();
  const fileClient = minionFileClient(opts, (load) => client.aesRequest({ ...load }, REQUEST_TIMEOUT_MS), log);
  return { client, data, fileClient };
}

/** An AES request's outcome, never a rejection: the shape of @tsalt/modules' MasterReply (publish.*, mine.*). */
export type CallerReply = { ok: true; value: unknown } | { ok: false; timedOut: boolean; error: string };

/**
 * services.masterRequest for modules that send their own requests (publish.*,
 * mine.*, saltutil.runner): over tsalt-call's request channel, as the
 * minion daemon sends them over its master link.
 */
export function masterRequestService(client: MasterClient): {
  send(load: Record<string, unknown>, timeoutMs: number): Promise<CallerReply>;
} {
  return {
    async send(load, timeoutMs) {
      try {
        return { ok: true, value: await client.aesRequest({ ...load }, timeoutMs) };
      } catch (err) {
        return { ok: false, timedOut: err instanceof RequestTimeoutError, error: errorLine(err) };
      }
    },
  };
}

/**
 * salt-call's return up to the master: `_return` with jid `req`, for which
 * the master makes a jid of its own and stores the job. Salt ignores a
 * failure here; tsalt logs it.
 */
export async function returnToMaster(client: MasterClient, ret: Record<string, unknown>, log: Logger): Promise<void> {
  try {
    const ok = await client.aesRequest({ ...ret, cmd: '_return', jid: 'req' }, REQUEST_TIMEOUT_MS);
    if (ok === false) log.warn('the master refused the return');
  } catch (err) {
    log.warn(`could not return the job information to the master: ${errorLine(err)}`);
  }
}

/** `--return a,b`: each returner gets the return here, as salt-call runs them; a failing one logs one line. */
export async function runReturners(
  names: string[],
  ret: Record<string, unknown>,
  opts: MinionConfig,
  grains: Record<string, unknown>,
  log: Logger,
): Promise<void> {
  const reg = new Registry({ kind: 'returner', opts, grains, log }, returnerPlugins());
  const jid = typeof ret['jid'] === 'string' ? ret['jid'] : undefined;
  try {
    for (const name of names) {
      const fun = `${name}.returner`;
      if (!reg.has(fun)) {
        const why = reg.missing()[name];
        log.error(`Returner '${name}' is not available${why ? `: ${why}` : ''}`);
        continue;
      }
      try {
        await reg.call(fun, [{ ...ret, success: true }], {}, jid ? { jid } : {});
      } catch (err) {
        log.error(`The return failed for job ${jid ?? '?'} in returner '${name}': ${errorLine(err)}`);
      }
    }
  } finally {
    // Flushes spools and closes connections (a mysql or redis returner) before the process exits.
    await reg.shutdown();
  }
}
