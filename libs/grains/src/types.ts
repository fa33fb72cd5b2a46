import type { Host } from './host.js';

/** Grains: Salt's `__grains__`, plain data (JSON-safe, so they cross IPC and the wire). */
export type Grains = Record<string, unknown>;

/** One collector: reads the host, returns some grains. It may throw; the caller then sets none of its grains. */
export type Collector = (host: Host, sofar: Readonly<Grains>) => Grains;
