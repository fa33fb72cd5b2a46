import type { MinionConfig } from '@tsalt/config';
import { errorLine, isRecord } from '@tsalt/core';
import { definePlugin, pyTruthy, type BoundArgs } from '@tsalt/loader';
import { matchMinion } from '@tsalt/targeting';
import type { ModuleContext, ModuleServices } from '../context.js';
import {
  asFunctionMap,
  mergedMineFunctions,
  parseFunctionDefinition,
  validEntry,
  wrapAcl,
  MINE_ACL_DATA,
  MINE_ACL_ID,
  type MineFunctionDef,
} from '../mine-functions.js';
import { readLocalMine, writeLocalMine } from '../mine-local.js';

/*
 * Salt's mine module (salt/modules/mine.py): the minion runs functions and
 * stores their results on the master (the minion data cache, `mine.p`),
 * where other minions read them with mine.get. The requests are Salt's
 * `_mine`, `_mine_get`, `_mine_delete` and `_mine_flush`, sent through the
 * daemon's link (services.masterRequest), so a Salt master answers too.
 * Masterless (`file_client: local`, tsalt-call --local) the mine is the
 * minion's own datastore, as Salt's (mine-local.ts).
 */

/** Salt's test for the masterless mine. */
function isLocal(ctx: ModuleContext): boolean {
  return ctx.opts.file_client === 'local';
}

/** `_mine` kept locally: merged into the datastore's mine_cache, or replacing it when `clear`. */
function storeLocal(ctx: ModuleContext, data: Record<string, unknown>, clear: boolean): boolean {
  try {
    return writeLocalMine(ctx.opts.cachedir, clear ? data : { ...readLocalMine(ctx.opts.cachedir), ...data });
  } catch (err) {
    ctx.log.error({ err: errorLine(err) }, 'could not write the local mine');
    return false;
  }
}

/** A `_mine` request: to the master, or the local datastore when masterless. */
async function storeMine(ctx: ModuleContext, data: Record<string, unknown>, clear: boolean): Promise<boolean> {
  if (isLocal(ctx)) return storeLocal(ctx, data, clear);
  return stored(await toMaster(ctx, { cmd: '_mine', data, clear }));
}

/** Salt's masterless mine.get: this minion's own mine, when the target matches it. */
function getLocal(ctx: ModuleContext, a: BoundArgs): Record<string, unknown> {
  const id = ctx.opts.id;
  try {
    const tgtType = typeof a['tgt_type'] === 'string' ? a['tgt_type'] : 'glob';
    if (!matchMinion(a['tgt'] as string | string[], tgtType, { id, grains: ctx.grains, pillar: ctx.pillar })) return {};
  } catch (err) {
    ctx.log.warn({ err: errorLine(err) }, 'mine.get: bad target');
    return {};
  }
  const fun = a['fun'];
  let funs: string[];
  let byFunction: boolean;
  if (typeof fun === 'string') {
    funs = [...new Set(fun.split(','))];
    byFunction = funs.length > 1;
  } else if (Array.isArray(fun)) {
    funs = fun.map(String);
    byFunction = true;
  } else return {};
  const mine = readLocalMine(ctx.opts.cachedir);
  const ret: Record<string, unknown> = {};
  for (const f of funs) {
    if (!(f in mine)) continue;
    const entry = mine[f];
    const value = isRecord(entry) && MINE_ACL_ID in entry ? entry[MINE_ACL_DATA] : entry;
    if (byFunction) ((ret[f] ??= {}) as Record<string, unknown>)[id] = value;
    else ret[id] = value;
  }
  return ret;
}

/** Salt's kwargs that are publish metadata, never arguments of the mined function. */
function cleanKwargs(kwargs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(kwargs).filter(([k]) => !k.startsWith('__')));
}

