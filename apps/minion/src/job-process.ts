import { fork, type ChildProcess } from 'node:child_process';
import { errorLine, type Logger } from '@tsalt/core';
import { signalProcessTree } from '@tsalt/job';
import type { JobReturn } from './executor.js';
import { JobProcessError } from './errors.js';
import type { MasterReply, MasterRequestService, MinionDataService, ScheduleService } from '@tsalt/modules';
import type { DaemonMessage, MinionDataOp, WorkerInit, WorkerMessage } from './worker-protocol.js';
import type { FileServerRequest, PublishLoad } from '@tsalt/transport';

/** How a job in a job process ended. */
export type JobOutcome =
  | { kind: 'done'; pid: number; ret: JobReturn }
  /** Died after `saltutil` announced a signal for it: Salt sends no return. */
  | { kind: 'killed'; pid: number; signal: number }
  /** Died on its own (or by a signal nobody announced). */
  | { kind: 'crashed'; pid: number; code: number | null; signal: NodeJS.Signals | null };

export type JobProcessState = 'starting' | 'idle' | 'busy' | 'gone';

/** What a job process needs from its pool. */
export interface JobProcessHooks {
  log: Logger;
  fireEvent: (tag: string, data: unknown, preload?: Record<string, unknown>) => Promise<void>;
  noteSignal(jid: string, pid: number, signal: number): boolean;
  exited(p: JobProcess): void;
  /** The daemon's grains and pillar, for a job's refresh (absent: refreshes answer false). */
  minionData?: MinionDataService;
  /** Sends a job's file-server request to the master (absent: file requests fail). */
  fileServer?: (load: FileServerRequest) => Promise<unknown>;
  /** Sends a job's AES request to the master (absent: answered as a failure). */
  masterRequest?: MasterRequestService;
  /** The daemon's scheduler, for schedule.* (absent: requests fail). */
  schedule?: ScheduleService;
}

const NO_LINK: MasterReply = { ok: false, timedOut: false, error: 'the minion has no master link' };

/** Runs a job process's minion-data request in the daemon. */
async function minionDataOp(data: MinionDataService | undefined, msg: MinionDataOp): Promise<unknown> {
  if (!data) return msg.op === 'fetch-pillar' ? undefined : false;
  if (msg.op === 'refresh-grains') return data.refreshGrains(msg.refreshPillar);
  if (msg.op === 'refresh-pillar') return data.refreshPillar();
  return data.fetchPillar(msg.pillarOverride);
}

