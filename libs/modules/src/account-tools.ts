import { pyStr } from '@tsalt/core';
import type { ModuleContext as PluginContext } from './context.js';
import type { RunAllResult } from './cmd-execute.js';
import { ModuleError } from './errors.js';
import { which } from './which.js';

/*
 * What user.* and group.* share: finding the shadow-utils tools and running
 * them through cmd.run_all without a shell, as Salt's useradd and groupadd
 * do through `__salt__['cmd.run_all'](cmd, python_shell=False)`.
 */

/** Where shadow-utils live, searched after PATH: a minion started without sbin on its PATH still finds them. */
const SBIN_PATH = '/usr/sbin:/sbin:/usr/bin:/bin';

/** Salt's `_which`: the tool's full path, or Salt's error when it is not installed. */
export function tool(cmd: string): string {
  const found = which(cmd, `${process.env['PATH'] ?? ''}:${SBIN_PATH}`);
  if (!found) throw new ModuleError('COMMAND_MISSING', `Command '${cmd}' cannot be found`);
  return found;
}

/** Runs argv (no shell) through `cmd.run_all`, so it is logged and killable like any command. */
export async function runTool(ctx: PluginContext, argv: unknown[]): Promise<RunAllResult> {
  const r = await ctx.call('cmd.run_all', [argv.map(pyStr)], { python_shell: false });
  return r as RunAllResult;
}

/** A `root=` argument (a chroot for the tools and the flat files), or undefined. */
export function rootArg(v: unknown): string | undefined {
  return v === null || v === undefined || v === '' ? undefined : pyStr(v);
}

/** A name argument: a string, or a number typed on the CLI (`user.info 1000`). */
export function nameArg(v: unknown, what: string): string {
  if (v === null || v === undefined || v === '' || typeof v === 'object') {
    throw new ModuleError('INVALID_ARGUMENT', `Invalid ${what}: ${pyStr(v)}`);
  }
  return pyStr(v);
}

/** Salt's list arguments: a list, or a comma-separated string. */
export function listArg(v: unknown): string[] {
  if (v === null || v === undefined || v === '') return [];
  if (Array.isArray(v)) return v.map(pyStr);
  return pyStr(v)
    .split(',')
    .filter((s) => s !== '');
}

/** Salt compares a new uid/gid with `==`; the CLI may send 2000 or '2000'. */
export function sameValue(a: unknown, b: unknown): boolean {
  return pyStr(a) === pyStr(b);
}

/** The `-R <root>` pair for a chroot, or nothing. */
export function rootFlag(root: string | undefined, flag = '-R'): string[] {
  return root === undefined ? [] : [flag, root];
}
