/**
 * @tsalt/client: Salt's LocalClient for programs on the master host (the
 * `tsalt` CLI, runners). Publishes with the root key, gathers returns from
 * the master bus, and waits the way Salt does (`saltutil.find_job` checks).
 *
 *   const client = new LocalClient(opts);            // no socket yet
 *   const pub = await client.publish('web*', 'test.sleep', [8]);
 *   for await (const r of client.getCliReturns(pub.jid, pub.minions, { timeout: 2 })) {
 *     if (r.kind === 'return') print(r.id, r.data.return);
 *     else print(r.id, `Minion did not return. [${r.reason}]`);
 *   }
 *   await client.cmd('*', 'test.ping');              // { m1: true, ... }
 *   client.close();
 */
export { LocalClient, type LocalClientOptions } from './local-client.js';
export { readRootKey, masterReqAddress } from './master-access.js';
export { JobEvents, parseReturnTag, type JobReturnEvent } from './job-events.js';
export { runBatch, batchRetcode, type BatchDeps, type BatchParams, type BatchEvent } from './batch.js';
export { parseBatchSize, invalidBatchText } from './batch-size.js';
export { waitForReturns, NOT_RUNNING_GRACE_MS, type WaitDeps, type WaitParams } from './wait.js';
export {
  RootKeyUnreadableError,
  MasterTimeoutError,
  AuthFailedError,
  PublishRefusedError,
  BusUnreachableError,
  BadReplyError,
  ClientClosedError,
  CLIENT_ERROR_CODES,
} from './errors.js';
export type {
  ClientOpts,
  PublishOptions,
  PublishReply,
  CliReturn,
  NoReturnReason,
  WaitOptions,
  CmdOptions,
  BatchOptions,
  PingedTarget,
} from './types.js';