/** Sends one mine request; undefined (logged) when there is no master or it did not answer. */
async function toMaster(ctx: ModuleContext, load: Record<string, unknown>): Promise<unknown> {
  const svc = ctx.services.masterRequest;
  if (!svc) {
    ctx.log.warn({ cmd: load['cmd'] }, 'no connection to the master here: the mine is kept on the master');
    return undefined;
  }
  const r = await svc.send({ ...load, id: ctx.opts.id }, ctx.opts.auth_timeout_ms);
  if (r.ok) return r.value;
  ctx.log.warn({ cmd: load['cmd'], err: r.error }, 'Unable to send mine data to master.');
  return undefined;
}

/** A request that changed the mine: a tsalt or Salt master answers True (a refusal: False or `{}`). */
function stored(reply: unknown): boolean {
  return reply === true;
}

/** Is `fun` a function of this minion? Salt logs the miss once and skips the entry. */
function available(ctx: ModuleContext, fun: string): boolean {
  if (ctx.registry.has(fun)) return true;
  ctx.log.error(`Function ${fun} in mine_functions not available`);
  return false;
}

/**
 * Calls a mined function; undefined when it threw (logged in one line, as
 * Salt's "failed to execute"). The called function's retcode is not the
 * mine call's own.
 */
async function runMined(
  ctx: ModuleContext,
  fun: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
  caller: 'mine.update' | 'mine.send',
): Promise<{ value: unknown } | undefined> {
  const rc = ctx.context['retcode'];
  try {
    return { value: await ctx.call(fun, args, kwargs) };
  } catch (err) {
    ctx.log.error({ err: errorLine(err) }, `Function ${fun} in ${caller} failed to execute`);
    return undefined;
  } finally {
    if (rc === undefined) delete ctx.context['retcode'];
    else ctx.context['retcode'] = rc;
  }
}

async function update(ctx: ModuleContext, a: BoundArgs): Promise<boolean | null> {
  const given = a['mine_functions'];
  const funcs = pyTruthy(given) ? asFunctionMap(given) : mergedMineFunctions(ctx.opts, ctx.pillar);
  // Salt answers None when nothing is configured, and sends nothing.
  if (Object.keys(funcs).length === 0) return null;
  const data: Record<string, unknown> = {};
  for (const [alias, def] of Object.entries(funcs)) {
    const parsed: MineFunctionDef = parseFunctionDefinition(def);
    const fun = parsed.fun ?? alias;
    if (!available(ctx, fun)) continue;
    const res = await runMined(ctx, fun, parsed.args, parsed.kwargs, 'mine.update');
    if (!res) continue;
    data[alias] = parsed.acl.allow_tgt !== undefined ? wrapAcl(res.value, parsed.acl) : res.value;
  }
  return storeMine(ctx, data, pyTruthy(a['clear']));
}

async function send(ctx: ModuleContext, a: BoundArgs): Promise<boolean> {
  const name = String(a['name']);
  const { mine_function, allow_tgt, allow_tgt_type, ...kwargs } = cleanKwargs(
    (a['__kwargs__'] ?? {}) as Record<string, unknown>,
  );
  const fun = typeof mine_function === 'string' && mine_function ? mine_function : name;
  const args = (a['__args__'] ?? []) as unknown[];
  const res = await runMined(ctx, fun, args, kwargs, 'mine.send');
  if (!res) return false;
  const acl = pyTruthy(allow_tgt) ? { allow_tgt, ...(pyTruthy(allow_tgt_type) ? { allow_tgt_type } : {}) } : undefined;
  const value = acl ? wrapAcl(res.value, acl) : res.value;
  return storeMine(ctx, { [name]: value }, false);
}

async function get(ctx: ModuleContext, a: BoundArgs): Promise<Record<string, unknown>> {
  if (isLocal(ctx)) return getLocal(ctx, a);
  const load = { cmd: '_mine_get', tgt: a['tgt'], fun: a['fun'], tgt_type: a['tgt_type'] ?? 'glob' };
  const reply = await toMaster(ctx, load);
  // A refusal (an ACL, a bad load) is False or {} from the master: Salt's minion shows {}.
  const ret = isRecord(reply) ? { ...reply } : {};
  if (pyTruthy(a['exclude_minion'])) delete ret[ctx.opts.id];
  return ret;
}

