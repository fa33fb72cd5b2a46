import type { Host } from './host.js';

/** A Host for unit tests: files, commands and OS facts given by the test; everything else missing. */
export function fakeHost(o: {
  files?: Record<string, string>;
  bins?: Record<string, { stdout: string; status?: number }>;
  env?: Record<string, string>;
  hostname?: string;
  interfaces?: ReturnType<Host['interfaces']>;
  dirs?: Record<string, string[]>;
  links?: Record<string, string>;
}): Host {
  const files = o.files ?? {};
  const bins = o.bins ?? {};
  return {
    read: (f) => files[f],
    exists: (f) => f in files || Object.keys(files).some((k) => k.startsWith(`${f}/`)) || f in (o.dirs ?? {}),
    list: (d) => [...(o.dirs?.[d] ?? [])],
    readlink: (f) => o.links?.[f],
    readBytes: (f) => (f in files ? Buffer.from(files[f]!, 'latin1') : undefined),
    which: (cmd) => (cmd in bins ? `/usr/bin/${cmd}` : undefined),
    run: (cmd) => {
      const b = bins[cmd];
      return b ? { stdout: b.stdout, status: b.status ?? 0 } : undefined;
    },
    env: o.env ?? {},
    hostname: () => o.hostname ?? 'web1',
    kernel: () => ({ type: 'Linux', release: '6.1.0-18-amd64', version: '#1 SMP Debian 6.1.76-1', machine: 'x86_64' }),
    cpuCount: () => 4,
    interfaces: () => o.interfaces ?? {},
    user: () => ({ username: 'root', uid: 0, gid: 0 }),
    pid: 4242,
    tzName: () => 'UTC',
  };
}
