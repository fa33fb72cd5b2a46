/**
 * @tsalt/modules: Salt's execution modules (test, cmd, cp, event, grains, pillar,
 * saltutil, sys, state, pkg, service, network, status, disk, user, group, mine) as plugins. The call protocol around them (argument
 * parsing, retcodes) is @tsalt/loader's, so the CLI needs no module code.
 *
 *   const reg = new Registry({ kind: 'module', opts, log }, executionModulePlugins());
 *   const { args, kwargs } = splitPublishArgs(load.arg, pubData);   // @tsalt/loader
 *   const r = await reg.call(load.fun, args, kwargs, { jid: load.jid });
 */
import cmd from './plugins/cmd.js';
import cp from './plugins/cp.js';
import disk from './plugins/disk.js';
import event from './plugins/event.js';
import file from './plugins/file.js';
import grains from './plugins/grains.js';
import group from './plugins/group.js';
import mine from './plugins/mine.js';
import network from './plugins/network.js';
import pillar from './plugins/pillar.js';
import pkg from './plugins/pkg.js';
import publish from './plugins/publish.js';
import saltutil from './plugins/saltutil.js';
import schedule from './plugins/schedule.js';
import service from './plugins/service.js';
import state from './plugins/state.js';
import status from './plugins/status.js';
import sys from './plugins/sys.js';
import test from './plugins/test.js';
import user from './plugins/user.js';
import type { ModulePlugin } from './context.js';

/** Every execution module in this lib, for a `kind: 'module'` Registry. */
export function executionModulePlugins(): ModulePlugin[] {
  return [
    cmd,
    cp,
    disk,
    event,
    file,
    grains,
    group,
    mine,
    network,
    pillar,
    pkg,
    publish,
    saltutil,
    schedule,
    service,
    state,
    status,
    sys,
    test,
    user,
  ];
}

export { ModuleError, TestException } from './errors.js';
export { killJobProcesses } from './run-process.js';
export { shlexSplit } from './shlex.js';
export { tsaltVersion } from './version.js';
export type { RunAllResult } from './plugins/cmd.js';
export { coreGrains } from './grains-core.js';
export { MINION_EVENTS_SERVICE, type MinionEventService } from './plugins/event.js';
export type {
  FileClientService,
  MasterReply,
  MasterRequestService,
  MinionDataService,
  ModuleContext,
  ModulePlugin,
  ModuleServices,
  ScheduleFunc,
  ScheduleReply,
  ScheduleRequest,
  ScheduleService,
} from './context.js';
export { traverse, dictUpdate, filterBy } from './data-path.js';
export { FileClient, hashLocalFile, type FileClientOptions } from './fileclient/client.js';
export { LocalFileBackend } from './fileclient/local-backend.js';
export type { FileServerBackend, ListKind, ServerChunk, ServerHash } from './fileclient/backend.js';
export { parseSaltUrl, type SaltUrl } from './fileclient/salt-url.js';
export { RemoteFileBackend, minionFileClient, type FileServerSend } from './fileclient/remote-backend.js';
export { MinionData, replaceContents, type MinionDataOptions } from './minion-data.js';
