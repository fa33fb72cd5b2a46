import fs from 'node:fs';
import { definePlugin, type BoundArgs } from '@tsalt/loader';
import type { MinionConfig } from '@tsalt/config';
import type { StateContext, StateReturn, StateServices } from '../types.js';
import { errText, isModuleFailure, isTest, isTrue, salt, stateRet, text } from '../sys/state-ret.js';

/*
 * Salt's `service` state: a service running or dead, enabled or disabled
 * at boot, and restarted (or reloaded) when a watched state changed.
 */

/**
 * Arguments only systemd's service functions take. Where systemd does not
 * run, the service module is the SysV one, whose functions do not take
 * them: Salt drops them there without a word, and so do we.
 */
const SYSTEMD_ONLY = ['no_block', 'unmask', 'unmask_runtime'] as const;

/** Salt's salt.utils.systemd.booted(): systemd is PID 1's init. */
function systemdBooted(): boolean {
  return fs.existsSync('/run/systemd/system');
}

/** The systemd-only kwargs the caller gave that `fun` takes (Salt's `_get_systemd_only`). */
function systemdOnly(
  fun: 'start' | 'stop' | 'restart' | 'reload' | 'enable' | 'disable',
  a: BoundArgs,
): { kwargs: Record<string, unknown> } {
  // Which of them each function of systemd's service module takes (its signature, as Salt's _argspec reads it).
  const takes: Record<string, readonly string[]> = {
    start: SYSTEMD_ONLY,
    restart: SYSTEMD_ONLY,
    reload: SYSTEMD_ONLY,
    stop: ['no_block'],
    enable: SYSTEMD_ONLY,
    disable: ['no_block'],
  };
  const kwargs: Record<string, unknown> = {};
  if (!systemdBooted()) return { kwargs };
  for (const arg of takes[fun] ?? []) if (a[arg] !== undefined) kwargs[arg] = a[arg];
  return { kwargs };
}

/** Salt's `_available`: false (and the ret says why) when the host has no such service. */
async function available(ctx: StateContext, name: string, ret: Partial<StateReturn>): Promise<boolean> {
  const avail = (await salt(ctx, 'service.available', [name])) === true;
  if (!avail) {
    ret.result = false;
    ret.comment = `The named service ${name} is not available`;
  }
  return avail;
}

/** `started` as Salt's _enable/_disable word it: true running, false dead, null "in the desired state". */
type Started = boolean | null;

function word(started: Started, running: string, desired: string, dead: string): string {
  return started === true ? running : started === null ? desired : dead;
}

/** Salt's `_enable`: the fields to merge into the ret. */
async function enable(
  ctx: StateContext,
  name: string,
  started: Started,
  a: BoundArgs,
  result = true,
): Promise<Partial<StateReturn>> {
  const ret: Partial<StateReturn> = {};
  try {
    if (!(await available(ctx, name, ret))) return ret;
  } catch (err) {
    if (!isModuleFailure(err)) throw err;
    return { result: false, comment: errText(err) };
  }
  ret.result = result;
  const before = (await salt(ctx, 'service.enabled', [name])) === true;
  if (before) {
    if (started === null) ret.changes = {};
    ret.comment = word(
      started,
      `Service ${name} is already enabled, and is running`,
      `Service ${name} is already enabled, and is in the desired state`,
      `Service ${name} is already enabled, and is dead`,
    );
    return ret;
  }
  if (isTest(ctx)) return { ...ret, result: null, comment: `Service ${name} set to be enabled` };
  let why = '';
  try {
    const { kwargs } = systemdOnly('enable', a);
    if ((await salt(ctx, 'service.enable', [name], kwargs)) === true) {
      const after = (await salt(ctx, 'service.enabled', [name])) === true;
      // Some init systems answer "not enabled" even after a good enable: only a visible toggle is a change.
      ret.changes = before !== after ? { [name]: true } : {};
      ret.comment = word(
        started,
        `Service ${name} has been enabled, and is running`,
        `Service ${name} has been enabled, and is in the desired state`,
        `Service ${name} has been enabled, and is dead`,
      );
      return ret;
    }
  } catch (err) {
    if (!isModuleFailure(err)) throw err;
    why = errText(err);
  }
  ret.result = false;
  ret.comment = word(
    started,
    `Failed when setting service ${name} to start at boot, but the service is running`,
    `Failed when setting service ${name} to start at boot, but the service was already running`,
    `Failed when setting service ${name} to start at boot, and the service is dead`,
  );
  if (why) ret.comment += `. Additional information follows:\n\n${why}`;
  return ret;
}

