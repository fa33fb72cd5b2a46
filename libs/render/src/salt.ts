import { PendingCall, TemplateVar } from './jinja/template.js';
import { fn, toJs, toRv, V, type RV } from './jinja/values.js';

/*
 * The `salt` template variable: `salt['mod.fun'](...)` and
 * `salt.mod.fun(...)` call the caller's functions (the minion's execution
 * modules for a state or pillar SLS). Jinja renders synchronously, modules
 * answer with promises: a call whose result is not there yet throws a
 * PendingCall out of the interpreter, the pipeline waits for it and renders
 * again, and the next pass finds the result. So each distinct call (the
 * function and its arguments) runs once per render, however many passes
 * it takes; a template calling `salt['test.rand_str']()` twice gets the
 * same answer twice.
 */

/** The caller's functions, by Salt's `mod.fun` names. */
export interface SaltFunctions {
  /** Whether `fun` (e.g. `cmd.run`) exists; an unknown one is Undefined in the template, as in Salt. */
  has(fun: string): boolean;
  /** Runs `fun` with plain JS arguments; may answer with a promise (not with `renderSync`). */
  call(fun: string, args: unknown[], kwargs: Record<string, unknown>): unknown;
}

/** SaltFunctions over a plain table: `{ 'test.ping': () => true }`; kwargs come last when given. */
export function saltFunctions(
  table: Readonly<Record<string, (args: unknown[], kwargs: Record<string, unknown>) => unknown>>,
): SaltFunctions {
  return {
    has: (fun) => Object.hasOwn(table, fun),
    call: (fun, args, kwargs) => {
      const impl = table[fun];
      if (!impl) throw new Error(`'${fun}' is not available`);
      return impl(args, kwargs);
    },
  };
}

type Result =
  { state: 'done'; value: unknown } | { state: 'failed'; error: unknown } | { state: 'pending'; wait: Promise<void> };

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

// JSON of the arguments as the cache key; bigints (large ints from YAML data) as their digits.
function keyOf(fun: string, args: unknown[], kwargs: Record<string, unknown>): string {
  return `${fun}\0${JSON.stringify([args, kwargs], (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`;
}

/**
 * One render's `salt` variable: the results of its calls survive from pass
 * to pass (and into the re-render that finds an error's line).
 */
export class SaltVar extends TemplateVar {
  private readonly results = new Map<string, Result>();

  constructor(private readonly functions: SaltFunctions) {
    super();
  }

  runtime(): RV {
    return new V.Obj(new FunctionMap('', this));
  }

  has(fun: string): boolean {
    return this.functions.has(fun);
  }

  /** The template's call: a fresh runtime value each time, so a template mutating one result does not change the cache. */
  call(fun: string, args: RV[], kwargs: Map<string, RV>): RV {
    const jsArgs = args.map(toJs);
    const jsKwargs = Object.fromEntries([...kwargs].map(([k, v]) => [k, toJs(v)]));
    const key = keyOf(fun, jsArgs, jsKwargs);
    let hit = this.results.get(key);
    if (!hit) hit = this.start(key, fun, jsArgs, jsKwargs);
    if (hit.state === 'done') return toRv(hit.value);
    if (hit.state === 'failed') throw hit.error;
    throw new PendingCall(fun, hit.wait);
  }

  private start(key: string, fun: string, args: unknown[], kwargs: Record<string, unknown>): Result {
    let out: unknown;
    try {
      out = this.functions.call(fun, args, kwargs);
    } catch (error) {
      const failed: Result = { state: 'failed', error };
      this.results.set(key, failed);
      return failed;
    }
    if (!isThenable(out)) {
      const done: Result = { state: 'done', value: out };
      this.results.set(key, done);
      return done;
    }
    // The rejection is recorded, never left unhandled; the next pass throws it from the template.
    const wait = Promise.resolve(out).then(
      (value) => void this.results.set(key, { state: 'done', value }),
      (error: unknown) => void this.results.set(key, { state: 'failed', error }),
    );
    const pending: Result = { state: 'pending', wait };
    this.results.set(key, pending);
    return pending;
  }
}

/**
 * The dict behind `salt` (and behind `salt.mod`): looks names up in the
 * caller's functions instead of holding them, as Salt's lazy loader does.
 * Iterating it gives nothing: the functions are not listed.
 */
class FunctionMap extends Map<string, RV> {
  constructor(
    private readonly prefix: string,
    private readonly salt: SaltVar,
  ) {
    super();
  }

  override get(key: string): RV | undefined {
    const name = this.prefix + key;
    if (this.salt.has(name)) return fn((args, kwargs) => this.salt.call(name, args, kwargs));
    // `salt.cmd` (then `.run`): a module, at the top level only.
    if (this.prefix === '' && !key.includes('.')) return new V.Obj(new FunctionMap(`${key}.`, this.salt));
    return undefined;
  }

  override has(key: string): boolean {
    return this.salt.has(this.prefix + key);
  }
}
