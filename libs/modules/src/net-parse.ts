/**
 * Parsers for what Linux tells about its network: `ip addr show`,
 * `netstat`/`ss`, `ip route`, /proc/net/tcp. Each returns Salt's shape
 * (salt/utils/network.py, salt/modules/network.py) so the plugin only runs
 * commands and filters.
 */
import { formatIp, ipv4Netmask, netFacts, parseIp, parseNet } from './net-ip.js';

export interface Inet4 {
  address: string;
  netmask: string;
  broadcast: string | null;
  label: string;
}
export interface Inet6 {
  address: string;
  prefixlen: string;
  scope: string | null;
}
export type Secondary = ({ type: 'inet' } & Inet4) | ({ type: 'inet6' } & Inet6);

/** One interface, as Salt's `network.interfaces` gives it (keys appear only when known). */
export interface IfaceInfo {
  up?: boolean;
  parent?: string;
  hwaddr?: string;
  inet?: Inet4[];
  inet6?: Inet6[];
  secondary?: Secondary[];
}

const IFACE_LINE = /^\d*:\s+([\w.-]+)(?:@)?([\w.-]+)?:\s+<(.+)>/;

/** `ip addr show` (optionally after `ip link show`): a later block for an interface replaces an earlier one. */
export function parseIpAddr(out: string): Record<string, IfaceInfo> {
  const ret: Record<string, IfaceInfo> = {};
  // A block starts at a line that begins with a digit (the interface index).
  for (const group of out.split(/\r?\n(?=\d)/)) {
    let iface: string | undefined;
    const data: IfaceInfo = {};
    for (const line of group.split(/\r?\n/)) {
      if (!line.includes(' ')) continue;
      const m = IFACE_LINE.exec(line);
      if (m) {
        iface = m[1];
        data.up = (m[3] ?? '').split(',').includes('UP');
        if (m[2]) data.parent = m[2];
        continue;
      }
      const cols = line.trim().split(/\s+/);
      const [type, value] = cols;
      if (type === undefined || value === undefined) continue;
      if (type === 'inet' || type === 'inet6') addAddress(data, type, value, cols);
      else if (type.startsWith('link')) data.hwaddr = value;
    }
    if (iface !== undefined) ret[iface] = data;
  }
  return ret;
}

function after(cols: string[], word: string): string | null {
  const i = cols.indexOf(word);
  return i >= 0 ? (cols[i + 1] ?? null) : null;
}

function addAddress(data: IfaceInfo, type: 'inet' | 'inet6', value: string, cols: string[]): void {
  const [address = value, cidr] = value.split('/');
  const label = cols[cols.length - 1] ?? '';
  const secondary = cols.includes('secondary');
  if (type === 'inet') {
    const obj: Inet4 = {
      address,
      netmask: ipv4Netmask(cidr === undefined ? 32 : Number(cidr)),
      broadcast: after(cols, 'brd'),
      label,
    };
    if (secondary) (data.secondary ??= []).push({ type, ...obj });
    else (data.inet ??= []).push(obj);
  } else {
    const obj: Inet6 = { address, prefixlen: cidr ?? '128', scope: after(cols, 'scope') };
    if (secondary) (data.secondary ??= []).push({ type, ...obj });
    else (data.inet6 ??= []).push(obj);
  }
}

/** Salt's route entry (network.routes). */
export interface Route {
  addr_family: 'inet' | 'inet6';
  destination: string;
  gateway: string;
  netmask: string;
  flags: string;
  interface: string;
}

/** `netstat -A inet -rn` and `netstat -A inet6 -rn` (both with their two header lines). */
export function parseNetstatRoutes(v4: string, v6: string): Route[] {
  const ret: Route[] = [];
  for (const line of v4.split('\n').slice(2)) {
    const c = line.trim().split(/\s+/);
    if (c.length < 8) continue;
    ret.push({
      addr_family: 'inet',
      destination: c[0] ?? '',
      gateway: c[1] ?? '',
      netmask: c[2] ?? '',
      flags: c[3] ?? '',
      interface: c[7] ?? '',
    });
  }
  for (const line of v6.split('\n').slice(2)) {
    const c = line.trim().split(/\s+/);
    if (c.length !== 6 && c.length !== 7) continue;
    ret.push({
      addr_family: 'inet6',
      destination: c[0] ?? '',
      gateway: c[1] ?? '',
      netmask: '',
      flags: c[2] ?? '',
      interface: c[c.length - 1] ?? '',
    });
  }
  return ret;
}

const V6_SKIP = new Set('unicast broadcast throw unreachable prohibit blackhole nat anycast multicast'.split(' '));

