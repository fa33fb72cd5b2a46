import type { Logger } from '@tsalt/core';

/** The plugin kinds, one registry each. */
export type PluginKind = 'module' | 'runner' | 'returner' | 'wheel' | 'state' | 'outputter';

/** What the registry knows about every loaded function, for `sys.*`. */
export interface RegistryView {
  list(pattern?: string): string[];
  modules(): string[];
  doc(name?: string): Record<string, string>;
  missing(): Record<string, string>;
}

/**
 * Context injected into every plugin call: Salt's `__opts__`, `__grains__`,
 * `__salt__` (as `call`) and `__context__` (as `context`), plus a logger.
 */
export interface PluginContext {
  opts: Readonly<Record<string, unknown>>;
  grains: Readonly<Record<string, unknown>>;
  pillar: Readonly<Record<string, unknown>>;
  log: Logger;
  /** Cross-call another function of the same registry: Salt's `__salt__['mod.fun']`. */
  call(fun: string, args?: unknown[], kwargs?: Record<string, unknown>): Promise<unknown>;
  /** The jid of the job this call belongs to, when there is one. */
  jid?: string;
  /** Fires an event (on the master bus, or towards it from a minion). */
  fireEvent?(tag: string, data: Record<string, unknown>): Promise<void>;
  /** Salt's `__context__`: per-call scratch; `retcode` sets the job's retcode. */
  context: Record<string, unknown>;
  /** The registry this call runs in, for `sys.*`. */
  registry: RegistryView;
  /** Extra services a daemon injects (job cache, key store, event bus...). */
  services: Readonly<Record<string, unknown>>;
}

/** A parameter: its name, and a default when it is optional. */
export type Param = string | { name: string; default: unknown };

/** Bound arguments: named parameters, plus `*args` / `**kwargs` when declared. */
export interface BoundArgs {
  [name: string]: unknown;
}

export interface PluginFunction {
  /** Salt-style docstring, shown by `sys.doc`. */
  doc: string;
  /** Positional parameters, in order. Kwargs bind to them by name. */
  params?: readonly Param[];
  /** Extra positional arguments go to `args.__args__` (Salt's `*args`). */
  varargs?: boolean;
  /** Unknown kwargs go to `args.__kwargs__` (Salt's `**kwargs`). */
  varkw?: boolean;
  /** Salt's `__outputter__`: the outputter this function's return prefers. */
  outputter?: string;
  fn(ctx: PluginContext, args: BoundArgs): unknown;
}

export interface PluginDefinition {
  /** The module name callers use: `test` in `test.ping`. */
  name: string;
  /** Module docstring. */
  doc?: string;
  /** Salt's `__virtual__`: true to load, or a string saying why not. */
  virtual?(ctx: Pick<PluginContext, 'opts' | 'grains'>): true | string;
  functions: Record<string, PluginFunction>;
  /**
   * Called once when the daemon stops: flush what the plugin holds (a
   * returner's spool) and close connections. Must not throw.
   */
  shutdown?(ctx: Pick<PluginContext, 'opts' | 'log'>): Promise<void> | void;
}

/** Identity helper so plugin files get type checking. */
export function definePlugin(def: PluginDefinition): PluginDefinition {
  return def;
}
