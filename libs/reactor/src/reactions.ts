import { ReactorError } from './errors.js';

/*
 * From rendered SLS data to reactions, as Salt's reactor compiles its "high
 * data" (salt/utils/reactor.py, ReactWrap.run):
 *
 *   <id>:
 *     <type>.<fun>:          # local.cmd.run, runner.jobs.list_jobs, wheel.key.accept, caller.test.ping
 *       - tgt: 'web*'        # local only; tgt_type (or the old expr_form), ret, timeout
 *       - args:              # new syntax: one-key dicts are kwargs, plain items positionals
 *         - cmd: 'uptime'
 *       - arg: [...]         # legacy: positionals, with kwarg: {...}; ignored when args is given
 */

export type ReactionKind = 'local' | 'runner' | 'wheel' | 'caller';
const KINDS: readonly ReactionKind[] = ['local', 'runner', 'wheel', 'caller'];
// Salt's resolve_aliases: `cmd` is the old name of `local`.
const ALIASES: Record<string, ReactionKind> = { cmd: 'local' };

/** One reaction, ready to run; plain data, so it can sit in the durable queue. */
export interface Reaction {
  /** The SLS id (`accept_key:`). */
  name: string;
  sls: string;
  kind: ReactionKind;
  /** `cmd.run` for `local.cmd.run`, `key.accept` for `wheel.key.accept`. */
  fun: string;
  arg: unknown[];
  kwarg: Record<string, unknown>;
  /**
   * Legacy runner/wheel syntax passes the SLS keys themselves as keyword
   * arguments; like Salt's format_call, those the function does not take
   * are dropped rather than failing the call.
   */
  looseKwarg?: boolean;
  /** local: the target. */
  tgt?: string | string[];
  tgt_type?: string;
  ret?: string;
  /** local: s, as Salt's cmd_async accepts (the job itself is not waited for). */
  timeout?: number;
  metadata?: Record<string, unknown>;
  /** Salt's warnings while compiling, e.g. "ignoring 'arg' because 'args' is given". */
  warnings: string[];
}

// Keys of the low data that are the reactor's own, not arguments of a legacy runner/wheel call.
const INTERNAL = new Set([
  'name',
  'order',
  'tgt',
  'tgt_type',
  'expr_form',
  'ret',
  'timeout',
  'arg',
  'kwarg',
  'args',
  'metadata',
  'fun',
  'state',
  '__id__',
  '__sls__',
  '__env__',
]);

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(sls: string, name: string, msg: string): ReactorError {
  return new ReactorError('BAD_REACTION', `${sls}: reaction '${name}': ${msg}`);
}

/** `args`: a dict is kwargs; a list's one-key dicts are kwargs and its other items positionals. */
function newSyntax(sls: string, name: string, args: unknown): { arg: unknown[]; kwarg: Record<string, unknown> } {
  if (isMap(args)) return { arg: [], kwarg: { ...args } };
  if (!Array.isArray(args))
    throw bad(sls, name, `'args' must be a list (of one-key dicts for keyword arguments), got ${JSON.stringify(args)}`);
  const arg: unknown[] = [];
  const kwarg: Record<string, unknown> = {};
  for (const item of args) {
    if (isMap(item) && Object.keys(item).length === 1) Object.assign(kwarg, item);
    else arg.push(item);
  }
  return { arg, kwarg };
}

