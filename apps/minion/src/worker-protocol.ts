import type { MinionConfig } from '@tsalt/config';
import type { JobReturn } from './executor.js';
import type { ScheduleRequest } from '@tsalt/modules';
import type { FileServerRequest, PublishLoad } from '@tsalt/transport';

/*
 * IPC between the minion daemon and its job processes (child_process.fork
 * with `serialization: 'advanced'`, so Buffers and nested data survive).
 *
 * daemon -> worker: init (once), run (one job at a time), reply (to a
 * request), data (new grains and pillar).
 * worker -> daemon: ready | init-failed, done, and three requests that expect
 * a reply with the same `seq`: event (fire to the master), will-signal
 * (saltutil is about to signal a job process) and minion-data (a grains or
 * pillar refresh, which the daemon does; its `data` arrives before the reply)
 * and fileserver (a file-server request the daemon sends to the master)
 * and master (a module's AES request, such as the mine's),
 * and schedule (schedule.*: the daemon's scheduler answers, value a ScheduleReply).
 * Closing the channel (daemon gone or retiring the worker) makes the worker exit.
 */

export interface WorkerInit {
  type: 'init';
  /** The minion id, for returns. */
  id: string;
  /** The daemon's compiled config (plain JSON, so it crosses the IPC channel whole). */
  opts: MinionConfig;
  grains: Record<string, unknown>;
  /** The pillar the daemon holds now (later ones arrive as `data`). @default {} */
  pillar?: Record<string, unknown>;
  /** The returners loaded in the daemon, for `sys.list_returners`. */
  returnerNames?: string[];
}

export type DaemonMessage =
  | WorkerInit
  | { type: 'run'; load: PublishLoad }
  | { type: 'reply'; seq: number; ok: boolean; error?: string; value?: unknown }
  /** New grains and pillar (after a refresh): they replace the job process's, before any reply that follows. */
  | { type: 'data'; grains: Record<string, unknown>; pillar: Record<string, unknown> };

/** A job's grains/pillar refresh, done by the daemon (which holds them): services.minionData in a job process. */
export type MinionDataOp =
  | { op: 'refresh-grains'; refreshPillar: boolean }
  | { op: 'refresh-pillar' }
  | { op: 'fetch-pillar'; pillarOverride?: Record<string, unknown> };

export type WorkerRequest =
  | { type: 'event'; seq: number; tag: string; data: unknown; preload?: Record<string, unknown> }
  | { type: 'will-signal'; seq: number; jid: string; pid: number; signal: number }
  | ({ type: 'minion-data'; seq: number } & MinionDataOp)
  /** A file-server request (cp.*, cmd.script salt://) the daemon forwards over its master link; the reply is the master's. */
  | { type: 'fileserver'; seq: number; load: FileServerRequest }
  /** An AES request to the master (publish.*, saltutil.runner): the reply's value is a MasterReply. */
  | { type: 'master-request'; seq: number; load: Record<string, unknown>; timeoutMs: number }

  /** schedule.*: Salt's manage_schedule request, answered by the daemon's scheduler. */
  | { type: 'schedule'; seq: number; req: ScheduleRequest };

export type WorkerMessage =
  { type: 'ready' } | { type: 'init-failed'; error: string } | { type: 'done'; ret: JobReturn } | WorkerRequest;
