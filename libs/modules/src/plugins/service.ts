import fs from 'node:fs';
import type { MinionConfig } from '@tsalt/config';
import { fnmatch, pyStr } from '@tsalt/core';
import { definePlugin, SaltInvocationError, type BoundArgs, type Param } from '@tsalt/loader';
import type { ModuleContext, ModuleServices } from '../context.js';
import { isTrue } from '../apt-query.js';
import { hasGlob } from '../service-parse.js';
import {
  systemctl,
  systemdAll,
  systemdAvailable,
  systemdBooted,
  systemdChange,
  systemdDisable,
  systemdEnable,
  systemdEnabled,
  systemdIsEnabled,
} from '../service-systemd.js';
import { INIT_D, sysvAction, sysvDisable, sysvEnable, sysvEnabled, sysvScripts } from '../service-sysv.js';
import { which } from '../which.js';

/**
 * A service name goes into argv (never a shell) and into /etc/init.d/<name>:
 * refuse what could be read as an option or leave that folder.
 */
function serviceName(v: unknown): string {
  const name = v === null || v === undefined ? '' : pyStr(v);
  if (!name || name.includes('/') || name.includes('\0') || name.startsWith('-') || name === '.' || name === '..')
    throw new SaltInvocationError(`Invalid service name: ${JSON.stringify(v)}`);
  return name;
}

async function getAll(ctx: ModuleContext): Promise<string[]> {
  if (systemdBooted()) return systemdAll();
  return [...new Set([...sysvScripts(), ...(await sysvEnabled(ctx))])].sort();
}

async function getEnabled(ctx: ModuleContext): Promise<string[]> {
  return systemdBooted() ? systemdEnabled(ctx) : sysvEnabled(ctx);
}

async function isEnabled(ctx: ModuleContext, name: string): Promise<boolean> {
  return systemdBooted() ? systemdIsEnabled(ctx, name) : (await sysvEnabled(ctx)).includes(name);
}

async function isAvailable(ctx: ModuleContext, name: string): Promise<boolean> {
  return systemdBooted() ? systemdAvailable(ctx, name) : (await getAll(ctx)).includes(name);
}

/** Salt's status(sig=...): some process's command line contains `sig`. */
function processMatching(sig: string): boolean {
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(sig)) return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

async function running(ctx: ModuleContext, name: string): Promise<boolean> {
  if (systemdBooted()) return (await systemctl(ctx, ['is-active'], name)).retcode === 0;
  return sysvAction(ctx, name, 'status');
}

/** start/restart/reload: systemd answers True or raises systemctl's error; SysV answers the script's success. */
function change(action: string): (ctx: ModuleContext, a: BoundArgs) => Promise<boolean> {
  return async (ctx, a) => {
    const name = serviceName(a['name']);
    if (systemdBooted()) return systemdChange(ctx, action, name, isTrue(a['no_block']));
    return sysvAction(ctx, name, action);
  };
}

const CHANGE_PARAMS: readonly Param[] = [
  'name',
  { name: 'no_block', default: false },
  { name: 'unmask', default: false },
  { name: 'unmask_runtime', default: false },
];

const doc = (text: string, example: string): string => `${text}\n\nCLI Example:\n\n    salt '*' ${example}`;

/**
 * Salt's systemd_service where systemd runs, debian_service (the `service`
 * command, /etc/init.d, update-rc.d) where it does not: one `service` module
 * that checks /run/systemd/system on every call.
 */
