import { errorLine, type Logger } from '@tsalt/core';
import { realHost, type Host } from './host.js';
import { cpuData, diskData, dmiData, memData, uefiData, virtualData } from './hardware.js';
import { dnsData, gatewayData, hostnameData, hwaddrData, ipData } from './network.js';
import { kernelData, lsbDistrib, osArch, osRelease, osReleaseInfo } from './os-data.js';
import {
  initSystem,
  kernelParams,
  localeInfo,
  machineId,
  processDir,
  processUser,
  selinuxData,
  serverId,
  shellAndPath,
  systemdData,
} from './system.js';
import type { Collector, Grains } from './types.js';

/** The Salt release whose wire tsalt speaks: what `saltversion` reports, so states and templates that check it behave. */
export const SALT_VERSION = '3006.8';
export const SALT_VERSION_INFO: readonly number[] = [3006, 8];

export interface CoreGrainsOptions {
  id: string;
  /** The `master` grain (the minion's `master` setting). */
  master?: string | readonly string[];
  /** libzmq's version, for `zmqversion` (the caller knows which ZeroMQ it links). */
  zmqversion?: string;
  /** @default the real host */
  host?: Host;
  /** Where a failing collector says so (debug level). */
  log?: Logger;
}

/**
 * The collectors, in order: later ones read what earlier ones found
 * (osarch needs os_family, osrelease_info needs osrelease).
 */
export const COLLECTORS: readonly [string, Collector][] = [
  ['kernel', kernelData],
  ['os-release', osRelease],
  ['osrelease_info', osReleaseInfo],
  ['osarch', osArch],
  ['lsb', lsbDistrib],
  ['init', initSystem],
  ['systemd', systemdData],
  ['selinux', selinuxData],
  ['cpu', cpuData],
  ['memory', memData],
  ['dmi', dmiData],
  ['virtual', virtualData],
  ['disks', diskData],
  ['uefi', uefiData],
  ['hostname', hostnameData],
  ['ip', ipData],
  ['hwaddr', hwaddrData],
  ['dns', dnsData],
  ['gateway', gatewayData],
  ['machine_id', machineId],
  ['shell', shellAndPath],
  ['locale', localeInfo],
  ['user', processUser],
  ['kernelparams', kernelParams],
  ['cwd', processDir],
];

/**
 * Salt's core grains. A collector that throws sets none of its grains;
 * computing grains never fails.
 */
export function coreGrains(o: CoreGrainsOptions): Grains {
  const host = o.host ?? realHost();
  const grains: Grains = {};
  for (const [name, collect] of COLLECTORS) {
    try {
      Object.assign(grains, collect(host, grains));
    } catch (err) {
      o.log?.debug({ collector: name, err: errorLine(err) }, 'a grains collector failed');
    }
  }
  grains['id'] = o.id;
  grains['server_id'] = serverId(o.id);
  if (o.master !== undefined) grains['master'] = typeof o.master === 'string' ? o.master : [...o.master];
  grains['saltversion'] = SALT_VERSION;
  grains['saltversioninfo'] = [...SALT_VERSION_INFO];
  if (o.zmqversion) grains['zmqversion'] = o.zmqversion;
  grains['nodeversion'] = process.versions.node;
  return grains;
}
