import { createLogger, errorLine, Slots, type Logger } from '@tsalt/core';
import { raiseOpenFilesLimit } from '@tsalt/daemon';
import { loadConfig, type MinionConfig } from '@tsalt/config';
import type { KeyPair } from '@tsalt/crypto';
import { ensureSocketCapacity } from '@tsalt/transport';
import { coreGrains } from '@tsalt/modules';
import { MasterLink } from '../master-link.js';
import { memoryPin } from '@tsalt/transport';
import { ensureSwarmKeys, loadSwarmKey } from './keys.js';
import { SwarmExecutor } from './swarm-executor.js';
import {
  FILES_BASE,
  FILES_PER_MINION,
  SOCKETS_PER_MINION,
  type FromSwarmProcess,
  type SwarmInit,
  type SwarmProgress,
  type ToSwarmProcess,
} from './protocol.js';

/** How often the process reports to tsalt-swarm (ms). */
const PROGRESS_EVERY_MS = 250;
/**
 * First sign-ins in flight per swarm process. Each costs this process two
 * RSA private operations (~1.5 ms with a key's first use); thousands at once
 * would queue here for longer than `auth_timeout`, and every minion timed
 * out by its own process's backlog asks the master again. Real minions
 * each have a CPU of their own; this keeps the emulation from storming itself.
 */
const SIGNINS_AT_ONCE = 100;

/** Minions started per event-loop turn, so IPC and sockets keep flowing while thousands start. */
const START_BATCH = 100;

const send = (m: FromSwarmProcess): void => {
  process.send?.(m);
};

/** One swarm process: a share of the emulated minions, each a MasterLink of its own. */
class SwarmProcess {
  private readonly links: MasterLink[] = [];
  private readonly progress: SwarmProgress = {
    t: 'progress',
    keysMade: 0,
    keysMissing: 0,
    authenticated: 0,
    refused: 0,
    jobs: 0,
    returned: 0,
  };
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly signIns = new Slots(SIGNINS_AT_ONCE);

  constructor(
    private readonly init: SwarmInit,
    private readonly base: MinionConfig,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const { ids, keyDir } = this.init;
    const need = ids.length * FILES_PER_MINION + FILES_BASE;
    const limit = raiseOpenFilesLimit(need);
    if (limit && limit.soft < need) {
      throw new Error(
        `${ids.length} minions in one process need about ${need} open files, but the limit is ${limit.soft}: raise it (ulimit -n) or use more --processes`,
      );
    }
    // One more per minion than it holds: a timed-out request socket closes while its replacement opens.
    ensureSocketCapacity(ids.length * (SOCKETS_PER_MINION + 1) + 64);
    this.timer = setInterval(() => send(this.progress), PROGRESS_EVERY_MS);
    await ensureSwarmKeys(keyDir, ids, this.base.keysize, (made, missing) => {
      this.progress.keysMade = made;
      this.progress.keysMissing = missing;
    });
    const grains = coreGrains(this.base.id, this.base.grains ?? {});
    const executor = new SwarmExecutor(this.base, grains, this.log);
    // Each key is loaded just before its minion starts: the first sign-ins
    // are on their way while the rest of the keys are still being read.
    for (let i = 0; i < ids.length && !this.stopping; i++) {
      const id = ids[i]!;
      this.startOne(id, loadSwarmKey(keyDir, id), grains, executor);
      if (i % START_BATCH === START_BATCH - 1) await new Promise((r) => setImmediate(r));
    }
  }

  private startOne(id: string, pair: KeyPair, baseGrains: Record<string, unknown>, executor: SwarmExecutor): void {
    const opts: MinionConfig = { ...this.base, id };
    const log = this.log.child({ minion: id });
    const link: MasterLink = new MasterLink({
      opts,
      pair,
      grains: { ...baseGrains, id },
      log,
      pin: memoryPin(),
      onJob: (load) => {
        this.progress.jobs++;
        void executor
          .run(id, load, (tag, data) => link.fireMaster(tag, data))
          .then((ret) => executor.whileReturning(id, load, () => link.sendReturn(ret)))
          .then((ok) => ok && this.progress.returned++)
          .catch((err: unknown) => log.error({ err: errorLine(err) }, 'a job failed outside its function'));
      },
      onFatal: (err) => {
        this.progress.refused++;
        log.error(errorLine(err));
        link.close();
      },
    });
    this.links.push(link);
    this.signIns
      .acquire()
      .then(() => this.holdingSlot(link.authenticate()))
      .then(
        async () => {
          this.progress.authenticated++;
          // The last of this share: report now rather than at the next tick, so "all authenticated" is on time.
          if (this.progress.authenticated + this.progress.refused === this.init.ids.length) send(this.progress);
          await link.fireStartEvents();
          link.startHeartbeats();
        },
        (err: unknown) => {
          if (this.stopping) return;
          this.progress.refused++;
          log.error(errorLine(err));
          link.close();
        },
      );
  }

  /**
   * Holds a sign-in slot while `signIn` runs, but not while the key waits
   * for acceptance (which can take forever): after two auth_timeouts the
   * slot goes to the next minion and this one keeps trying on its own.
   */
  private holdingSlot<T>(signIn: Promise<T>): Promise<T> {
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      this.signIns.release();
    };
    const timer = setTimeout(release, this.base.auth_timeout_ms * 2);
    return signIn.finally(release);
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.timer);
    // Goodbyes go out together and are each bounded (1 s), so presence sees the swarm leave at once.
    await Promise.all(this.links.map((l) => l.stopListening().catch(() => undefined)));
    for (const l of this.links) l.close();
    send(this.progress);
    send({ t: 'stopped' });
  }
}

let proc: SwarmProcess | undefined;

function exitAfterStop(): void {
  const p = proc;
  if (!p) process.exit(0);
  void p.stop().finally(() => process.exit(0));
}

process.on('message', (m: ToSwarmProcess) => {
  if (m.t === 'stop') return exitAfterStop();
  if (m.t !== 'init' || proc) return;
  let base: MinionConfig;
  const bootLog = createLogger({ level: 'warning', name: 'swarm' });
  try {
    base = loadConfig('minion', m.configDir, m.overrides, bootLog);
  } catch (err) {
    send({ t: 'fatal', error: errorLine(err) });
    return;
  }
  const log = createLogger({
    level: base.log_level,
    fileLevel: base.log_level_logfile,
    logFile: base.log_file,
    name: 'swarm',
  });
  proc = new SwarmProcess(m, base, log);
  proc.start().catch((err: unknown) => send({ t: 'fatal', error: errorLine(err) }));
});
// Ctrl-C reaches the whole process group: tsalt-swarm itself sends the stop.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', exitAfterStop);
process.on('disconnect', exitAfterStop);
