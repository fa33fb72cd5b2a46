import fs from 'node:fs';
import path from 'node:path';
import { CommandExecutionError } from '@tsalt/loader';
import type { ModuleContext } from './context.js';
import { runHost, type HostResult } from './host-command.js';
import { canonicalUnitName, parseUnitFiles, unitShortName } from './service-parse.js';
import { INIT_D, sysvEnable, sysvDisable, sysvEnabled, sysvScripts } from './service-sysv.js';

/** Folders systemd reads unit files from (systemd_service's SYSTEM_CONFIG_PATHS and LOCAL_CONFIG_PATH). */
const UNIT_DIRS = ['/lib/systemd/system', '/usr/lib/systemd/system', '/etc/systemd/system'];
/** systemctl waits for the job to finish; a unit's own TimeoutStartSec is 90 s by default, so allow more. */
const SYSTEMCTL_TIMEOUT_MS = 300_000;

/** systemd is the running init: what sd_booted(3) checks. */
export function systemdBooted(): boolean {
  return fs.existsSync('/run/systemd/system');
}

export async function systemctl(
  ctx: ModuleContext,
  action: string[],
  name?: string,
  noBlock = false,
): Promise<HostResult> {
  const argv = ['systemctl', ...(noBlock ? ['--no-block'] : []), ...action];
  if (name !== undefined) argv.push(canonicalUnitName(name));
  return runHost(ctx, argv, { timeoutMs: SYSTEMCTL_TIMEOUT_MS });
}

/** Salt's _strip_scope: stderr without systemd-run's `Running scope as unit ....scope` line. */
function stripScope(msg: string): string {
  return msg
    .split('\n')
    .filter((l) => !l.endsWith('.scope'))
    .join('\n')
    .trim();
}

/** start, restart, reload: True, or the failure raised with systemctl's own words. */
export async function systemdChange(ctx: ModuleContext, action: string, name: string, noBlock: boolean): Promise<true> {
  const r = await systemctl(ctx, [action], name, noBlock);
  if (r.retcode !== 0) throw new CommandExecutionError(stripScope(r.stderr));
  return true;
}

/** Unit files on disk, in Salt's short names. */
function unitFiles(): Set<string> {
  const ret = new Set<string>();
  for (const dir of UNIT_DIRS) {
    try {
      if (fs.lstatSync(dir).isSymbolicLink()) continue; // another entry points here
      for (const f of fs.readdirSync(dir)) {
        const n = unitShortName(f);
        if (n !== undefined) ret.add(n);
      }
    } catch {
      // not on this distribution
    }
  }
  return ret;
}

/** Init scripts that no systemd unit of the same name shadows. */
function sysvOnly(units = unitFiles()): string[] {
  return sysvScripts().filter((s) => !units.has(s));
}

export function systemdAll(): string[] {
  const units = unitFiles();
  return [...new Set([...units, ...sysvOnly(units)])].sort();
}

export async function systemdEnabled(ctx: ModuleContext): Promise<string[]> {
  const r = await systemctl(ctx, ['--full', '--no-legend', '--no-pager', 'list-unit-files']);
  const states = parseUnitFiles(r.stdout);
  const ret = new Set(Object.keys(states).filter((n) => states[n] === 'enabled'));
  const sysvOn = new Set(await sysvEnabled(ctx));
  for (const s of sysvOnly()) if (sysvOn.has(s)) ret.add(s);
  return [...ret].sort();
}

/** `systemctl status` exit codes 0-3 mean the unit exists (4: no such unit), since systemd 231. */
export async function systemdAvailable(ctx: ModuleContext, name: string): Promise<boolean> {
  const r = await systemctl(ctx, ['status'], name);
  return r.retcode >= 0 && r.retcode < 4;
}

export async function systemdIsEnabled(ctx: ModuleContext, name: string): Promise<boolean> {
  if ((await systemctl(ctx, ['is-enabled'], name)).retcode === 0) return true;
  if (sysvOnly().includes(name)) return (await sysvEnabled(ctx)).includes(name);
  return false;
}

/** enable: an init script goes through update-rc.d, a unit through `systemctl enable` (raising its error). */
export async function systemdEnable(ctx: ModuleContext, name: string, noBlock: boolean): Promise<boolean> {
  if (sysvOnly().includes(name) && fs.existsSync(path.join(INIT_D, name))) return sysvEnable(ctx, name);
  return systemdChange(ctx, 'enable', name, noBlock);
}

export async function systemdDisable(ctx: ModuleContext, name: string, noBlock: boolean): Promise<boolean> {
  if (sysvOnly().includes(name)) return sysvDisable(ctx, name);
  return (await systemctl(ctx, ['disable'], name, noBlock)).retcode === 0;
}
