import { genJid } from '@tsalt/job';
import type { Registry } from '@tsalt/loader';
import type { FireFn } from './key-ops.js';

export interface RunWheelOptions {
  /** Fires `salt/wheel/<jid>/new` and `.../ret`, and is the call's `ctx.fireEvent` (for `salt/key`). */
  fire?: FireFn;
  /** Who asked: Salt's `__user__`; the reactor passes 'Reactor'. @default 'UNKNOWN' */
  user?: string;
  /** @default a new jid */
  jid?: string;
  /** Positional arguments, before `kwargs`. */
  args?: unknown[];
}

/** Salt's ClearFuncs.wheel event data: `new` has the first four fields, `ret` all six. */
export interface WheelEventData {
  [key: string]: unknown;
  fun: string;
  jid: string;
  tag: string;
  user: string;
  return?: unknown;
  success?: boolean;
}

/** What Salt's ClearFuncs.wheel hands back: the job tag and the `ret` event's data. */
export interface WheelResult {
  tag: string;
  data: WheelEventData;
}

/**
 * Runs one wheel function as Salt's master does (ClearFuncs.wheel): fires
 * `salt/wheel/<jid>/new`, calls, fires `salt/wheel/<jid>/ret` with `return`
 * and `success`. Never throws for the function's own failure: that becomes
 * `success: false` and Salt's "Exception occurred in wheel" text, so a
 * reactor can report it.
 *
 *   const r = await runWheel(wheel, 'wheel.key.accept', { match: 'web*' }, { fire, user: 'Reactor' });
 */
export async function runWheel(
  registry: Registry,
  fun: string,
  kwargs: Record<string, unknown> = {},
  o: RunWheelOptions = {},
): Promise<WheelResult> {
  const name = fun.startsWith('wheel.') ? fun.slice('wheel.'.length) : fun;
  const jid = o.jid ?? genJid();
  const tag = `salt/wheel/${jid}`;
  const base = { fun: `wheel.${name}`, jid, tag, user: o.user ?? 'UNKNOWN' };
  await fireQuietly(o.fire, `${tag}/new`, { ...base });
  let data: WheelEventData;
  try {
    const r = await registry.call(
      name,
      o.args ?? [],
      kwargs,
      o.fire ? { jid, fireEvent: async (t, d) => void (await o.fire?.(t, d)) } : { jid },
    );
    data = { ...base, return: r.return, success: true };
  } catch (err) {
    const cls = err instanceof Error ? err.constructor.name : 'Exception';
    const msg = err instanceof Error ? err.message : String(err);
    data = { ...base, return: `Exception occurred in wheel ${name}: ${cls}: ${msg}`, success: false };
  }
  await fireQuietly(o.fire, `${tag}/ret`, { ...data });
  return { tag, data };
}

async function fireQuietly(fire: FireFn | undefined, tag: string, data: Record<string, unknown>): Promise<void> {
  if (!fire) return;
  try {
    await fire(tag, data);
  } catch {
    // An unreachable bus must not fail the wheel call itself.
  }
}
