/**
 * A warm job process: forked by the minion daemon (see job-pool.ts), it
 * builds the execution-module registry once, then runs one job at a time
 * when told to and answers with the return. A job that crashes or hangs
 * takes down only this process; `saltutil.kill_job` signals it.
 */
import { createLogger, errorLine, isRecord, type Logger } from '@tsalt/core';
import { JOB_CONTROL_SERVICE, type JobControl } from '@tsalt/job';
import { Registry } from '@tsalt/loader';
import {
  executionModulePlugins,
  MINION_EVENTS_SERVICE,
  type MasterReply,
  type MasterRequestService,
  type MinionDataService,
  type MinionEventService,
  type ScheduleReply,
  type ScheduleService,
} from '@tsalt/modules';
import { failedReturn, runJob, type JobReturn } from './executor.js';
import { minionFileClient, replaceContents } from '@tsalt/modules';
import type { DaemonMessage, WorkerInit, WorkerMessage, WorkerRequest } from './worker-protocol.js';
import type { PublishLoad } from '@tsalt/transport';

type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'seq'> : never) : never;

interface Reply {
  ok: boolean;
  value?: unknown;
}
const pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
/** The grains and pillar every call sees: one object each, replaced in place when the daemon sends new ones. */
const grains: Record<string, unknown> = {};
const pillar: Record<string, unknown> = {};
let seq = 0;
let registry: Registry | undefined;
let init: WorkerInit | undefined;
let log: Logger | undefined;

function send(msg: WorkerMessage): void {
  process.send?.(msg);
}

/** A request to the daemon; resolves with its reply. The daemon always replies while the channel is open. */
function requestReply(body: RequestBody): Promise<Reply> {
  const id = ++seq;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    send({ ...body, seq: id });
  });
}

function request(body: RequestBody): Promise<boolean> {
  return requestReply(body).then((r) => r.ok);
}

/** grains.setval and saltutil.refresh_*: the daemon refreshes, and its `data` reaches us before its reply. */
const minionData: MinionDataService = {
  refreshGrains: async (refreshPillar) =>
    (await requestReply({ type: 'minion-data', op: 'refresh-grains', refreshPillar })).value === true,
  refreshPillar: async () => (await requestReply({ type: 'minion-data', op: 'refresh-pillar' })).value === true,
  fetchPillar: async (pillarOverride) => {
    const r = await requestReply({
      type: 'minion-data',
      op: 'fetch-pillar',
      ...(pillarOverride ? { pillarOverride } : {}),
    });
    return isRecord(r.value) ? r.value : undefined;
  },
};

/** publish.*, saltutil.runner and mine.*: the daemon sends the request over its master link and replies with a MasterReply. */
const masterRequest: MasterRequestService = {
  send: async (load, timeoutMs) => {
    const r = await requestReply({ type: 'master-request', load, timeoutMs });
    return r.value as MasterReply;
  },
};

/** schedule.*: the daemon holds the schedule; its reply is what Salt's `minion_schedule_*_complete` event carries. */
const schedule: ScheduleService = {
  manage: async (req) => {
    const r = await requestReply({ type: 'schedule', req });
    return isRecord(r.value) ? (r.value as unknown as ScheduleReply) : { complete: false };
  },
};

function start(msg: WorkerInit): void {
  init = msg;
  try {
    const opts = msg.opts;
    log = createLogger({
      level: opts.log_level,
      fileLevel: opts.log_level_logfile,
      logFile: opts.log_file,
      name: 'minion',
    }).child({ component: 'job', pid: process.pid });
    const jobControl: JobControl = {
      daemonPid: process.ppid,
      willSignal: (jid, pid, signal) => request({ type: 'will-signal', jid, pid, signal }),
    };
    // event.send's preload must reach the daemon's request load, so it travels beside the data.
    const events: MinionEventService = {
      fireMaster: async (tag, data, preload) => {
        await request({ type: 'event', tag, data, ...(preload ? { preload } : {}) });
      },
    };
    replaceContents(grains, msg.grains);
    replaceContents(pillar, msg.pillar ?? {});
    // File requests go to the daemon, which forwards them over its master link; the cache is written here.
    const fileClient = minionFileClient(
      opts,
      async (load) => {
        const r = await requestReply({ type: 'fileserver', load });
        return r.value;
      },
      log,
    );
    registry = new Registry(
      {
        kind: 'module',
        opts,
        grains,
        pillar,
        log,
        services: {
          minionData,
          masterRequest,
          schedule,
          ...(fileClient ? { fileClient } : {}),
          [JOB_CONTROL_SERVICE]: jobControl,
          [MINION_EVENTS_SERVICE]: events,
          returnerNames: () => [...(msg.returnerNames ?? [])],
        },
        fireEvent: async (tag, data) => {
          await request({ type: 'event', tag, data });
        },
      },
      executionModulePlugins(),
    );
    send({ type: 'ready' });
  } catch (err) {
    send({ type: 'init-failed', error: errorLine(err) });
    process.exitCode = 1;
    process.disconnect();
  }
}

async function run(load: PublishLoad): Promise<void> {
  if (!registry || !init || !log) throw new Error('job process not initialised');
  const ret = await runJob(registry, init.id, load, log);
  try {
    send({ type: 'done', ret });
  } catch (err) {
    // A return that structured clone refuses (a function, say) still answers.
    const fallback: JobReturn = failedReturn(init.id, load, `the return could not be sent: ${errorLine(err)}`);
    send({ type: 'done', ret: fallback });
  }
}

if (!process.send) {
  process.stderr.write('job-worker: started without an IPC channel; tsalt-minion starts this file\n');
  process.exit(2);
}
process.on('message', (raw) => {
  const msg = raw as DaemonMessage;
  if (msg.type === 'init') start(msg);
  else if (msg.type === 'run') void run(msg.load);
  else if (msg.type === 'data') {
    replaceContents(grains, msg.grains);
    replaceContents(pillar, msg.pillar);
  } else if (msg.type === 'reply') {
    const p = pending.get(msg.seq);
    pending.delete(msg.seq);
    if (!p) return;
    if (msg.error !== undefined) p.reject(new Error(msg.error));
    else p.resolve({ ok: msg.ok, value: msg.value });
  }
});
/*
 * The daemon is gone or retired us: nobody would take a return. pino's exit
 * hook throws when its log file has not finished opening; process.exit()
 * then returns by that throw, and a second call exits for good.
 */
function exit(): never {
  try {
    process.exit();
  } catch {
    process.exit();
  }
}
process.on('disconnect', exit);
