import { pyStr } from '@tsalt/core';
import { CommandExecutionError, SaltInvocationError } from '@tsalt/loader';
import type { StateContext, StateReturn } from '../types.js';

/*
 * What the pkg, service, cmd, user, group and test states share: Salt's
 * ret dict, `__opts__['test']`, `__salt__` and Salt's reading of a truthy
 * string.
 */

/** Salt's ret dict, keys in Salt's order. */
export function stateRet(
  name: string,
  result: boolean | null = true,
  comment: string = '',
  changes: Record<string, unknown> = {},
): StateReturn {
  return { name, changes, result, comment };
}

/** Salt's `__opts__['test']`: the call's own flag, else the minion's `test` option. */
export function isTest(ctx: StateContext): boolean {
  return ctx.services.run?.test ?? ctx.opts.test === true;
}

/** The saltenv of this call (Salt's `__env__`). */
export function saltenvOf(ctx: StateContext): string {
  return ctx.services.run?.saltenv ?? ctx.opts.saltenv ?? 'base';
}

/** Salt's `__salt__[fun](*args, **kwargs)`. */
export async function salt(
  ctx: StateContext,
  fun: string,
  args: unknown[] = [],
  kwargs: Record<string, unknown> = {},
): Promise<unknown> {
  const call = ctx.services.salt;
  if (!call) throw new CommandExecutionError(`'${fun}' is not available: this state run has no execution modules`);
  return call(fun, args, kwargs);
}

/** Salt's `salt.utils.data.is_true`: True, a positive number, or 'true'/'yes'/'1' in any case. */
export function isTrue(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v > 0;
  if (typeof v === 'string') return ['true', 'yes', '1'].includes(v.trim().toLowerCase());
  return false;
}

/** A name-like argument as text (YAML may hand a number): '' for None. */
export function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  return pyStr(v);
}

/** A list argument: a YAML list, or a comma-separated string (Salt's split on ','); [] for None. */
export function listOf(v: unknown): string[] {
  if (v === null || v === undefined || v === '') return [];
  if (Array.isArray(v)) return v.map(text);
  return text(v)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** An execution module's failure as Salt's states catch it (`CommandExecutionError`, `SaltInvocationError`). */
export function isModuleFailure(err: unknown): err is CommandExecutionError | SaltInvocationError {
  return err instanceof CommandExecutionError || err instanceof SaltInvocationError;
}

/** Salt's `exc.strerror`: the error's message. */
export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
