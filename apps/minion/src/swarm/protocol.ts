/** Messages between tsalt-swarm and its processes (Node IPC). */

/**
 * ZeroMQ sockets one emulated minion holds: its DEALER and SUB, plus a fresh
 * SUB while the old one retires after the master restarted. Each costs two
 * open files: the TCP connection and a mailbox eventfd.
 */
export const SOCKETS_PER_MINION = 3;
export const FILES_PER_MINION = SOCKETS_PER_MINION * 2;
/** Open files a swarm process needs besides its minions' sockets. */
export const FILES_BASE = 1024;

export interface SwarmInit {
  t: 'init';
  configDir: string;
  overrides: Record<string, unknown>;
  ids: string[];
  keyDir: string;
}

export type ToSwarmProcess = SwarmInit | { t: 'stop' };

export interface SwarmProgress {
  t: 'progress';
  /** Keys generated so far, of how many were missing from the cache. */
  keysMade: number;
  keysMissing: number;
  /** Minions signed in at least once. */
  authenticated: number;
  /** Minions the master refused for good (rejected key). */
  refused: number;
  /** Jobs run and returns acknowledged, since start. */
  jobs: number;
  returned: number;
}

export type FromSwarmProcess = SwarmProgress | { t: 'fatal'; error: string } | { t: 'stopped' };
