/**
 * IPv4/IPv6 arithmetic for the network module, with Python `ipaddress`'s
 * text forms (compressed IPv6, dotted netmasks) and its ordering, because
 * Salt's returns are built from those.
 */
import { isIP } from 'node:net';

export interface IpAddr {
  version: 4 | 6;
  /** The address as an unsigned integer (32 or 128 bits). */
  value: bigint;
}

export interface IpNet {
  version: 4 | 6;
  /** The network address (host bits cleared). */
  base: bigint;
  prefix: number;
}

const bits = (v: 4 | 6): number => (v === 4 ? 32 : 128);

function parseV4(s: string): bigint {
  return s.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
}

function parseV6(s: string): bigint {
  let text = s;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const n = parseV4(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Parses an address (no prefix); null when it is not one. */
export function parseIp(text: string): IpAddr | null {
  const addr = text.split('%')[0] ?? text; // drop a zone id (fe80::1%eth0)
  const v = isIP(addr);
  if (v === 4) return { version: 4, value: parseV4(addr) };
  if (v === 6) return { version: 6, value: parseV6(addr) };
  return null;
}

/** Python's `str(ip_address)`: dotted quad, or RFC 5952 compressed IPv6. */
export function formatIp(a: IpAddr): string {
  if (a.version === 4) return [24n, 16n, 8n, 0n].map((s) => String((a.value >> s) & 255n)).join('.');
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => Number((a.value >> s) & 0xffffn));
  // The longest run of two or more zero groups (the first on a tie) becomes '::'.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function mask(version: 4 | 6, prefix: number): bigint {
  const b = bits(version);
  return ((1n << BigInt(b)) - 1n) ^ ((1n << BigInt(b - prefix)) - 1n);
}

/**
 * Parses `addr/prefix` (or `addr/netmask`, or a bare address as a host
 * network). Host bits are cleared, as Python's `ip_interface(...).network`
 * does. Null when invalid.
 */
export function parseNet(text: string): IpNet | null {
  const [addrText = '', prefText] = text.split('/');
  const a = parseIp(addrText);
  if (!a) return null;
  const max = bits(a.version);
  let prefix = max;
  if (prefText !== undefined) {
    if (/^\d+$/.test(prefText)) prefix = Number(prefText);
    else {
      const m = a.version === 4 ? parseIp(prefText) : null;
      if (!m || m.version !== 4) return null;
      prefix = netmaskToPrefix(m.value);
      if (prefix < 0) return null;
    }
  }
  if (prefix > max) return null;
  return { version: a.version, base: a.value & mask(a.version, prefix), prefix };
}

function netmaskToPrefix(m: bigint): number {
  const s = m.toString(2).padStart(32, '0');
  return /^1*0*$/.test(s) ? (s.indexOf('0') === -1 ? 32 : s.indexOf('0')) : -1;
}

export function formatNet(n: IpNet): string {
  return `${formatIp({ version: n.version, value: n.base })}/${n.prefix}`;
}

/** Salt's `cidr_to_ipv4_netmask`: the dotted mask, '' outside 1..32. */
export function ipv4Netmask(prefix: number): string {
  if (!Number.isInteger(prefix) || prefix < 1 || prefix > 32) return '';
  return formatIp({ version: 4, value: mask(4, prefix) });
}

export function netContains(n: IpNet, a: IpAddr): boolean {
  return n.version === a.version && (a.value & mask(n.version, n.prefix)) === n.base;
}

/** Python's `ip_network(cidr)` facts: network, netmask and broadcast, as `network.convert_cidr` returns. */
export function netFacts(n: IpNet): { network: string; netmask: string; broadcast: string } {
  const m = mask(n.version, n.prefix);
  const all = (1n << BigInt(bits(n.version))) - 1n;
  return {
    network: formatIp({ version: n.version, value: n.base }),
    netmask: formatIp({ version: n.version, value: m }),
    broadcast: formatIp({ version: n.version, value: n.base | (all ^ m) }),
  };
}

export function isLoopback(a: IpAddr): boolean {
  return a.version === 4 ? a.value >> 24n === 127n : a.value === 1n;
}

// Python 3.11's `is_private` tables (Debian 12's python3), so type=private matches Salt there.
const PRIVATE = [
  '0.0.0.0/8 10.0.0.0/8 127.0.0.0/8 169.254.0.0/16 172.16.0.0/12 192.0.0.0/29 192.0.0.170/31 192.0.2.0/24',
  '192.168.0.0/16 198.18.0.0/15 198.51.100.0/24 203.0.113.0/24 240.0.0.0/4 255.255.255.255/32',
  '::1/128 ::/128 ::ffff:0:0/96 100::/64 2001::/23 2001:2::/48 2001:db8::/32 2001:10::/28 fc00::/7 fe80::/10',
]
  .join(' ')
  .split(' ')
  .map((c) => parseNet(c))
  .filter((n): n is IpNet => n !== null);

export function isPrivate(a: IpAddr): boolean {
  return PRIVATE.some((n) => netContains(n, a));
}

/** Python's ordering of addresses and of networks (by address, then by netmask). */
export function compareIp(x: IpAddr, y: IpAddr): number {
  return x.version - y.version || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0);
}

export function compareNet(x: IpNet, y: IpNet): number {
  return x.version - y.version || (x.base < y.base ? -1 : x.base > y.base ? 1 : 0) || x.prefix - y.prefix;
}
