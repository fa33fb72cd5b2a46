import type { Host } from './host.js';
import type { Grains } from './types.js';

/**
 * Python's socket.getfqdn through /etc/hosts: of the names on the line that
 * lists this host, the first with a dot; the hostname itself otherwise.
 */
export function fqdnOf(hostname: string, hosts: string | undefined): string {
  if (hostname.includes('.') || hosts === undefined) return hostname;
  for (const raw of hosts.split('\n')) {
    const names = (raw.split('#')[0] ?? '').trim().split(/\s+/).slice(1);
    if (names.includes(hostname)) {
      const dotted = names.find((n) => n.includes('.'));
      if (dotted) return dotted;
    }
  }
  return hostname;
}

/** The addresses /etc/hosts gives a name, by family (Salt resolves through getaddrinfo; tsalt reads hosts only). */
function hostsAddresses(name: string, hosts: string | undefined): { v4: string[]; v6: string[] } {
  const v4 = new Set<string>();
  const v6 = new Set<string>();
  for (const raw of (hosts ?? '').split('\n')) {
    const [addr, ...names] = (raw.split('#')[0] ?? '').trim().split(/\s+/);
    if (!addr || !names.includes(name)) continue;
    (addr.includes(':') ? v6 : v4).add(addr);
  }
  return { v4: [...v4], v6: [...v6] };
}

/** localhost, nodename, fqdn, host and domain (fqdn split at its first dot), fqdn_ip4 and fqdn_ip6. */
export function hostnameData(host: Host): Grains {
  const name = host.hostname();
  const hosts = host.read('/etc/hosts');
  const fqdn = fqdnOf(name, hosts) || 'localhost.localdomain';
  const dot = fqdn.indexOf('.');
  const addrs = hostsAddresses(fqdn, hosts);
  return {
    fqdn_ip4: addrs.v4,
    fqdn_ip6: addrs.v6,
    localhost: name,
    nodename: name,
    fqdn,
    host: dot < 0 ? fqdn : fqdn.slice(0, dot),
    domain: dot < 0 ? '' : fqdn.slice(dot + 1),
  };
}

/** Interface names: every one in /sys/class/net (Salt lists those without addresses too), then Node's. */
function interfaceNames(host: Host): string[] {
  const names = host.list('/sys/class/net');
  for (const n of Object.keys(host.interfaces())) if (!names.includes(n)) names.push(n);
  return names;
}

/** The address without a zone suffix (`fe80::1%eth0`). */
function bare(addr: string): string {
  const i = addr.indexOf('%');
  return i < 0 ? addr : addr.slice(0, i);
}

/** ip_interfaces, ip4_interfaces, ip6_interfaces (each interface's addresses), ipv4 and ipv6 (all, sorted). */
export function ipData(host: Host): Grains {
  const nics = host.interfaces();
  const all: Record<string, string[]> = {};
  const v4: Record<string, string[]> = {};
  const v6: Record<string, string[]> = {};
  for (const name of interfaceNames(host)) {
    const addrs = nics[name] ?? [];
    v4[name] = addrs.filter((a) => a.family === 'IPv4').map((a) => a.address);
    v6[name] = addrs.filter((a) => a.family === 'IPv6').map((a) => bare(a.address));
    all[name] = [...v4[name], ...v6[name]];
  }
  const uniq = (m: Record<string, string[]>): string[] => [...new Set(Object.values(m).flat())].sort();
  return {
    ip_interfaces: all,
    ip4_interfaces: v4,
    ip6_interfaces: v6,
    ipv4: uniq(v4),
    ipv6: uniq(v6),
  };
}

/** hwaddr_interfaces: the MAC of each interface, from sysfs or Node (loopback is 00:00:00:00:00:00). */
export function hwaddrData(host: Host): Grains {
  const nics = host.interfaces();
  const out: Record<string, string> = {};
  for (const name of interfaceNames(host)) {
    const mac = host.read(`/sys/class/net/${name}/address`)?.trim() ?? nics[name]?.[0]?.mac;
    if (mac) out[name] = mac;
  }
  return { hwaddr_interfaces: out };
}

/** Salt's parse_resolv shape: nameservers (split by family), sortlist, domain, search, options. */
export function parseResolv(text: string): Grains {
  const ns: string[] = [];
  const sortlist: string[] = [];
  let domain = '';
  let search: string[] = [];
  const options: string[] = [];
  for (const raw of text.split('\n')) {
    const line = (raw.split(/[#;]/)[0] ?? '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (!key || rest.length === 0) continue;
    if (key === 'nameserver') ns.push(rest[0]!);
    else if (key === 'domain') domain = rest[0]!;
    else if (key === 'search') search = rest;
    else if (key === 'sortlist') sortlist.push(...rest);
    else if (key === 'options') options.push(...rest);
  }
  return {
    nameservers: ns,
    ip4_nameservers: ns.filter((a) => !a.includes(':')),
    ip6_nameservers: ns.filter((a) => a.includes(':')),
    sortlist,
    domain,
    search,
    options,
  };
}

/** dns: systemd-resolved's upstream resolv.conf when there is one, else /etc/resolv.conf. */
export function dnsData(host: Host): Grains {
  const text = host.read('/run/systemd/resolve/resolv.conf') ?? host.read('/etc/resolv.conf');
  return text === undefined ? {} : { dns: parseResolv(text) };
}

/** ip_gw, ip4_gw, ip6_gw from `ip -4/-6 route show`: the first `default via <ip>` (true without `via`), else false. */
export function gatewayData(host: Host): Grains {
  if (!host.which('ip')) return {};
  const out: Grains = { ip_gw: false, ip4_gw: false, ip6_gw: false };
  for (const v of ['4', '6']) {
    const r = host.run('ip', [`-${v}`, 'route', 'show']);
    const line = r?.stdout.split('\n').find((l) => l.startsWith('default'));
    if (!line) continue;
    out['ip_gw'] = true;
    const [, via, gw] = line.split(/\s+/);
    out[`ip${v}_gw`] = via === 'via' && gw ? gw : true;
  }
  return out;
}
