import os from 'node:os';
import { fnmatch, pyStr } from '@tsalt/core';
import type { MinionConfig } from '@tsalt/config';

import { definePlugin, pyTruthy } from '@tsalt/loader';
import type { ModuleServices } from '../context.js';
import { ModuleError } from '../errors.js';
import { hasBinary, readText, requireBinary, runTool, toolOutput } from '../host-run.js';
import { connect, getFqdn } from '../net-connect.js';
import {
  compareIp,
  compareNet,
  formatIp,
  formatNet,
  isLoopback,
  isPrivate,
  netContains,
  parseIp,
  parseNet,
} from '../net-ip.js';
import type { IpNet } from '../net-ip.js';
import { parseIpAddr, parseIpRoutes, parseNetstat, parseNetstatRoutes, parseProcTcp, parseSs } from '../net-parse.js';
import type { IfaceInfo, Route } from '../net-parse.js';

/** Salt's `linux_interfaces`: `ip link show` then `ip addr show`, the later block winning. */
async function interfaces(): Promise<Record<string, IfaceInfo>> {
  if (!hasBinary('ip')) return {};
  const [link, addr] = await Promise.all([toolOutput(['ip', 'link', 'show']), toolOutput(['ip', 'addr', 'show'])]);
  return parseIpAddr(`${link}\n${addr}`);
}

