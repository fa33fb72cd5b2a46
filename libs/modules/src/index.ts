/**
 * @tsalt/modules: Salt's execution modules (test, cmd, event, saltutil, sys)
 * as plugins, and the core grains. The call protocol around them (argument
 * parsing, retcodes) is @tsalt/loader's, so the CLI needs no module code.
 *
 *   const reg = new Registry({ kind: 'module', opts, log }, executionModulePlugins());
 *   const { args, kwargs } = splitPublishArgs(load.arg, pubData);   // @tsalt/loader
 *   const r = await reg.call(load.fun, args, kwargs, { jid: load.jid });
 */
import cmd from './plugins/cmd.js';
import event from './plugins/event.js';
import file from './plugins/file.js';
import saltutil from './plugins/saltutil.js';
import sys from './plugins/sys.js';
import test from './plugins/test.js';
import type { ModulePlugin } from './context.js';

/** Every execution module in this lib, for a `kind: 'module'` Registry. */
export function executionModulePlugins(): ModulePlugin[] {
  return [cmd, event, file, saltutil, sys, test];
}

export { ModuleError } from './errors.js';
export { killJobProcesses } from './run-process.js';
export { shlexSplit } from './shlex.js';
export { tsaltVersion } from './version.js';
export type { RunAllResult } from './plugins/cmd.js';
export { coreGrains } from './grains-core.js';
export { MINION_EVENTS_SERVICE, type MinionEventService } from './plugins/event.js';
export type { ModuleContext, ModulePlugin, ModuleServices } from './context.js';
