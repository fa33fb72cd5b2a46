import type { Logger } from '@tsalt/core';
import type { ContextBag, PluginContext, PluginDefinition, PluginFunction, PluginKind, RegistryView } from './types.js';
import { bindArgs, signature } from './bind-args.js';
import { FunctionNotAvailableError } from './errors.js';

type Bag = Record<string, unknown>;

/** What a registry needs to build each call's context: the compiled opts `O` and the services `S` its plugins read. */
export interface RegistryOptions<O extends ContextBag = Bag, S extends ContextBag = Bag> {
  kind: PluginKind;
  opts: O;
  grains?: Record<string, unknown>;
  pillar?: Record<string, unknown>;
  log: Logger;
  services?: Partial<S>;
  fireEvent?: PluginContext['fireEvent'];
}

/** Per-call extras: the jid, and services that only this call sees. */
export interface CallOptions<S extends ContextBag = Bag> {
  jid?: string;
  context?: Record<string, unknown>;
  fireEvent?: PluginContext['fireEvent'];
  /** Services for this call, over the registry's (one registry serving many minions: tsalt-swarm). */
  services?: Partial<S>;
}

/** What one call produced: the return, and the retcode it set (Salt's `__context__['retcode']`). */
export interface CallResult {
  return: unknown;
  retcode: number;
  outputter?: string;
}

/** Simple fnmatch for `sys.list_functions 'test.*'`; targeting has the full one. */
function globToRegExp(glob: string): RegExp {
  const esc = glob
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${esc}$`);
}

/**
 * One registry per plugin kind, indexing `"mod.fun"`. It runs each plugin's
 * `virtual()` once, remembers why a module did not load, binds arguments and
 * injects the context.
 */
export class Registry<O extends ContextBag = Bag, S extends ContextBag = Bag> implements RegistryView {
  private readonly funcs = new Map<string, { mod: PluginDefinition<O, S>; spec: PluginFunction<O, S> }>();
  private readonly mods = new Map<string, PluginDefinition<O, S>>();
  private readonly why = new Map<string, string>();

  constructor(
    private readonly options: RegistryOptions<O, S>,
    plugins: readonly PluginDefinition<O, S>[],
  ) {
    for (const p of plugins) this.add(p);
  }

  get kind(): PluginKind {
    return this.options.kind;
  }

  /** Adds one plugin, unless its `virtual()` says it does not belong here. */
  add(plugin: PluginDefinition<O, S>): void {
    const verdict = plugin.virtual
      ? plugin.virtual({ opts: this.options.opts, grains: this.options.grains ?? {} })
      : true;
    if (verdict !== true) {
      this.why.set(plugin.name, verdict);
      return;
    }
    this.mods.set(plugin.name, plugin);
    for (const [fname, spec] of Object.entries(plugin.functions))
      this.funcs.set(`${plugin.name}.${fname}`, { mod: plugin, spec });
  }

  has(fun: string): boolean {
    return this.funcs.has(fun);
  }

  spec(fun: string): PluginFunction<O, S> | undefined {
    return this.funcs.get(fun)?.spec;
  }

  list(pattern?: string): string[] {
    const names = [...this.funcs.keys()].sort();
    if (!pattern) return names;
    const re = globToRegExp(pattern.includes('*') || pattern.includes('.') ? pattern : `${pattern}.*`);
    return names.filter((n) => re.test(n));
  }

  modules(): string[] {
    return [...this.mods.keys()].sort();
  }

  doc(name?: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const fun of this.list(name)) {
      const spec = this.funcs.get(fun)!.spec;
      out[fun] = `${signature(fun, spec)}\n\n${spec.doc.trim()}`;
    }
    return out;
  }

  missing(): Record<string, string> {
    return Object.fromEntries(this.why);
  }

  /** Runs every loaded plugin's `shutdown` hook; failures are logged, never thrown. */
  async shutdown(): Promise<void> {
    for (const mod of this.mods.values()) {
      if (!mod.shutdown) continue;
      try {
        await mod.shutdown({ opts: this.options.opts, log: this.options.log });
      } catch (err) {
        this.options.log.warn(
          { module: mod.name, err: err instanceof Error ? err.message : String(err) },
          'plugin shutdown failed',
        );
      }
    }
  }

  /** Builds the context a call sees. */
  context(call: CallOptions<S> = {}): PluginContext<O, S> {
    // Every service is optional (Partial<S>), so an empty object is a valid "none injected".
    const none: Partial<S> = {};
    const ctx: PluginContext<O, S> = {
      opts: this.options.opts,
      grains: this.options.grains ?? {},
      pillar: this.options.pillar ?? {},
      log: this.options.log,
      call: (fun, args = [], kwargs = {}) =>
        this.call(fun, args, kwargs, { ...call, context: ctx.context }).then((r) => r.return),
      context: call.context ?? {},
      registry: this,
      services: call.services ? { ...this.options.services, ...call.services } : (this.options.services ?? none),
    };
    if (call.jid !== undefined) ctx.jid = call.jid;
    const fire = call.fireEvent ?? this.options.fireEvent;
    if (fire) ctx.fireEvent = fire;
    return ctx;
  }

  /**
   * Calls `fun` with Salt-style arguments. Throws FunctionNotAvailableError
   * for an unknown function and InvalidArgumentsError for a bad call; a
   * plugin's own exception propagates for the caller to report.
   */
  async call(
    fun: string,
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
    call: CallOptions<S> = {},
  ): Promise<CallResult> {
    const entry = this.funcs.get(fun);
    if (!entry) {
      const mod = fun.split('.')[0] ?? fun;
      throw new FunctionNotAvailableError(fun, this.why.get(mod));
    }
    const bound = bindArgs(fun, entry.spec, args, kwargs);
    const ctx = this.context(call);
    const ret = await entry.spec.fn(ctx, bound);
    const rc = ctx.context['retcode'];
    const result: CallResult = { return: ret, retcode: typeof rc === 'number' ? rc : 0 };
    if (entry.spec.outputter) result.outputter = entry.spec.outputter;
    return result;
  }
}