/** `ip -4 route show table main` and `ip -6 route show table all`, in netstat's shape (Salt without netstat). */
export function parseIpRoutes(v4: string, v6: string): Route[] {
  const ret: Route[] = [];
  const dev = (c: string[], at: number): string => (c[at] === 'dev' ? (c[at + 1] ?? '') : '');
  for (const line of v4.split('\n')) {
    const c = line.trim().split(/\s+/);
    const head = c[0];
    if (!head || head === 'unreachable') continue;
    if (head === 'default') {
      ret.push({
        addr_family: 'inet',
        destination: '0.0.0.0',
        gateway: c[2] ?? '',
        netmask: '0.0.0.0',
        flags: 'UG',
        interface: dev(c, 3),
      });
      continue;
    }
    const net = parseNet(head);
    if (!net) continue;
    const f = netFacts(net);
    ret.push({
      addr_family: 'inet',
      destination: f.network,
      gateway: '0.0.0.0',
      netmask: f.netmask,
      flags: 'U',
      interface: dev(c, 1),
    });
  }
  for (const line of v6.split('\n')) {
    const c = line.trim().split(/\s+/);
    const head = c[0];
    if (!head || V6_SKIP.has(head)) continue;
    if (head === 'default') {
      ret.push({
        addr_family: 'inet6',
        destination: '::/0',
        gateway: c[2] ?? '',
        netmask: '',
        flags: 'UG',
        interface: dev(c, 3),
      });
    } else if (head === 'local') {
      ret.push({
        addr_family: 'inet6',
        destination: `${c[1] ?? ''}/128`,
        gateway: '::',
        netmask: '',
        flags: 'U',
        interface: dev(c, 2),
      });
    } else {
      ret.push({
        addr_family: 'inet6',
        destination: head,
        gateway: '::',
        netmask: '',
        flags: 'U',
        interface: dev(c, 1),
      });
    }
  }
  return ret;
}

/** One socket of `network.netstat`. */
export type NetstatEntry = Record<string, string | number>;

/** `netstat -tulpnea`. */
export function parseNetstat(out: string): NetstatEntry[] {
  const ret: NetstatEntry[] = [];
  for (const line of out.split('\n')) {
    const c = line.trim().split(/\s+/);
    const base = {
      proto: c[0] ?? '',
      'recv-q': c[1] ?? '',
      'send-q': c[2] ?? '',
      'local-address': c[3] ?? '',
      'remote-address': c[4] ?? '',
    };
    if (line.startsWith('tcp'))
      ret.push({ ...base, state: c[5] ?? '', user: c[6] ?? '', inode: c[7] ?? '', program: c[8] ?? '' });
    else if (line.startsWith('udp')) ret.push({ ...base, user: c[5] ?? '', inode: c[6] ?? '', program: c[7] ?? '' });
  }
  return ret;
}

/** `ss -tulpnea` (no netstat): user and inode are 0 when ss does not show them, as in Salt. */
export function parseSs(out: string): NetstatEntry[] {
  const ret: NetstatEntry[] = [];
  for (const line of out.split('\n')) {
    if (!line.startsWith('tcp') && !line.startsWith('udp')) continue;
    const c = line.trim().split(/\s+/);
    let user: string | number = 0;
    let inode: string | number = 0;
    let program = '';
    for (const field of c.slice(6, -1)) {
      const [k, v = ''] = field.split(':');
      if (k === 'users') program = v.split(',')[0]?.split('"')[1] ?? '';
      else if (k === 'uid') user = v;
      else if (k === 'ino') inode = v;
    }
    const base = {
      proto: c[0] ?? '',
      'recv-q': c[2] ?? '',
      'send-q': c[3] ?? '',
      'local-address': c[4] ?? '',
      'remote-address': c[5] ?? '',
    };
    if (line.startsWith('tcp')) {
      const state = c[1] === 'ESTAB' ? 'ESTABLISHED' : (c[1] ?? '');
      ret.push({ ...base, state, user, inode, program });
    } else ret.push({ ...base, user, inode, program });
  }
  return ret;
}

/** A /proc/net/tcp address (little-endian hex words) as text; the hex itself when it does not parse. */
export function hexToIp(hex: string): string {
  if (hex.length === 32) {
    let v = 0n;
    for (let i = 0; i < 32; i += 8) {
      const word = hex.slice(i, i + 8);
      // Each 32-bit word is in host (little-endian) byte order.
      const be = (word.match(/../g) ?? []).reverse().join('');
      v = (v << 32n) | BigInt(`0x${be}`);
    }
    if (v >> 32n === 0xffffn) return formatIp({ version: 4, value: v & 0xffffffffn }); // IPv4-mapped
    return formatIp({ version: 6, value: v });
  }
  const n = Number.parseInt(hex, 16);
  if (!/^[0-9a-fA-F]{1,8}$/.test(hex) || Number.isNaN(n)) return hex;
  return [0, 8, 16, 24].map((s) => String((n >>> s) & 255)).join('.');
}

export interface TcpConn {
  local_addr: string;
  local_port: number;
  remote_addr: string;
  remote_port: number;
}

/** The ESTABLISHED sockets of /proc/net/tcp and tcp6 texts, numbered from 0 as Salt does. */
export function parseProcTcp(...texts: string[]): Record<string, TcpConn> {
  const ret: Record<string, TcpConn> = {};
  let n = 0;
  for (const text of texts) {
    for (const line of text.split('\n')) {
      const c = line.trim().split(/\s+/);
      if (!c[0] || c[0] === 'sl' || c.length < 4) continue;
      const [la = '', lp = '0'] = (c[1] ?? '').split(':');
      const [ra = '', rp = '0'] = (c[2] ?? '').split(':');
      if (Number.parseInt(c[3] ?? '', 16) !== 1) continue; // 01 is TCP_ESTABLISHED
      ret[String(n++)] = {
        local_addr: hexToIp(la),
        local_port: Number.parseInt(lp, 16),
        remote_addr: hexToIp(ra),
        remote_port: Number.parseInt(rp, 16),
      };
    }
  }
  return ret;
}

/** True when `text` is an IPv4 or IPv6 address (Salt's validate.net). */
export function isIpText(text: string): boolean {
  return parseIp(text) !== null;
}
