import { pyStr } from '@tsalt/core';
import { jidToTime } from '@tsalt/job';
import { SaltInvocationError, type BoundArgs } from '@tsalt/loader';
import { withRequisites, type HighstateResult, type LowChunk, type TopMatches } from '@tsalt/states';
import type { ModuleContext } from '../context.js';
import { excludeArg, modsArg, pillarOverrideArg, saltenvArg, testArg } from './state-args.js';
import {
  EX_STATE_COMPILER_ERROR,
  SessionRefusal,
  StateSession,
  stateRetcode,
  type SessionRequest,
} from './state-session.js';

/*
 * The bodies of Salt's state.* functions (salt/modules/state.py): each
 * opens a session (fresh pillar, file client, compiler) and sets the
 * job's retcode from what it returns, as Salt's _set_retcode does.
 */

/** The `**kwargs` of a call. */
export function kw(a: BoundArgs): Record<string, unknown> {
  const k = a['__kwargs__'];
  return typeof k === 'object' && k !== null ? (k as Record<string, unknown>) : {};
}

const NO_STATES_TAG = 'no_|-states_|-states_|-None';

/** Salt's reply when the top gives this minion nothing (or cannot be rendered). */
function noStates(comment: string): HighstateResult {
  return {
    [NO_STATES_TAG]: {
      result: false,
      comment,
      name: 'No States',
      changes: {},
      __run_num__: 0,
      __id__: 'states',
      __sls__: '',
      start_time: '',
      duration: 0,
    },
  };
}

/** The other state jobs on this minion (saltutil.is_running 'state.*'), still running. */
async function activeStates(ctx: ModuleContext): Promise<Record<string, unknown>[]> {
  const active = await ctx.call('saltutil.is_running', ['state.*']);
  if (!Array.isArray(active)) return [];
  const daemonPid = ctx.services.jobControl?.daemonPid;
  // A finished job still sending its return (held by the daemon) no longer runs states.
  return (active as Record<string, unknown>[]).filter((d) => daemonPid === undefined || d['pid'] !== daemonPid);
}

/** Salt's state.running: one line per other state job on this minion. */
export async function runningStates(ctx: ModuleContext, concurrent: boolean): Promise<string[]> {
  if (concurrent) return [];
  return (await activeStates(ctx)).map((d) => {
    const jid = pyStr(d['jid'] ?? '');
    return `The function "${pyStr(d['fun'] ?? '')}" is running as PID ${pyStr(d['pid'] ?? '')} and was started at ${jidToTime(jid)} with jid ${jid}`;
  });
}

// Salt's `queue=True` polls for earlier state jobs once a second.
const QUEUE_POLL_MS = 1000;

/** Salt's _check_queue: the refusal when another state run holds the minion, or undefined to go on. */
async function checkQueue(ctx: ModuleContext, a: BoundArgs): Promise<string[] | undefined> {
  const k = kw(a);
  const queue = a['queue'] ?? false;
  if (queue === true) {
    for (;;) {
      // Only earlier jobs (smaller jids): two queued runs must not wait for each other.
      const prior = (await activeStates(ctx)).filter((d) => ctx.jid === undefined || pyStr(d['jid'] ?? '') < ctx.jid);
      if (prior.length === 0) return undefined;
      await new Promise((r) => setTimeout(r, QUEUE_POLL_MS));
    }
  }
  const conflict = await runningStates(ctx, k['concurrent'] === true);
  if (conflict.length === 0) return undefined;
  ctx.context['retcode'] = EX_STATE_COMPILER_ERROR;
  return conflict;
}

function request(ctx: ModuleContext, a: BoundArgs, defaultEnv: string | null): SessionRequest {
  const k = kw(a);
  const env = saltenvArg(k['saltenv'], ctx.opts.saltenv) ?? defaultEnv;
  return {
    test: testArg(a['test'] ?? k['test'], ctx.opts.test),
    saltenv: env,
    pillarOverride: pillarOverrideArg(k['pillar']),
  };
}

/** Opens a session after the queue check; a refusal sets the retcode and is what the function returns. */
async function session(
  ctx: ModuleContext,
  a: BoundArgs,
  defaultEnv: string | null,
  queue = true,
): Promise<StateSession | string[]> {
  if (queue) {
    const conflict = await checkQueue(ctx, a);
    if (conflict) return conflict;
  }
  const s = await StateSession.open(ctx, request(ctx, a, defaultEnv));
  if (s instanceof SessionRefusal) {
    ctx.context['retcode'] = s.retcode;
    return s.errors;
  }
  return s;
}

function done<T>(ctx: ModuleContext, ret: T): T {
  ctx.context['retcode'] = stateRetcode(ret);
  return ret;
}

function hasStates(top: TopMatches): boolean {
  return Object.values(top).some((mods) => mods.length > 0);
}

/** state.highstate (and state.top with another top file). */
export async function highstate(ctx: ModuleContext, a: BoundArgs, topfn?: string): Promise<unknown> {
  const s = await session(ctx, a, null);
  if (Array.isArray(s)) return s;
  const c = s.compiler(topfn);
  const read = await c.readTop();
  // Salt logs a top that does not render and says so in the one result it returns.
  if (read.renderErrors.length > 0) {
    for (const e of read.renderErrors) ctx.log.error(`state top: ${e}`);
    return done(ctx, noStates(`Unable to render top file: ${read.renderErrors.join('; ')}`));
  }
  if (read.errors.length > 0) return done(ctx, read.errors);
  const top = read.matches;
  if (!hasStates(top))
    return done(ctx, noStates('No Top file or master_tops data matches found. Please see master log for details.'));
  const { high, errors } = await c.render(top);
  if (errors.length > 0) return done(ctx, errors);
  if (Object.keys(high).length === 0) return done(ctx, noStates('No states found for this minion'));
  return done(ctx, await s.runHigh(high, excludeArg(kw(a)['exclude'] ?? a['exclude'])));
}