/** Salt's `split_input`: a list, or a comma-separated string. */
function splitInput(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  return String(v)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function filterIfaces(ifaces: Record<string, IfaceInfo>, iface: unknown): Record<string, IfaceInfo> {
  if (iface === null || iface === undefined) return ifaces;
  const pats = splitInput(iface);
  return Object.fromEntries(Object.entries(ifaces).filter(([k]) => pats.some((p) => fnmatch(k, p))));
}

/** Every address of a family (primary and secondary), deduplicated and sorted as Python sorts them. */
function addresses(ifaces: Record<string, IfaceInfo>, proto: 'inet' | 'inet6', loopback: boolean): string[] {
  const seen = new Map<string, ReturnType<typeof parseIp>>();
  for (const info of Object.values(ifaces)) {
    const list = [...(info[proto] ?? []), ...(info.secondary ?? []).filter((s) => s.type === proto)];
    for (const a of list) {
      const ip = parseIp(a.address);
      if (ip && (loopback || !isLoopback(ip))) seen.set(formatIp(ip), ip);
    }
  }
  return [...seen.values()]
    .filter((a) => a !== null)
    .sort(compareIp)
    .map(formatIp);
}

/** Salt's `in_subnet(cidr, addrs)`: false (not an error) for a bad CIDR. */
function inSubnet(cidr: unknown, addrs: string[]): boolean {
  const n = parseNet(String(cidr));
  if (!n) return false;
  return addrs.some((a) => {
    const ip = parseIp(a);
    return ip !== null && netContains(n, ip);
  });
}

async function ipAddrs(a: Record<string, unknown>, proto: 'inet' | 'inet6'): Promise<string[]> {
  const addrs = addresses(filterIfaces(await interfaces(), a['interface']), proto, pyTruthy(a['include_loopback']));
  if (a['cidr']) return addrs.filter((x) => inSubnet(a['cidr'], [x]));
  if (proto === 'inet' && (a['type'] === 'public' || a['type'] === 'private')) {
    const want = a['type'] === 'private';
    return addrs.filter((x) => {
      const ip = parseIp(x);
      return ip !== null && isPrivate(ip) === want;
    });
  }
  return addrs;
}

function subnets(ifaces: Record<string, IfaceInfo>, proto: 'inet' | 'inet6'): string[] {
  const nets = new Map<string, IpNet>();
  for (const info of Object.values(ifaces)) {
    const list = [...(info[proto] ?? []), ...(info.secondary ?? []).filter((s) => s.type === proto)];
    for (const a of list) {
      const mask = 'netmask' in a ? a.netmask : 'prefixlen' in a ? a.prefixlen : '';
      const n = parseNet(mask ? `${a.address}/${mask}` : a.address);
      const ip = parseIp(a.address);
      if (n && ip && !isLoopback(ip)) nets.set(formatNet(n), n);
    }
  }
  return [...nets.values()].sort(compareNet).map(formatNet);
}

/** The interface, or Salt's error string naming the ones there are. */
async function ifaceInfo(iface: string): Promise<IfaceInfo | string> {
  const all = await interfaces();
  const info = all[iface];
  if (info) return info;
  return `Interface "${iface}" not in available interfaces: "${Object.keys(all).join('", "')}"`;
}

function checkFamily(family: unknown): 'inet' | 'inet6' | null {
  if (family === null || family === undefined) return null;
  if (family === 'inet' || family === 'inet6') return family;
  throw new ModuleError('INVALID_ARGUMENT', `Invalid address family ${pyStr(family)}`);
}

async function routes(family: 'inet' | 'inet6' | null): Promise<Route[]> {
  // Salt reads netstat when it is installed and `ip route` otherwise; the two differ a little (flags).
  const all = hasBinary('netstat')
    ? parseNetstatRoutes(
        await toolOutput(['netstat', '-A', 'inet', '-rn']),
        await toolOutput(['netstat', '-A', 'inet6', '-rn']),
      )
    : parseIpRoutes(
        await toolOutput(['ip', '-4', 'route', 'show', 'table', 'main']),
        await toolOutput(['ip', '-6', 'route', 'show', 'table', 'all']),
      );
  return family ? all.filter((r) => r.addr_family === family) : all;
}

/** Salt's `sanitize_host`: only the characters a host name or address may hold. */
function sanitizeHost(host: unknown): string {
  return pyStr(host).replace(/[^A-Za-z0-9.\-:_]/g, '');
}

const ex = (call: string): string => `\n\nCLI Example:\n\n    salt '*' ${call}`;

/** Salt's `network` execution module, for Linux. */
export default definePlugin<MinionConfig, ModuleServices>({
  name: 'network',
  doc: 'Module for gathering and managing network information',
  virtual: () => (process.platform === 'linux' ? true : 'The network execution module of tsalt only runs on Linux'),
  functions: {
    interfaces: {
      doc: `Return a dictionary of information about all the interfaces on the minion${ex('network.interfaces')}`,
      fn: () => interfaces(),
    },
    ip_addrs: {
      doc: `Returns a list of IPv4 addresses assigned to the host. 127.0.0.1 is
ignored, unless 'include_loopback=True' is indicated. If 'interface' is
provided, then only IP addresses from that interface will be returned
(a name, a list or a glob). Providing a CIDR via 'cidr="10.0.0.0/8"' will
return only the addresses which are within that subnet. If 'type' is
'public', then only public addresses will be returned. Ditto for
'type'='private'.${ex('network.ip_addrs')}`,
      params: [
        { name: 'interface', default: null },
        { name: 'include_loopback', default: false },
        { name: 'cidr', default: null },
        { name: 'type', default: null },
      ],
      fn: (_ctx, a) => ipAddrs(a, 'inet'),
    },
    ip_addrs6: {
      doc: `Returns a list of IPv6 addresses assigned to the host. ::1 is ignored,
unless 'include_loopback=True' is indicated. If 'interface' is provided,
then only IP addresses from that interface will be returned. Providing a
CIDR via 'cidr="2000::/3"' will return only the addresses which are within
that subnet.${ex('network.ip_addrs6')}`,
      params: [
        { name: 'interface', default: null },
        { name: 'include_loopback', default: false },
        { name: 'cidr', default: null },
      ],
      fn: (_ctx, a) => ipAddrs(a, 'inet6'),
    },
    hw_addr: {
      doc: `Return the hardware address (a.k.a. MAC address) for a given interface${ex('network.hw_addr eth0')}`,
      params: ['iface'],
      fn: async (_ctx, a) => {
        const info = await ifaceInfo(pyStr(a['iface']));
        return typeof info === 'string' ? info : (info.hwaddr ?? '');
      },
    },
    interface: {
      doc: `Return the inet address details for a given interface${ex('network.interface eth0')}`,
      params: ['iface'],
      fn: async (_ctx, a) => {
        const info = await ifaceInfo(pyStr(a['iface']));
        return typeof info === 'string' ? info : (info.inet ?? '');
      },
    },
    interface_ip: {
      doc: `Return the inet address for a given interface${ex('network.interface_ip eth0')}`,
      params: ['iface'],
      fn: async (_ctx, a) => {
        const info = await ifaceInfo(pyStr(a['iface']));
        return typeof info === 'string' ? info : (info.inet?.[0]?.address ?? '');
      },
    },
    subnets: {
      doc: `Returns a list of IPv4 subnets to which the host belongs${ex('network.subnets')}\n    salt '*' network.subnets interfaces=eth1`,
      params: [{ name: 'interfaces', default: null }],
      fn: async (_ctx, a) => {
        const all = await interfaces();
        const want = a['interfaces'];
        const picked =
          want === null || want === undefined
            ? all
            : Object.fromEntries(
                Array.isArray(want)
                  ? Object.entries(all).filter(([k]) => want.map(String).includes(k))
                  : [[pyStr(want), all[pyStr(want)] ?? {}]],
              );
        return subnets(picked, 'inet');
      },
    },
    subnets6: {
      doc: `Returns a list of IPv6 subnets to which the host belongs${ex('network.subnets6')}`,
      fn: async () => subnets(await interfaces(), 'inet6'),
    },
    in_subnet: {
      doc: `Returns True if host is within specified subnet, otherwise False.${ex('network.in_subnet 10.0.0.0/16')}`,
      params: ['cidr'],
      fn: async (_ctx, a) => {
        const ifaces = await interfaces();
        return inSubnet(a['cidr'], [...addresses(ifaces, 'inet', false), ...addresses(ifaces, 'inet6', false)]);
      },
    },
    ip_in_subnet: {
      doc: `Returns True if given IP is within specified subnet, otherwise False.${ex('network.ip_in_subnet 172.17.0.4 172.16.0.0/12')}`,
      params: ['ip_addr', 'cidr'],
      fn: (_ctx, a) => {
        if (!parseIp(pyStr(a['ip_addr'])))
          throw new ModuleError(
            'INVALID_ARGUMENT',
            `'${pyStr(a['ip_addr'])}' does not appear to be an IPv4 or IPv6 address`,
          );
        return inSubnet(a['cidr'], [pyStr(a['ip_addr'])]);
      },
    },
    routes: {
      doc: `Return currently configured routes from routing table (family: inet or inet6)${ex('network.routes')}`,
      params: [{ name: 'family', default: null }],
      fn: (_ctx, a) => routes(checkFamily(a['family'])),
    },
    default_route: {
      doc: `Return default route(s) from routing table (family: inet or inet6)${ex('network.default_route')}`,
      params: [{ name: 'family', default: null }],
      fn: async (_ctx, a) => {
        const family = checkFamily(a['family']);
        const dflt = { inet: ['0.0.0.0', 'default'], inet6: ['::/0', 'default'] };
        return (await routes(family)).filter((r) => dflt[family ?? r.addr_family].includes(r.destination));
      },
    },
    get_hostname: {
      doc: `Get hostname${ex('network.get_hostname')}`,
      fn: () => os.hostname(),
    },
    get_fqdn: {
      doc: `Get fully qualified domain name${ex('network.get_fqdn')}`,
      fn: () => getFqdn(),
    },
    ping: {
      doc: `Performs an ICMP ping to a host (4 packets). Return a True or False
instead of ping output with return_boolean=True; timeout= is the time to
wait for a response, in seconds.${ex('network.ping archlinux.org')}\n    salt '*' network.ping archlinux.org return_boolean=True timeout=3`,
      params: ['host', { name: 'timeout', default: false }, { name: 'return_boolean', default: false }],
      fn: async (_ctx, a) => {
        requireBinary('ping', 'network.ping');
        const argv = [
          'ping',
          ...(pyTruthy(a['timeout']) ? ['-W', pyStr(a['timeout'])] : []),
          '-c',
          '4',
          sanitizeHost(a['host']),
        ];
        const r = await runTool(argv);
        if (pyTruthy(a['return_boolean'])) return r.retcode === 0;
        return `${r.stdout}${r.stderr}`.trimEnd();
      },
    },
    connect: {
      doc: `Test connectivity to a host using a particular port from the minion.
Keyword arguments: proto (tcp or udp, default tcp), timeout (seconds,
default 5), family (ipv4 or ipv6).${ex('network.connect archlinux.org 80')}\n    salt '*' network.connect archlinux.org 80 timeout=3 family=ipv4\n    salt '*' network.connect google-public-dns-a.google.com port=53 proto=udp timeout=3`,
      params: ['host', { name: 'port', default: null }],
      varkw: true,
      fn: (_ctx, a) => {
        const kw = (a['__kwargs__'] ?? {}) as Record<string, unknown>;
        return connect(a['host'] ? pyStr(a['host']) : '', a['port'], kw);
      },
    },
    active_tcp: {
      doc: `Return a dict containing information on all of the running TCP connections${ex('network.active_tcp')}`,
      fn: async () => parseProcTcp((await readText('/proc/net/tcp')) ?? '', (await readText('/proc/net/tcp6')) ?? ''),
    },
    netstat: {
      doc: `Return information on open ports and states (netstat -tulpnea, or ss when netstat is missing)${ex('network.netstat')}`,
      fn: async () =>
        hasBinary('netstat')
          ? parseNetstat(await toolOutput(['netstat', '-tulpnea']))
          : parseSs(await toolOutput(['ss', '-tulpnea'])),
    },
    dig: {
      doc: `Performs a DNS lookup with dig (only where the dig binary exists)${ex('network.dig archlinux.org')}`,
      params: ['host'],
      fn: async (_ctx, a) => {
        requireBinary('dig', 'network.dig');
        const r = await runTool(['dig', sanitizeHost(a['host'])]);
        return `${r.stdout}${r.stderr}`.trimEnd();
      },
    },
  },
});
