import type { Logger } from '@tsalt/core';

/** The plugin kinds, one registry each. */
export type PluginKind = 'module' | 'runner' | 'returner' | 'wheel' | 'state' | 'outputter';

/** What the registry knows about every loaded function, for `sys.*`. */
export interface RegistryView {
  /** Whether `fun` (`mod.fun`) is loaded: one lookup, for templates' `'mod.fun' in salt` and the like. */
  has(fun: string): boolean;
  list(pattern?: string): string[];
  modules(): string[];
  doc(name?: string): Record<string, string>;
  missing(): Record<string, string>;
}

/** What a context's opts or services may be: any object type (an interface, or a record). */
export type ContextBag = object;

/**
 * Context injected into every plugin call: Salt's `__opts__`, `__grains__`,
 * `__salt__` (as `call`) and `__context__` (as `context`), plus a logger.
 * `O` is the config the daemon compiled (`MinionConfig` for execution
 * modules, `MasterConfig` for runners and wheel), `S` the services it
 * injects, so that a plugin reads `ctx.opts.timeout_ms` and
 * `ctx.services.keys` with their types.
 */
export interface PluginContext<
  O extends ContextBag = Record<string, unknown>,
  S extends ContextBag = Record<string, unknown>,
> {
  opts: Readonly<O>;
  grains: Readonly<Record<string, unknown>>;
  pillar: Readonly<Record<string, unknown>>;
  log: Logger;
  /** Cross-call another function of the same registry: Salt's `__salt__['mod.fun']`. */
  call(fun: string, args?: unknown[], kwargs?: Record<string, unknown>): Promise<unknown>;
  /** The jid of the job this call belongs to, when there is one. */
  jid?: string;
  /** Fires an event (on the master bus, or towards it from a minion). */
  fireEvent?: (tag: string, data: Record<string, unknown>) => Promise<void>;
  /** Salt's `__context__`: per-call scratch; `retcode` sets the job's retcode. */
  context: Record<string, unknown>;
  /** The registry this call runs in, for `sys.*`. */
  registry: RegistryView;
  /** Extra services a daemon injects (job cache, key store, event bus...); a daemon may leave any out. */
  services: Readonly<Partial<S>>;
}

/** A parameter: its name, and a default when it is optional. */
export type Param = string | { name: string; default: unknown };

/** Bound arguments: named parameters, plus `*args` / `**kwargs` when declared. */
export interface BoundArgs {
  [name: string]: unknown;
}

export interface PluginFunction<
  O extends ContextBag = Record<string, unknown>,
  S extends ContextBag = Record<string, unknown>,
> {
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
  fn(ctx: PluginContext<O, S>, args: BoundArgs): unknown;
}

export interface PluginDefinition<
  O extends ContextBag = Record<string, unknown>,
  S extends ContextBag = Record<string, unknown>,
> {
  /** The module name callers use: `test` in `test.ping`. */
  name: string;
  /** Module docstring. */
  doc?: string;
  /** Salt's `__virtual__`: true to load, or a string saying why not. */
  virtual?(ctx: Pick<PluginContext<O, S>, 'opts' | 'grains'>): true | string;
  functions: Record<string, PluginFunction<O, S>>;
  /**
   * Called once when the daemon stops: flush what the plugin holds (a
   * returner's spool) and close connections. Must not throw.
   */
  shutdown?(ctx: Pick<PluginContext<O, S>, 'opts' | 'log'>): Promise<void> | void;
}

/** Identity helper so plugin files get type checking: `definePlugin<MinionConfig, ModuleServices>({...})`. */
export function definePlugin<
  O extends ContextBag = Record<string, unknown>,
  S extends ContextBag = Record<string, unknown>,
>(def: PluginDefinition<O, S>): PluginDefinition<O, S> {
  return def;
}
