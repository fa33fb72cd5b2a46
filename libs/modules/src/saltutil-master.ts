import type { MinionConfig } from '@tsalt/config';
import { isRecord } from '@tsalt/core';
import type { BoundArgs, PluginFunction } from '@tsalt/loader';
import type { ModuleContext, ModuleServices } from './context.js';
import { masterLink, peerPublish, peerRun, PeerTimeout } from './peer-client.js';

/*
 * saltutil.runner, saltutil.wheel and saltutil.cmd. Salt 3006.8 runs them
 * in the minion with the master's own config, so they only work on a
 * minion that lives on the master. tsalt asks the master instead: runner
 * and wheel through `minion_runner` (and tsalt's `minion_wheel`) under the
 * master's `peer_run` ACL, cmd through peer publishing under `peer`, so
 * they work from any minion the master allows (docs/peer.md).
 */

type Fn = PluginFunction<MinionConfig, ModuleServices>;

const NO_MASTER = 'No access to master. If using salt-call with --local, please remove.';

/** The extra keyword arguments, less Salt's `__pub_*` and other dunder keys (Salt's clean_kwargs). */
function cleanKwargs(a: BoundArgs): Record<string, unknown> {
  const kw = isRecord(a['__kwargs__']) ? a['__kwargs__'] : {};
  return Object.fromEntries(Object.entries(kw).filter(([k]) => !k.startsWith('__')));
}

/** Positional arguments and keyword arguments in Salt's wire form (one trailing `__kwarg__` dict). */
function wireArgs(args: unknown[], kwargs: Record<string, unknown>): unknown[] {
  if (Object.keys(kwargs).length === 0) return args;
  const marker: Record<string, unknown> = { __kwarg__: true };
  for (const [k, v] of Object.entries(kwargs))
    Object.defineProperty(marker, k, { value: v, enumerable: true, writable: true, configurable: true });
  return [...args, marker];
}

function listArg(v: unknown): unknown[] {
  if (v === null || v === undefined || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

async function onMaster(ctx: ModuleContext, cmd: 'minion_runner' | 'minion_wheel', name: string, arg: unknown[]) {
  const svc = masterLink(ctx);
  if (!svc) return NO_MASTER;
  try {
    return await peerRun(svc, cmd, name, arg, 60);
  } catch (err) {
    if (err instanceof PeerTimeout) return `'${name}' runner publish timed out`;
    throw err;
  }
}

export const masterFunctions: Record<string, Fn> = {
  runner: {
    doc: "Execute a runner function on the master (tsalt asks the master, under its\npeer_run ACL).\n\nname\n    The name of the function to run\nkwargs\n    Any keyword arguments to pass to the runner function\n\nCLI Example:\n\n    salt master_minion saltutil.runner jobs.list_jobs\n    salt master_minion saltutil.runner test.arg arg=\"['baz']\" kwarg=\"{'foo': 'bar'}\"",
    params: [
      'name',
      { name: 'arg', default: null },
      { name: 'kwarg', default: null },
      { name: 'full_return', default: false },
      { name: 'saltenv', default: 'base' },
      { name: 'jid', default: null },
    ],
    varkw: true,
    fn: (ctx, a) => {
      const kwarg = { ...(isRecord(a['kwarg']) ? a['kwarg'] : {}), ...cleanKwargs(a) };
      return onMaster(ctx, 'minion_runner', String(a['name']), wireArgs(listArg(a['arg']), kwarg));
    },
  },
  wheel: {
    doc: 'Execute a wheel module and function on the master (tsalt asks the master,\nunder its peer_run ACL, where the function is named wheel.<name>).\n\nname\n    The name of the function to run\nargs\n    Any positional arguments to pass to the wheel function. A common example\n    of this would be the ``match`` arg needed for key functions.\nkwargs\n    Any keyword arguments to pass to the wheel function\n\nCLI Example:\n\n    salt my-local-minion saltutil.wheel key.accept jerry\n    salt my-local-minion saltutil.wheel minions.connected',
    params: ['name'],
    varargs: true,
    varkw: true,
    fn: (ctx, a) => {
      const args = Array.isArray(a['__args__']) ? (a['__args__'] as unknown[]) : [];
      return onMaster(ctx, 'minion_wheel', String(a['name']), wireArgs(args, cleanKwargs(a)));
    },
  },
  cmd: {
    doc: "Assuming this minion is a master, execute a salt command (tsalt publishes\nit through the master, under its peer ACL)\n\nCLI Example:\n\n    salt '*' saltutil.cmd",
    params: [
      'tgt',
      'fun',
      { name: 'arg', default: [] },
      { name: 'timeout', default: null },
      { name: 'tgt_type', default: 'glob' },
      { name: 'ret', default: '' },
      { name: 'kwarg', default: null },
      { name: 'ssh', default: false },
    ],
    varkw: true,
    fn: async (ctx, a) => {
      const fun = String(a['fun']);
      const svc = masterLink(ctx);
      if (!svc) return NO_MASTER;
      const kwarg = { ...(isRecord(a['kwarg']) ? a['kwarg'] : {}), ...cleanKwargs(a) };
      const t = Number(a['timeout']);
      try {
        const rets = await peerPublish(ctx, svc, {
          tgt: a['tgt'],
          fun,
          arg: wireArgs(listArg(a['arg']), kwarg),
          tgtType: typeof a['tgt_type'] === 'string' && a['tgt_type'] ? a['tgt_type'] : 'glob',
          returner: typeof a['ret'] === 'string' ? a['ret'] : '',
          timeout: Number.isFinite(t) && t > 0 ? t : 5,
          form: 'full',
        });
        // Salt's cmd_iter shape: {minion: {ret, retcode, ...}}; a return without a retcode counts as 0.
        const out: Record<string, unknown> = {};
        for (const [m, r] of Object.entries(rets)) out[m] = isRecord(r) ? { retcode: 0, ...r } : { ret: r, retcode: 0 };
        return out;
      } catch (err) {
        if (err instanceof PeerTimeout) return `'${fun}' publish timed out`;
        throw err;
      }
    },
  },
};
