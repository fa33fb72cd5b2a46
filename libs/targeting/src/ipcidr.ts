/**
 * `S@` / ipcidr: an IP address or a CIDR network, compared with the
 * minion's `ipv4` (or `ipv6`) grain list.
 */
import { BlockList, isIP } from 'node:net';

export interface IpTarget {
  /** The grain holding the minion's addresses of the target's family. */
  grain: 'ipv4' | 'ipv6';
  list: BlockList;
}

/** Parses `10.0.0.1` or `10.0.0.0/8`; returns a reason string when invalid. */
export function parseIpTarget(tgt: string): IpTarget | string {
  const list = new BlockList();
  const slash = tgt.indexOf('/');
  const addr = slash < 0 ? tgt : tgt.slice(0, slash);
  const version = isIP(addr);
  if (version === 0) return `'${addr}' does not appear to be an IPv4 or IPv6 address or network`;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (slash < 0) {
    list.addAddress(addr, family);
  } else {
    const prefixStr = tgt.slice(slash + 1);
    const prefix = Number(prefixStr);
    const max = version === 4 ? 32 : 128;
    if (!/^\d+$/.test(prefixStr) || prefix > max) return `invalid prefix length '${prefixStr}'`;
    // Unlike Python's strict ip_network, host bits are accepted: 10.0.0.5/24 means 10.0.0.0/24.
    list.addSubnet(addr, prefix, family);
  }
  return { grain: family, list };
}

/** True when any address in `grains[ipv4|ipv6]` falls in the target. */
export function ipMatches(target: IpTarget, grains: Record<string, unknown> | undefined): boolean {
  const raw = grains?.[target.grain];
  const addrs = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const family = target.grain;
  return addrs.some(
    (a) => typeof a === 'string' && isIP(a) === (family === 'ipv4' ? 4 : 6) && target.list.check(a, family),
  );
}
