import { ZmtpProtocolError } from './codec.js';
import { tcpAddress } from '../tcp-address.js';

export interface TcpEndpoint {
  host: string;
  port: number;
}

/**
 * Parses a libzmq-style bind address: `tcp://host:port`, `tcp://[v6]:port`,
 * `*` for every IPv4 interface (libzmq without ZMQ_IPV6), port `*` or 0 for
 * an ephemeral one.
 */
export function parseTcpAddress(address: string): TcpEndpoint {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:[\]]+):(\d+|\*)$/.exec(address);
  if (!m?.[1] || !m[2]) throw new ZmtpProtocolError(`not a tcp://host:port address: ${address}`);
  let host = m[1];
  if (host.startsWith('[')) host = host.slice(1, -1);
  if (host === '*') host = '0.0.0.0';
  const port = m[2] === '*' ? 0 : Number(m[2]);
  if (port > 65535) throw new ZmtpProtocolError(`port out of range: ${address}`);
  return { host, port };
}

/** The `tcp://` form of a bound endpoint, IPv6 hosts in brackets. */
export function formatTcpAddress(e: TcpEndpoint): string {
  return tcpAddress(e.host, e.port);
}