/** Salt's `_disable`. */
async function disable(
  ctx: StateContext,
  name: string,
  started: Started,
  a: BoundArgs,
  result = true,
): Promise<Partial<StateReturn>> {
  const ret: Partial<StateReturn> = {};
  try {
    if (!(await available(ctx, name, ret))) return { ...ret, result: true };
  } catch (err) {
    if (!isModuleFailure(err)) throw err;
    return { result: false, comment: errText(err) };
  }
  ret.result = result;
  const before = (await salt(ctx, 'service.disabled', [name])) === true;
  if (before) {
    if (started === null) ret.changes = {};
    ret.comment = word(
      started,
      `Service ${name} is already disabled, and is running`,
      `Service ${name} is already disabled, and is in the desired state`,
      `Service ${name} is already disabled, and is dead`,
    );
    return ret;
  }
  if (isTest(ctx)) return { ...ret, result: null, comment: `Service ${name} set to be disabled` };
  const { kwargs } = systemdOnly('disable', a);
  if ((await salt(ctx, 'service.disable', [name], kwargs)) === true) {
    const after = (await salt(ctx, 'service.disabled', [name])) === true;
    ret.changes = before !== after ? { [name]: true } : {};
    ret.comment = word(
      started,
      `Service ${name} has been disabled, and is running`,
      `Service ${name} has been disabled, and is in the desired state`,
      `Service ${name} has been disabled, and is dead`,
    );
    return ret;
  }
  ret.result = false;
  ret.comment = word(
    started,
    `Failed when setting service ${name} to not start at boot, and is running`,
    `Failed when setting service ${name} to not start at boot, but the service was already running`,
    `Failed when setting service ${name} to not start at boot, and the service is dead`,
  );
  return ret;
}

/** `enable` as Salt reads it: a string through is_true; None leaves boot alone. */
function enableArg(v: unknown): boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return isTrue(v);
  return v === true ? true : v === false ? false : null;
}

const status = async (ctx: StateContext, name: string, sig: unknown): Promise<boolean> =>
  (await salt(ctx, 'service.status', [name, sig ?? null])) === true;

const enabledNow = async (ctx: StateContext, name: string): Promise<boolean> =>
  (await salt(ctx, 'service.enabled', [name])) === true;

/** `init_delay` seconds (Salt sleeps after the start or stop). */
async function delay(seconds: unknown): Promise<void> {
  const s = Number(seconds);
  if (s > 0) await new Promise((r) => setTimeout(r, s * 1000));
}

function enabledTypo(ret: StateReturn): StateReturn {
  ret.result = false;
  ret.comment = `Service ${ret.name} uses non-existent option "enabled".  Perhaps "enable" option was intended?`;
  return ret;
}

async function running(ctx: StateContext, a: BoundArgs): Promise<StateReturn> {
  const name = text(a['name']);
  const ret = stateRet(name, true, '');
  ctx.context['service.state'] = 'running';
  if (a['enabled'] !== undefined) return enabledTypo(ret);
  const want = enableArg(a['enable']);
  try {
    if (!(await available(ctx, name, ret))) {
      if (isTest(ctx)) {
        ret.result = null;
        ret.comment = `Service ${name} not present; if created in this state run, it would have been started`;
      }
      return ret;
    }
  } catch (err) {
    if (!isModuleFailure(err)) throw err;
    return { ...ret, result: false, comment: errText(err) };
  }
  const before = await status(ctx, name, a['sig']);
  const beforeEnabled = await enabledNow(ctx, name);
  if (before) {
    ret.comment = `The service ${name} is already running`;
    if (want === true && !beforeEnabled) Object.assign(ret, await enable(ctx, name, null, a));
    else if (want === false && beforeEnabled) Object.assign(ret, await disable(ctx, name, null, a));
    return ret;
  }
  if (isTest(ctx)) return { ...ret, result: null, comment: `Service ${name} is set to start` };
  const start = systemdOnly('start', a);
  let started: unknown;
  try {
    started = await salt(ctx, 'service.start', [name], start.kwargs);
  } catch (err) {
    if (!isModuleFailure(err)) throw err;
    return { ...ret, result: false, comment: errText(err) };
  }
  if (started !== true) {
    ret.result = false;
    ret.comment = `Service ${name} failed to start`;
    if (want === true) Object.assign(ret, await enable(ctx, name, false, a, false));
    else if (want === false) Object.assign(ret, await disable(ctx, name, false, a, false));
    return ret;
  }
  await delay(a['init_delay']);
  const after = await status(ctx, name, a['sig']);
  const afterEnabled = await enabledNow(ctx, name);
  if ((beforeEnabled !== afterEnabled || before !== after) && !Object.keys(ret.changes).length)
    ret.changes[name] = after;
  if (after) ret.comment = `Started service ${name}`;
  else {
    ret.comment = `Service ${name} failed to start`;
    ret.result = false;
  }
  if (want === true) Object.assign(ret, await enable(ctx, name, after, a, after));
  else if (want === false) Object.assign(ret, await disable(ctx, name, after, a, after));
  if (a['init_delay']) ret.comment = `${text(ret.comment)}\nDelayed return for ${text(a['init_delay'])} seconds`;
  return ret;
}