function envMods(s: StateSession, mods: string[]): TopMatches {
  return { [s.req.saltenv ?? 'base']: mods };
}

/** state.sls */
export async function sls(ctx: ModuleContext, a: BoundArgs): Promise<unknown> {
  const mods = modsArg(a['mods']);
  const s = await session(ctx, a, 'base');
  if (Array.isArray(s)) return s;
  const { high, errors } = await s.compiler().render(envMods(s, mods));
  if (errors.length > 0) return done(ctx, errors);
  return done(ctx, await s.runHigh(high, excludeArg(a['exclude'] ?? kw(a)['exclude'])));
}

/** state.sls_id: one id of the named SLS files, and the states it requires (Salt's call_chunk pulls them in). */
export async function slsId(ctx: ModuleContext, a: BoundArgs): Promise<unknown> {
  const id = pyStr(a['id_']);
  const mods = modsArg(a['mods']);
  const s = await session(ctx, a, 'base');
  if (Array.isArray(s)) return s;
  const c = s.compiler();
  const { high, errors } = await c.render(envMods(s, mods));
  if (errors.length > 0) return done(ctx, errors);
  const low = c.compile(high);
  if (low.errors.length > 0) return done(ctx, low.errors);
  const chunks = low.chunks.filter((ch) => ch.__id__ === id);
  if (chunks.length === 0)
    throw new SaltInvocationError(
      `No matches for ID '${id}' found in SLS '${mods.join(',')}' within saltenv '${s.req.saltenv ?? 'base'}'`,
    );
  return done(ctx, await s.runChunks(withRequisites(low.chunks, chunks)));
}

/** state.single: one state function, called with the kwargs given. */
export async function single(ctx: ModuleContext, a: BoundArgs): Promise<unknown> {
  const fun = pyStr(a['fun']);
  const comps = fun.split('.');
  if (comps.length < 2) {
    ctx.context['retcode'] = EX_STATE_COMPILER_ERROR;
    return 'Invalid function passed';
  }
  const s = await session(ctx, a, 'base');
  if (Array.isArray(s)) return s;
  const name = pyStr(a['name']);
  const args: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kw(a)))
    if (!k.startsWith('__pub_') && !['saltenv', 'pillar', 'concurrent', 'test'].includes(k)) args[k] = v;
  const chunk: LowChunk = {
    ...args,
    state: comps[0] ?? '',
    fun: comps.slice(1).join('.'),
    __id__: name,
    name,
    __sls__: 'single',
    __env__: s.req.saltenv ?? 'base',
    order: 10000,
  };
  return done(ctx, await s.runChunks([chunk]));
}

/** state.show_top */
export async function showTop(ctx: ModuleContext, a: BoundArgs): Promise<unknown> {
  const s = await session(ctx, a, null, false);
  if (Array.isArray(s)) return s;
  return s.compiler().top();
}

/** state.show_sls: the named SLS files rendered (with includes and extend). */
export async function showSls(ctx: ModuleContext, a: BoundArgs): Promise<unknown> {
  const s = await session(ctx, a, 'base', false);
  if (Array.isArray(s)) return s;
  const c = s.compiler();
  const { high, errors } = await c.render(envMods(s, modsArg(a['mods'])));
  // Salt's show_sls also reports what verify_high finds.
  const all = [...errors, ...c.compile(high).errors];
  if (all.length > 0) return done(ctx, all);
  return high;
}

/** state.show_highstate, and with `low` state.show_lowstate. */
export async function showHighstate(ctx: ModuleContext, a: BoundArgs, low: boolean): Promise<unknown> {
  const s = await session(ctx, a, null, false);
  if (Array.isArray(s)) return s;
  const c = s.compiler();
  const { high, errors } = await c.render(await c.top());
  if (errors.length > 0) return done(ctx, errors);
  if (!low) return high;
  const compiled = c.compile(high);
  if (compiled.errors.length > 0) return done(ctx, compiled.errors);
  return compiled.chunks;
}

/** state.show_low_sls */
export async function showLowSls(ctx: ModuleContext, a: BoundArgs): Promise<unknown> {
  const s = await session(ctx, a, 'base', false);
  if (Array.isArray(s)) return s;
  const c = s.compiler();
  const { high, errors } = await c.render(envMods(s, modsArg(a['mods'])));
  if (errors.length > 0) return done(ctx, errors);
  const compiled = c.compile(high);
  if (compiled.errors.length > 0) return done(ctx, compiled.errors);
  return compiled.chunks;
}

/** state.sls_exists */
export async function slsExists(ctx: ModuleContext, a: BoundArgs): Promise<boolean> {
  const s = await session(ctx, a, 'base', false);
  if (Array.isArray(s)) return false;
  const { errors } = await s.compiler().render(envMods(s, modsArg(a['mods'])));
  return errors.length === 0;
}
