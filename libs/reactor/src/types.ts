import type { Logger } from '@tsalt/core';
import type { ReactorOptions } from './options.js';
import type { Reaction } from './reactions.js';

/** One accepted event and the SLS files it matched: the unit the durable queue holds. */
export interface ReactionJob {
  /** 16 hex digits, unique per accepted event. */
  id: string;
  tag: string;
  data: Record<string, unknown>;
  /** SLS paths as configured (the last part may be a glob). */
  sls: string[];
  /** Reactions in a row that led to this event (0: it came from outside). */
  depth: number;
  /** ms since the epoch, when the event was accepted. */
  at: number;
}

/** A `local.*` reaction as a publish, for the master's own publish path (the host adds the root key and user). */
export interface LocalPublish {
  tgt: string | string[];
  tgt_type: string;
  fun: string;
  /** Positionals, then the kwargs as one trailing `{__kwarg__: true, ...}` dict (Salt's condition_input). */
  arg: unknown[];
  ret: string;
  timeout?: number;
  metadata?: Record<string, unknown>;
}

/** The master's publish reply load: `{jid, minions, missing}`, or `{error: {name, message}}`. */
export interface PublishReply {
  jid?: string;
  minions?: string[];
  missing?: string[];
  error?: { name?: string; message?: string };
}

export type FireFn = (tag: string, data: Record<string, unknown>) => void | Promise<void>;

export interface CallOptions {
  /** The jid for this call (salt/run/<jid>/..., salt/wheel/<jid>/...). */
  jid: string;
  /** Fires on the master bus, marking the events as caused by this reaction; use it as the call's ctx.fireEvent. */
  fire: FireFn;
  /** Salt's `__user__` for reactor calls: 'Reactor'. */
  user: string;
  /** Drop keyword arguments the function does not declare (legacy runner/wheel syntax). */
  looseKwarg: boolean;
}

/** What a runner/wheel/caller call gave back; `success: false` is reported as a failed reaction. */
export interface CallOutcome {
  return: unknown;
  success: boolean;
}

export type CallClient = (
  fun: string,
  arg: unknown[],
  kwarg: Record<string, unknown>,
  o: CallOptions,
) => Promise<CallOutcome>;

/**
 * How reactions reach the rest of the master. The host (tsalt-master) wires
 * these to its publish path and to runner, wheel and execution-module
 * registries; runner and wheel clients fire Salt's salt/run and salt/wheel
 * events themselves, with `user: 'Reactor'`.
 */
export interface ReactorClients {
  publish(load: LocalPublish): Promise<PublishReply>;
  runner?: CallClient;
  wheel?: CallClient;
  caller?: CallClient;
}

export interface ReactorDeps {
  opts: ReactorOptions;
  log: Logger;
  /** Subscribes to every event of the master bus; returns the unsubscribe function. */
  subscribe(handler: (tag: string, data: Record<string, unknown>) => void): () => void;
  /** Fires an event on the master bus. */
  fire(tag: string, data: Record<string, unknown>): void;
  clients: ReactorClients;
  /** Called as each reaction starts, for benchmarks and tests. */
  onReactionStart?(reaction: Reaction, job: ReactionJob): void;
}

export interface ReactorStats {
  /** Events accepted into the queue since start. */
  accepted: number;
  /** Accepted and not yet taken by a worker. */
  queued: number;
  /** Jobs being worked on. */
  running: number;
  /** Reactions run (ok or failed) since start. */
  reactions: number;
  /** Reactions, renders and guards reported as errors since start. */
  errors: number;
}