function compileOne(sls: string, name: string, key: string, body: unknown): Reaction {
  const dot = key.indexOf('.');
  const head = dot < 0 ? key : key.slice(0, dot);
  const kind: ReactionKind | undefined =
    ALIASES[head] ?? ((KINDS as readonly string[]).includes(head) ? (head as ReactionKind) : undefined);
  if (!kind) throw bad(sls, name, `unknown reaction type '${head}' (expected local, runner, wheel or caller)`);
  let fun = dot < 0 ? '' : key.slice(dot + 1);
  // The low data: the list's one-key dicts merged, a bare string naming the function (`local: [cmd.run, ...]`).
  const low: Record<string, unknown> = {};
  const items = body === null || body === undefined ? [] : Array.isArray(body) ? body : [body];
  for (const item of items) {
    if (typeof item === 'string' && !fun) fun = item;
    else if (isMap(item)) Object.assign(low, item);
    else
      throw bad(sls, name, `each argument must be a one-key mapping like '- tgt: web1', got ${JSON.stringify(item)}`);
  }
  if (!fun || !/^[\w.]+$/.test(fun) || !fun.includes('.'))
    throw bad(sls, name, `'${key}' does not name a function: write <type>.<module>.<function>, e.g. local.cmd.run`);
  const warnings: string[] = [];
  let arg: unknown[];
  let kwarg: Record<string, unknown>;
  let looseKwarg = false;
  if ('args' in low) {
    for (const item of ['arg', 'kwarg']) {
      if (item in low)
        warnings.push(
          `Reactor '${name}' is ignoring '${item}' param ${JSON.stringify(low[item])} due to presence of 'args' param`,
        );
    }
    ({ arg, kwarg } = newSyntax(sls, name, low['args']));
  } else {
    const a = low['arg'];
    arg = a === undefined || a === null ? [] : Array.isArray(a) ? [...(a as unknown[])] : [a];
    const k = low['kwarg'];
    if (k !== undefined && k !== null && !isMap(k))
      throw bad(sls, name, `'kwarg' must be a mapping, got ${JSON.stringify(k)}`);
    kwarg = { ...(k ?? {}) };
    if ((kind === 'runner' || kind === 'wheel') && a === undefined && k === undefined) {
      for (const [key2, v] of Object.entries(low)) if (!INTERNAL.has(key2)) kwarg[key2] = v;
      looseKwarg = true;
    }
  }
  const r: Reaction = { name, sls, kind, fun, arg, kwarg, warnings };
  if (looseKwarg) r.looseKwarg = true;
  if (kind === 'local') {
    const tgt = low['tgt'];
    if (typeof tgt !== 'string' && !(Array.isArray(tgt) && tgt.every((t) => typeof t === 'string'))) {
      throw bad(
        sls,
        name,
        `local reactions need 'tgt' (a target string or list), got ${JSON.stringify(tgt) ?? 'nothing'}`,
      );
    }
    r.tgt = tgt;
    const tt = low['tgt_type'] ?? low['expr_form'];
    r.tgt_type = typeof tt === 'string' ? tt : Array.isArray(tgt) ? 'list' : 'glob';
    if (typeof low['ret'] === 'string') r.ret = low['ret'];
    if (typeof low['timeout'] === 'number') r.timeout = low['timeout'];
    if (isMap(low['metadata'])) r.metadata = low['metadata'];
  }
  return r;
}

/**
 * Turns one SLS's rendered data into reactions, in the order written.
 * Empty data (nothing rendered) is no reaction.
 * @throws ReactorError BAD_REACTION naming the SLS and the id
 */
export function compileReactions(sls: string, high: unknown): Reaction[] {
  if (high === null || high === undefined || high === '') return [];
  if (!isMap(high))
    throw new ReactorError(
      'BAD_REACTION',
      `${sls}: the SLS must render to a mapping of ids to reactions, got ${JSON.stringify(high).slice(0, 80)}`,
    );
  const out: Reaction[] = [];
  for (const [name, body] of Object.entries(high)) {
    if (!isMap(body))
      throw bad(
        sls,
        name,
        `expected a mapping like 'local.cmd.run: [...]', got ${JSON.stringify(body)?.slice(0, 80) ?? 'nothing'}`,
      );
    for (const [key, args] of Object.entries(body)) {
      // Salt's state keywords on the id are not reactions.
      if (key === 'order' || key === '__sls__' || key === '__env__') continue;
      out.push(compileOne(sls, name, key, args));
    }
  }
  return out;
}
