import fs from 'node:fs';
import path from 'node:path';
import type { ModuleContext } from './context.js';
import { runHost } from './host-command.js';
import { parseRunlevel, startLinkService } from './service-parse.js';
import { isExecutableFile, which } from './which.js';

/** Where SysV init scripts live, and the rc<level>.d link folders beside them. */
export const INIT_D = '/etc/init.d';
const ETC = '/etc';
/** An init script's start or stop may take a while (a database flushing): 5 minutes. */
const INIT_SCRIPT_TIMEOUT_MS = 300_000;

/** One service action what Salt's debian_service does: `service <name> <action>` (or the script itself). */
export async function sysvAction(ctx: ModuleContext, name: string, action: string): Promise<boolean> {
  const service = which('service', process.env['PATH']);
  const argv = service ? [service, name, action] : [path.join(INIT_D, name), action];
  const r = await runHost(ctx, argv, { timeoutMs: INIT_SCRIPT_TIMEOUT_MS });
  if (r.retcode !== 0 && action !== 'status')
    ctx.log.error(
      { cmd: r.display, retcode: r.retcode },
      `Command '${r.display}' failed with return code: ${r.retcode}`,
    );
  return r.retcode === 0;
}

/** The current runlevel (`2` when `runlevel` cannot tell, as in a container). */
async function runlevel(ctx: ModuleContext): Promise<string> {
  const key = 'service.runlevel';
  if (typeof ctx.context[key] !== 'string') {
    const r = await runHost(ctx, ['runlevel']).catch(() => ({ stdout: 'unknown' }));
    ctx.context[key] = parseRunlevel(r.stdout || 'unknown');
  }
  return ctx.context[key] as string;
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Services with a start link in /etc/rcS.d or /etc/rc<runlevel>.d. */
export async function sysvEnabled(ctx: ModuleContext): Promise<string[]> {
  const level = await runlevel(ctx);
  const ret = new Set<string>();
  for (const dir of ['rcS.d', `rc${level}.d`])
    for (const link of listDir(path.join(ETC, dir))) {
      const svc = startLinkService(link);
      if (svc) ret.add(svc);
    }
  return [...ret].sort();
}

/** The executable scripts in /etc/init.d (README and helpers that are not executable left out). */
export function sysvScripts(): string[] {
  return listDir(INIT_D)
    .filter((n) => n !== 'README' && isExecutableFile(path.join(INIT_D, n)))
    .sort();
}

/** True when some /etc/rc?.d holds a link (start or kill) to the script. */
function hasRcLinks(name: string): boolean {
  for (const dir of listDir(ETC).filter((d) => /^rc[0-6S]\.d$/.test(d)))
    if (listDir(path.join(ETC, dir)).some((l) => /^[SK]\d*/.test(l) && l.replace(/^[SK]\d*/, '') === name)) return true;
  return false;
}

/**
 * Enable at boot through update-rc.d: a script that never had rc links
 * gets them from its LSB header first (`defaults`), since `enable` only
 * turns existing kill links into start links.
 */
export async function sysvEnable(ctx: ModuleContext, name: string): Promise<boolean> {
  if (!hasRcLinks(name)) {
    const d = await runHost(ctx, ['update-rc.d', name, 'defaults']);
    if (d.retcode !== 0) {
      ctx.log.error({ cmd: d.display, stderr: d.stderr.trim() }, 'update-rc.d defaults failed');
      return false;
    }
  }
  return (await runHost(ctx, ['update-rc.d', name, 'enable'])).retcode === 0;
}

/** Disable at boot: `update-rc.d <name> disable` (start links become kill links). */
export async function sysvDisable(ctx: ModuleContext, name: string): Promise<boolean> {
  return (await runHost(ctx, ['update-rc.d', name, 'disable'])).retcode === 0;
}