function valid(ctx: ModuleContext): Record<string, unknown> | null {
  const funcs = mergedMineFunctions(ctx.opts, ctx.pillar);
  if (Object.keys(funcs).length === 0) return null;
  const out: Record<string, unknown> = {};
  for (const [alias, def] of Object.entries(funcs)) {
    const parsed = parseFunctionDefinition(def);
    if (available(ctx, parsed.fun ?? alias)) out[alias] = validEntry(def, parsed);
  }
  return out;
}

export default definePlugin<MinionConfig, ModuleServices>({
  name: 'mine',
  doc: 'The function cache system allows for data to be stored on the master so it can be easily read by other minions',
  functions: {
    update: {
      doc: `Call the configured functions and send the data back up to the master.
The functions to be called are merged from the master config, pillar and
minion config under the option \`mine_functions\`:

    mine_functions:
      network.ip_addrs:
        - eth0
      disk.usage: []

clear
    Default: False. Whether updating clears the existing values (True) or
    updates them (False).

mine_functions
    Update (or clear) the mine data on these functions only, in the same
    structure as the \`mine_functions\` option.

CLI Example:

    salt '*' mine.update`,
      params: [
        { name: 'clear', default: false },
        { name: 'mine_functions', default: null },
      ],
      fn: (ctx, a) => update(ctx, a),
    },
    send: {
      doc: `Send a specific function and its result to the salt mine.
This gets stored in the salt master's cache.

name
    Name of the function to add to the mine.

mine_function
    The name of the execution_module.function to run and whose value will be
    stored in the salt mine. Defaults to \`\`name\`\`.

allow_tgt
    Targeting specification for ACL. Specifies which minions are allowed to
    access this function.

allow_tgt_type
    Type of the targeting specification.

Remaining args and kwargs will be passed on to the function to run.

CLI Example:

    salt '*' mine.send network.ip_addrs interface=eth0
    salt '*' mine.send eth0_ip_addrs mine_function=network.ip_addrs interface=eth0
    salt '*' mine.send eth0_ip_addrs mine_function=network.ip_addrs interface=eth0 allow_tgt='G@grain:value' allow_tgt_type=compound`,
      params: ['name'],
      varargs: true,
      varkw: true,
      fn: (ctx, a) => send(ctx, a),
    },
    get: {
      doc: `Get data from the mine.

tgt
    Target whose mine data to get.

fun
    Function to get the mine data of. You can specify multiple functions to
    retrieve using either a list or a comma-separated string of functions.

tgt_type
    Default \`\`glob\`\`. Target type to use with \`\`tgt\`\`. Pillar matches
    are exact matches, with globbing disabled.

exclude_minion
    Excludes the current minion from the result set.

CLI Example:

    salt '*' mine.get '*' network.interfaces
    salt '*' mine.get 'os:Fedora' network.interfaces grain
    salt '*' mine.get 'G@os:Fedora and S@192.168.5.0/24' network.ipaddrs compound`,
      params: ['tgt', 'fun', { name: 'tgt_type', default: 'glob' }, { name: 'exclude_minion', default: false }],
      fn: (ctx, a) => get(ctx, a),
    },
    delete: {
      doc: `Remove specific function contents of minion.

CLI Example:

    salt '*' mine.delete 'network.interfaces'`,
      params: ['fun'],
      fn: async (ctx, a) => {
        if (!isLocal(ctx)) return stored(await toMaster(ctx, { cmd: '_mine_delete', fun: a['fun'] }));
        const { [String(a['fun'])]: _gone, ...rest } = readLocalMine(ctx.opts.cachedir);
        return storeLocal(ctx, rest, true);
      },
    },
    flush: {
      doc: `Remove all mine contents of minion.

CLI Example:

    salt '*' mine.flush`,
      // Salt answers what the master's cache flush answers: False when there was no mine to flush.
      fn: async (ctx) =>
        isLocal(ctx) ? storeLocal(ctx, {}, true) : stored(await toMaster(ctx, { cmd: '_mine_flush' })),
    },
    valid: {
      doc: `List valid entries in mine configuration.

CLI Example:

    salt '*' mine.valid`,
      fn: (ctx) => valid(ctx),
    },
  },
});