async function dead(ctx: StateContext, a: BoundArgs): Promise<StateReturn> {
  const name = text(a['name']);
  const ret = stateRet(name, true, '');
  ctx.context['service.state'] = 'dead';
  if (a['enabled'] !== undefined) return enabledTypo(ret);
  const want = enableArg(a['enable']);
  try {
    if (!(await available(ctx, name, ret))) {
      if (isTest(ctx)) {
        ret.result = null;
        ret.comment = `Service ${name} not present; if created in this state run, it would have been stopped`;
      } else ret.result = true; // a service that is not there is dead enough
      return ret;
    }
  } catch (err) {
    if (!isModuleFailure(err)) throw err;
    return { ...ret, result: false, comment: errText(err) };
  }
  const before = await status(ctx, name, a['sig']);
  const beforeEnabled = await enabledNow(ctx, name);
  if (!before) {
    ret.comment = `The service ${name} is already dead`;
    if (want === true && !beforeEnabled) Object.assign(ret, await enable(ctx, name, null, a));
    else if (want === false && beforeEnabled) Object.assign(ret, await disable(ctx, name, null, a));
    return ret;
  }
  if (isTest(ctx)) return { ...ret, result: null, comment: `Service ${name} is set to be killed` };
  const stop = systemdOnly('stop', a);
  if ((await salt(ctx, 'service.stop', [name], stop.kwargs)) !== true) {
    ret.result = false;
    ret.comment = `Service ${name} failed to die`;
    if (want === true) Object.assign(ret, await enable(ctx, name, true, a, false));
    else if (want === false) Object.assign(ret, await disable(ctx, name, true, a, false));
    return ret;
  }
  await delay(a['init_delay']);
  // Salt checks again without the signature here.
  const after = await status(ctx, name, null);
  const afterEnabled = await enabledNow(ctx, name);
  if ((beforeEnabled !== afterEnabled || before !== after) && !Object.keys(ret.changes).length)
    ret.changes[name] = after;
  if (after) {
    ret.result = false;
    ret.comment = `Service ${name} failed to die`;
  } else ret.comment = `Service ${name} was killed`;
  if (want === true) Object.assign(ret, await enable(ctx, name, after, a, !after));
  else if (want === false) Object.assign(ret, await disable(ctx, name, after, a, !after));
  return ret;
}

/** Salt's mod_watch: restart (or reload, force-reload, start, stop) after a watched state changed. */
async function modWatch(ctx: StateContext, a: BoundArgs): Promise<StateReturn> {
  const name = text(a['name']);
  const sfun = a['sfun'];
  const ret = stateRet(name, true, '');
  let fun: 'stop' | 'start' | 'restart' | 'reload' | 'force_reload';
  let verb: string;
  let done: string;
  if (sfun === 'dead') {
    if (!(await status(ctx, name, a['sig']))) return { ...ret, comment: 'Service is already stopped' };
    fun = 'stop';
    verb = 'stop';
    done = 'stopped';
  } else if (sfun === 'running') {
    if (await status(ctx, name, a['sig'])) {
      if (isTrue(a['reload'])) {
        [fun, verb] = isTrue(a['force']) ? ['force_reload', 'forcefully reload'] : ['reload', 'reload'];
      } else {
        // No service module here has full_restart, so Salt restarts even when it is asked for.
        [fun, verb] = ['restart', 'restart'];
      }
    } else [fun, verb] = ['start', 'start'];
    done = `${verb}ed`;
  } else {
    return { ...ret, result: false, comment: `Unable to trigger watch for service.${text(sfun)}` };
  }
  if (isTest(ctx)) return { ...ret, result: null, comment: `Service is set to be ${done}` };
  // Salt stops before it starts: a service whose status lies (a stale pid file) starts clean.
  if (fun === 'start') await salt(ctx, 'service.stop', [name]);
  const opt = systemdOnly(fun === 'force_reload' ? 'reload' : fun, a);
  let result: boolean;
  try {
    result = (await salt(ctx, `service.${fun}`, [name], opt.kwargs)) === true;
  } catch (err) {
    if (!isModuleFailure(err)) throw err;
    return { ...ret, result: false, comment: errText(err) };
  }
  await delay(a['init_delay']);
  ret.changes = { [name]: result };
  ret.result = result;
  ret.comment = result ? `Service ${done}` : `Failed to ${verb} the service`;
  return ret;
}

