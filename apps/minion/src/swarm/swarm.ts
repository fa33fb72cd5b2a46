import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { raiseOpenFilesLimit } from '@tsalt/daemon';
import {
  FILES_BASE,
  FILES_PER_MINION,
  type FromSwarmProcess,
  type SwarmProgress,
  type ToSwarmProcess,
} from './protocol.js';

export interface SwarmOptions {
  configDir: string;
  overrides: Record<string, unknown>;
  minions: number;
  idPrefix: string;
  processes: number;
  keyDir: string;
  /** Where progress lines go (stdout). */
  print(line: string): void;
}

/** How often progress is printed while minions sign in (ms). */
const PRINT_EVERY_MS = 1000;

/** The ids of a swarm: `<prefix>1` .. `<prefix>N`, unpadded, so a larger swarm reuses a smaller one's keys. */
export function swarmIds(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
}

/**
 * How many processes a swarm needs: the cores (or `asked`), or more when
 * one process may not open enough files for its share. The limit is raised
 * first, as far as it goes; the processes inherit it. Throws a one-line
 * error when `asked` is too few.
 */
export function processesFor(minions: number, asked: number | undefined, cores: number): number {
  const limit = raiseOpenFilesLimit(Number.MAX_SAFE_INTEGER);
  const perProcess = limit ? Math.max(1, Math.floor((limit.soft - FILES_BASE) / FILES_PER_MINION)) : minions;
  const needed = Math.ceil(minions / perProcess);
  if (asked !== undefined && asked < needed) {
    throw new Error(
      `${minions} minions over ${asked} processes need about ${Math.ceil(minions / asked) * FILES_PER_MINION + FILES_BASE} open files each, but the limit is ${limit?.soft}: raise it (ulimit -n) or use --processes ${needed}`,
    );
  }
  return Math.min(minions, Math.max(asked ?? cores, needed));
}

/** Splits ids into `p` contiguous shares, as even as they go. */
export function shares<T>(items: readonly T[], p: number): T[][] {
  const out: T[][] = [];
  const size = Math.ceil(items.length / p);
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * tsalt-swarm's parent: forks the swarm processes, hands each its share of
 * ids, sums their progress and prints it, and stops them on SIGINT/SIGTERM.
 * Resolves with the exit code.
 */
export function runSwarm(o: SwarmOptions): Promise<number> {
  const ids = swarmIds(o.idPrefix, o.minions);
  const groups = shares(ids, Math.max(1, Math.min(o.processes, ids.length)));
  const entry = path.join(path.dirname(new URL(import.meta.url).pathname), 'swarm-process.js');
  const t0 = Date.now();
  const progress = new Map<number, SwarmProgress>();
  const children: ChildProcess[] = [];
  let stopping = false;
  let failed: string | undefined;
  let allAuthedAt = 0;
  let lastLine = '';

  const total = (): SwarmProgress => {
    const sum: SwarmProgress = {
      t: 'progress',
      keysMade: 0,
      keysMissing: 0,
      authenticated: 0,
      refused: 0,
      jobs: 0,
      returned: 0,
    };
    for (const p of progress.values()) {
      for (const k of ['keysMade', 'keysMissing', 'authenticated', 'refused', 'jobs', 'returned'] as const)
        sum[k] += p[k];
    }
    return sum;
  };
  const secs = (): string => ((Date.now() - t0) / 1000).toFixed(1);
  /** The "all authenticated" line, at once when the last minion's process reports it. */
  const checkAll = (): void => {
    const s = total();
    if (allAuthedAt || s.authenticated + s.refused < o.minions) return;
    allAuthedAt = Date.now();
    o.print(
      `tsalt-swarm: all ${o.minions} minions authenticated in ${secs()} s${s.refused ? ` (${s.refused} refused)` : ''}`,
    );
  };
  /** One progress line a second at most, and only when it changed. */
  const report = (): void => {
    if (allAuthedAt) return;
    const s = total();
    let line: string;
    if (s.keysMissing > 0 && s.keysMade < s.keysMissing) line = `generating keys: ${s.keysMade}/${s.keysMissing}`;
    else line = `${s.authenticated}/${o.minions} minions authenticated${s.refused ? `, ${s.refused} refused` : ''}`;
    if (line !== lastLine) o.print(`tsalt-swarm: ${line} (${secs()} s)`);
    lastLine = line;
  };
  const timer = setInterval(report, PRINT_EVERY_MS);
  o.print(`tsalt-swarm: starting ${o.minions} minions in ${groups.length} processes`);

  return new Promise<number>((resolve) => {
    let running = groups.length;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      o.print('tsalt-swarm: stopping');
      for (const c of children) if (c.connected) c.send({ t: 'stop' } satisfies ToSwarmProcess);
    };
    groups.forEach((group, i) => {
      const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
      children.push(child);
      child.on('message', (m: FromSwarmProcess) => {
        if (m.t === 'progress') {
          progress.set(i, m);
          checkAll();
        } else if (m.t === 'fatal') {
          failed ??= m.error;
          o.print(`tsalt-swarm: ${m.error}`);
          stop();
        }
      });
      child.on('exit', (code, signal) => {
        if (!stopping) {
          failed ??= `swarm process ${child.pid} ended (${signal ?? `exit ${code}`}) with ${group.length} minions`;
          o.print(`tsalt-swarm: ${failed}`);
        }
        if (--running === 0) {
          clearInterval(timer);
          const s = total();
          o.print(`tsalt-swarm: stopped; ${s.jobs} jobs run, ${s.returned} returns acknowledged`);
          resolve(failed ? 1 : 0);
        }
      });
      child.send({
        t: 'init',
        configDir: o.configDir,
        overrides: o.overrides,
        ids: group,
        keyDir: o.keyDir,
      } satisfies ToSwarmProcess);
    });
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
