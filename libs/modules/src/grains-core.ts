import fs from 'node:fs';
import os from 'node:os';

function osRelease(): Record<string, string> {
  try {
    const out: Record<string, string> = {};
    for (const line of fs.readFileSync('/etc/os-release', 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line);
      if (m?.[1]) out[m[1]] = (m[2] ?? '').replace(/^"|"$/g, '');
    }
    return out;
  } catch {
    return {};
  }
}

/** The core grains a Salt user expects first; `grains:` from the config win over them. */
export function coreGrains(id: string, configured: Record<string, unknown>): Record<string, unknown> {
  const rel = osRelease();
  const ipv4 = Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => !!a && a.family === 'IPv4')
    .map((a) => a.address);
  const osName = rel['NAME']?.split(' ')[0] ?? os.type();
  return {
    id,
    host: os.hostname().split('.')[0],
    nodename: os.hostname(),
    fqdn: os.hostname(),
    kernel: os.type(),
    kernelrelease: os.release(),
    os: osName,
    os_family: rel['ID_LIKE']?.split(' ')[0] === 'debian' || rel['ID'] === 'debian' ? 'Debian' : osName,
    osrelease: rel['VERSION_ID'] ?? '',
    oscodename: rel['VERSION_CODENAME'] ?? '',
    cpuarch: os.machine(),
    num_cpus: os.cpus().length,
    mem_total: Math.round(os.totalmem() / 1024 / 1024),
    ipv4,
    pythonversion: [],
    nodeversion: process.versions.node,
    shell: '/bin/sh',
    ...configured,
  };
}
