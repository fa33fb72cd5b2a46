/** Messages between tsalt-swarm and its processes (Node IPC). */

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