/** One forked job process (job-worker.js) and its side of the IPC protocol. */
export class JobProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  state: JobProcessState = 'starting';
  jid: string | undefined;
  /** A signal saltutil announced for the current job; the process is never reused after one. */
  signalled: number | undefined;
  /** When its current job started (ms since epoch), to tell a long job from a queue of short ones. */
  busySince = 0;
  /** When it last became idle (ms since epoch), for retiring surplus processes. */
  idleSince = 0;
  /** Resolves once the modules are loaded; rejects if the process fails to start. */
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  private finish: ((o: JobOutcome) => void) | undefined;

  constructor(
    private readonly hooks: JobProcessHooks,
    file: string,
    init: WorkerInit,
    startTimeoutMs: number,
  ) {
    // detached: each job process leads its own process group, so a kill of
    // the job reaches whatever it started in that group too.
    this.child = fork(file, [], {
      serialization: 'advanced',
      detached: true,
      execArgv: process.execArgv.filter((a) => !a.startsWith('--inspect')),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.pid = this.child.pid ?? 0;
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.onExit(code, signal);
        resolve();
      });
      // A process that could not be spawned at all never emits 'exit'.
      if (this.pid === 0) {
        this.child.once('error', () => {
          this.onExit(null, null);
          resolve();
        });
      }
    });
    this.ready = new Promise<void>((resolve, reject) => {
      const fail = (message: string, cause?: unknown): void => {
        clearTimeout(timer);
        reject(new JobProcessError('JOB_PROCESS_START_FAILED', message, { cause }));
      };
      const timer = setTimeout(() => {
        fail(`a job process did not start within ${startTimeoutMs} ms`);
        this.child.kill('SIGKILL');
      }, startTimeoutMs);
      this.child.once('error', (e) => fail(`could not start a job process: ${e.message}`, e));
      this.child.once('exit', (code, signal) =>
        fail(`a job process exited while starting (${signal ?? `code ${code}`})`),
      );
      this.child.on('message', (raw) => {
        const msg = raw as WorkerMessage;
        if (msg.type === 'ready') {
          clearTimeout(timer);
          if (this.state === 'starting') {
            this.state = 'idle';
            this.idleSince = Date.now();
          }
          resolve();
        } else if (msg.type === 'init-failed') {
          fail(`a job process failed to load its modules: ${msg.error}`);
        } else {
          this.onMessage(msg);
        }
      });
    });
    this.ready.catch(() => undefined); // observed by whoever acquires it
    this.send(init);
  }

  private send(msg: DaemonMessage): void {
    if (!this.child.connected) return;
    this.child.send(msg, (err) => {
      if (err) this.hooks.log.debug({ pid: this.pid, err: errorLine(err) }, 'a message to a job process was lost');
    });
  }

  /** Hands over one job; resolves when it is done or the process dies. */
  run(load: PublishLoad): Promise<JobOutcome> {
    this.state = 'busy';
    this.busySince = Date.now();
    this.jid = load.jid;
    this.signalled = undefined;
    return new Promise((resolve) => {
      this.finish = resolve;
      this.send({ type: 'run', load });
    });
  }

  private onMessage(msg: WorkerMessage): void {
    if (msg.type === 'done') {
      if (this.state !== 'busy') return;
      this.state = 'idle';
      this.idleSince = Date.now();
      this.settle({ kind: 'done', pid: this.pid, ret: msg.ret });
    } else if (msg.type === 'event') {
      this.hooks.fireEvent(msg.tag, msg.data, msg.preload).then(
        () => this.send({ type: 'reply', seq: msg.seq, ok: true }),
        (err: unknown) => this.send({ type: 'reply', seq: msg.seq, ok: false, error: errorLine(err) }),
      );
    } else if (msg.type === 'will-signal') {
      this.send({ type: 'reply', seq: msg.seq, ok: this.hooks.noteSignal(msg.jid, msg.pid, msg.signal) });
    } else if (msg.type === 'fileserver') {
      const send = this.hooks.fileServer;
      (send ? send(msg.load) : Promise.reject(new Error('the minion has no master link'))).then(
        (value) => this.send({ type: 'reply', seq: msg.seq, ok: true, value }),
        (err: unknown) => this.send({ type: 'reply', seq: msg.seq, ok: false, error: errorLine(err) }),
      );
    } else if (msg.type === 'master-request') {
      const svc = this.hooks.masterRequest;
      (svc ? svc.send(msg.load, msg.timeoutMs) : Promise.resolve(NO_LINK)).then(
        (value) => this.send({ type: 'reply', seq: msg.seq, ok: true, value }),
        (err: unknown) => this.send({ type: 'reply', seq: msg.seq, ok: false, error: errorLine(err) }),
      );
    } else if (msg.type === 'schedule') {
      const svc = this.hooks.schedule;
      (svc ? svc.manage(msg.req) : Promise.reject(new Error('the minion has no scheduler'))).then(
        (value) => this.send({ type: 'reply', seq: msg.seq, ok: true, value }),
        (err: unknown) => this.send({ type: 'reply', seq: msg.seq, ok: false, error: errorLine(err) }),
      );
    } else if (msg.type === 'minion-data') {
      minionDataOp(this.hooks.minionData, msg).then(
        (value) => this.send({ type: 'reply', seq: msg.seq, ok: true, value }),
        (err: unknown) => this.send({ type: 'reply', seq: msg.seq, ok: false, error: errorLine(err) }),
      );
    }
  }

  /** New grains and pillar for this process (it replaces its own at once). */
  pushData(grains: Record<string, unknown>, pillar: Record<string, unknown>): void {
    if (this.state !== 'gone') this.send({ type: 'data', grains, pillar });
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.state === 'gone') return;
    const wasBusy = this.state === 'busy';
    this.state = 'gone';
    if (wasBusy) {
      this.settle(
        this.signalled !== undefined
          ? { kind: 'killed', pid: this.pid, signal: this.signalled }
          : { kind: 'crashed', pid: this.pid, code, signal },
      );
    }
    this.hooks.exited(this);
  }

  private settle(o: JobOutcome): void {
    const f = this.finish;
    this.finish = undefined;
    this.jid = undefined;
    f?.(o);
  }

  /** Lets the process go: it exits when its channel closes. */
  retire(): void {
    if (this.child.connected) this.child.disconnect();
  }

  /** Stops the process and, when busy, what its job started. */
  kill(signal: NodeJS.Signals): void {
    if (this.state === 'gone' || this.pid === 0) return;
    try {
      if (this.state === 'busy') signalProcessTree(this.pid, signal);
      else this.child.kill(signal);
    } catch {
      // already gone
    }
  }
}