const RUN_PARAMS = [
  'name',
  { name: 'enable', default: null },
  { name: 'sig', default: null },
  { name: 'init_delay', default: null },
  // Declared so that the typo can be caught: Salt refuses `enabled` on running/dead.
  { name: 'enabled', default: undefined },
  ...SYSTEMD_ONLY.map((n) => ({ name: n, default: undefined })),
];

const ENABLE_PARAMS = ['name', ...SYSTEMD_ONLY.map((n) => ({ name: n, default: undefined }))];

export default definePlugin<MinionConfig, StateServices>({
  name: 'service',
  doc: 'Starting or restarting of services and daemons',
  functions: {
    running: {
      doc: 'Ensure that the service is running\n\nname\n    The name of the init or rc script used to manage the service\n\nenable\n    Set the service to be enabled at boot time, ``True`` sets the service\n    to be enabled, ``False`` sets the named service to be disabled. The\n    default is ``None``, which does not enable or disable anything.\n\nsig\n    The string to search for when looking for the service process with ps\n\ninit_delay\n    Seconds to wait after the service has started before returning.\n\nno_block, unmask, unmask_runtime\n    For systemd minions only.\n\n.. note::\n    ``watch`` can be used with service.running to restart a service when\n    another state changes.',
      params: RUN_PARAMS,
      fn: running,
    },
    dead: {
      doc: 'Ensure that the named service is dead by stopping the service if it is running\n\nname\n    The name of the init or rc script used to manage the service\n\nenable\n    ``True`` enables the service at boot, ``False`` disables it, ``None``\n    (the default) leaves it alone.\n\nsig\n    The string to search for when looking for the service process with ps\n\ninit_delay\n    Add a sleep command (in seconds) before the check to make sure service\n    is killed.',
      params: RUN_PARAMS,
      fn: dead,
    },
    enabled: {
      doc: "Ensure that the service is enabled on boot, only use this state if you\ndon't want to manage the running process, remember that if you want to\nenable a running service to use the enable: True option for the running\nor dead function.\n\nname\n    The name of the init or rc script used to manage the service",
      params: ENABLE_PARAMS,
      fn: async (ctx, a) => {
        const name = text(a['name']);
        ctx.context['service.state'] = 'enabled';
        const ret: StateReturn = { ...stateRet(name, true, ''), ...(await enable(ctx, name, null, a)) };
        if (isTest(ctx) && ret.comment === `The named service ${name} is not available`) {
          ret.result = null;
          ret.comment = `Service ${name} not present; if created in this state run, it would have been enabled`;
        }
        return ret;
      },
    },
    disabled: {
      doc: "Ensure that the service is disabled on boot, only use this state if you\ndon't want to manage the running process, remember that if you want to\ndisable a service to use the enable: False option for the running or dead\nfunction.\n\nname\n    The name of the init or rc script used to manage the service",
      params: ENABLE_PARAMS,
      fn: async (ctx, a) => {
        const name = text(a['name']);
        ctx.context['service.state'] = 'disabled';
        return { ...stateRet(name, true, ''), ...(await disable(ctx, name, null, a)) };
      },
    },
    mod_watch: {
      doc: 'The service watcher, called to invoke the watch command.\nWhen called, it will restart or reload the named service.\n\nname\n    The name of the service to control.\n\nsfun\n    The original function which triggered the mod_watch call\n    (`service.running`, for example).\n\nsig\n    The string to search for when looking for the service process with ps.\n\nreload\n    When set, reload the service instead of restarting it.\n\nfull_restart\n    Perform a full stop/start of a service (restart here).\n\nforce\n    Use service.force_reload instead of reload (needs reload to be set to True).\n\ninit_delay\n    Add a sleep command (in seconds) before the service is restarted/reloaded.',
      params: [
        'name',
        { name: 'sfun', default: null },
        { name: 'sig', default: null },
        { name: 'reload', default: false },
        { name: 'full_restart', default: false },
        { name: 'init_delay', default: null },
        { name: 'force', default: false },
        ...SYSTEMD_ONLY.map((n) => ({ name: n, default: undefined })),
      ],
      fn: modWatch,
    },
  },
});
