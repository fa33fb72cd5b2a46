import type { MinionConfig } from '@tsalt/config';
import type { JobReturn } from './executor.js';

/*
 * IPC between the minion daemon and its job processes (child_process.fork
 * with `serialization: 'advanced'`, so Buffers and nested data survive).
 *
 * daemon -> worker: init (once), run (one job at a time), reply (to a request).
 * worker -> daemon: ready | init-failed, done, and two requests that expect a
 * reply with the same `seq`: event (fire to the master) and will-signal
 * (saltutil is about to signal a job process).
 * Closing the channel (daemon gone or retiring the worker) makes the worker exit.
 */

export interface WorkerInit {
  type: 'init';
  /** The minion id, for returns. */
  id: string;
  /** The daemon's compiled config (plain JSON, so it crosses the IPC channel whole). */
  opts: MinionConfig;
  grains: Record<string, unknown>;
  /** The returners loaded in the daemon, for `sys.list_returners`. */
  returnerNames?: string[];
}

export type DaemonMessage =
  | WorkerInit
  | { type: 'run'; load: Record<string, unknown> }
  | { type: 'reply'; seq: number; ok: boolean; error?: string };

export type WorkerRequest =
  | { type: 'event'; seq: number; tag: string; data: unknown; preload?: Record<string, unknown> }
  | { type: 'will-signal'; seq: number; jid: string; pid: number; signal: number };

export type WorkerMessage =
  { type: 'ready' } | { type: 'init-failed'; error: string } | { type: 'done'; ret: JobReturn } | WorkerRequest;