export default definePlugin<MinionConfig, ModuleServices>({
  name: 'service',
  doc: 'Service support: systemd (systemctl) where systemd is running, else SysV init scripts in /etc/init.d',
  virtual: () => {
    if (systemdBooted() && which('systemctl', process.env['PATH'])) return true;
    if (fs.existsSync(INIT_D)) return true;
    return 'The service module could not be loaded: systemd is not running and /etc/init.d does not exist';
  },
  functions: {
    status: {
      doc: doc(
        'Return the status for a service. If the name contains globbing, a dict\nmapping service name to True/False values is returned.\n\nname\n    The name of the service to check\nsig\n    Signature to use to find the service via ps (a command line substring)\n\nReturns True if running, False otherwise.',
        'service.status <service name> [service signature]',
      ),
      params: ['name', { name: 'sig', default: null }],
      fn: async (ctx, a) => {
        if (a['sig']) return processMatching(pyStr(a['sig']));
        const name = a['name'] === null || a['name'] === undefined ? '' : pyStr(a['name']);
        if (!hasGlob(name)) return running(ctx, serviceName(name));
        const ret: Record<string, boolean> = {};
        for (const s of (await getAll(ctx)).filter((x) => fnmatch(x, name))) ret[s] = await running(ctx, s);
        return ret;
      },
    },
    start: {
      doc: doc('Start the specified service', 'service.start <service name>'),
      params: CHANGE_PARAMS,
      fn: change('start'),
    },
    stop: {
      doc: doc('Stop the specified service', 'service.stop <service name>'),
      params: ['name', { name: 'no_block', default: false }],
      fn: async (ctx, a) => {
        const name = serviceName(a['name']);
        if (systemdBooted()) return (await systemctl(ctx, ['stop'], name, isTrue(a['no_block']))).retcode === 0;
        return sysvAction(ctx, name, 'stop');
      },
    },
    restart: {
      doc: doc('Restart the named service', 'service.restart <service name>'),
      params: CHANGE_PARAMS,
      fn: change('restart'),
    },
    reload: {
      doc: doc('Reload the named service', 'service.reload <service name>'),
      params: CHANGE_PARAMS,
      fn: change('reload'),
    },
    force_reload: {
      doc: doc('Force-reload the named service', 'service.force_reload <service name>'),
      params: CHANGE_PARAMS,
      fn: change('force-reload'),
    },
    enable: {
      doc: doc(
        'Enable the named service to start when the system boots (systemctl enable,\nor update-rc.d for an init script).',
        'service.enable <service name>',
      ),
      params: [...CHANGE_PARAMS, { name: 'root', default: null }],
      varkw: true,
      fn: async (ctx, a) => {
        const name = serviceName(a['name']);
        return systemdBooted() ? systemdEnable(ctx, name, isTrue(a['no_block'])) : sysvEnable(ctx, name);
      },
    },
    disable: {
      doc: doc('Disable the named service to not start when the system boots', 'service.disable <service name>'),
      params: ['name', { name: 'no_block', default: false }, { name: 'root', default: null }],
      varkw: true,
      fn: async (ctx, a) => {
        const name = serviceName(a['name']);
        return systemdBooted() ? systemdDisable(ctx, name, isTrue(a['no_block'])) : sysvDisable(ctx, name);
      },
    },
    enabled: {
      doc: doc('Return if the named service is enabled to start on boot', 'service.enabled <service name>'),
      params: ['name', { name: 'root', default: null }],
      varkw: true,
      fn: (ctx, a) => isEnabled(ctx, serviceName(a['name'])),
    },
    disabled: {
      doc: doc('Return if the named service is disabled from starting on boot', 'service.disabled <service name>'),
      params: ['name', { name: 'root', default: null }],
      fn: async (ctx, a) => !(await isEnabled(ctx, serviceName(a['name']))),
    },
    available: {
      doc: doc(
        'Returns ``True`` if the specified service is available, otherwise returns\n``False``.',
        'service.available sshd',
      ),
      params: ['name'],
      fn: (ctx, a) => isAvailable(ctx, serviceName(a['name'])),
    },
    missing: {
      doc: doc(
        'The inverse of service.available.\nReturns ``True`` if the specified service is not available, otherwise returns\n``False``.',
        'service.missing sshd',
      ),
      params: ['name'],
      fn: async (ctx, a) => !(await isAvailable(ctx, serviceName(a['name']))),
    },
    get_all: {
      doc: doc('Return a list of all available services', 'service.get_all'),
      params: [{ name: 'root', default: null }],
      fn: (ctx) => getAll(ctx),
    },
    get_enabled: {
      doc: doc('Return a list of all enabled services', 'service.get_enabled'),
      params: [{ name: 'root', default: null }],
      fn: (ctx) => getEnabled(ctx),
    },
    get_disabled: {
      doc: doc('Return a list of all disabled services', 'service.get_disabled'),
      params: [{ name: 'root', default: null }],
      fn: async (ctx) => {
        const on = new Set(await getEnabled(ctx));
        return (await getAll(ctx)).filter((s) => !on.has(s));
      },
    },
  },
});
