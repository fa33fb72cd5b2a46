import dgram from 'node:dgram';
import dns from 'node:dns/promises';
import net from 'node:net';
import os from 'node:os';
import { pyStr } from '@tsalt/core';

export interface ConnectResult {
  result: boolean;
  comment: string;
}

/** One connection attempt, closed as soon as it is decided (timeout in s). */
function tryTcp(address: string, port: number, timeoutS: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: address, port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutS * 1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** A UDP "connection" succeeds when the peer answers a datagram within the timeout (s). */
function tryUdp(address: string, family: 4 | 6, port: number, timeoutS: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    const timer = setTimeout(() => done(false), timeoutS * 1000);
    function done(ok: boolean): void {
      clearTimeout(timer);
      sock.close();
      resolve(ok);
    }
    sock.once('message', () => done(true));
    sock.once('error', () => done(false));
    sock.send(Buffer.from(Date.now().toString(16)), port, address, (err) => err && done(false));
  });
}

/** Salt's `network.connect`: {result, comment} with its texts. */
export async function connect(
  host: string,
  port: unknown,
  opts: { proto?: unknown; timeout?: unknown; family?: unknown },
): Promise<ConnectResult> {
  if (!host) return { result: false, comment: 'Required argument, host, is missing.' };
  if (port === null || port === undefined || port === '' || port === 0)
    return { result: false, comment: 'Required argument, port, is missing.' };
  const proto = opts.proto === 'udp' ? 'udp' : 'tcp';
  const timeoutS = Number(opts.timeout ?? 5);
  const portNum = Number(port);
  const family = opts.family === 'ipv4' ? 4 : opts.family === 'ipv6' ? 6 : 0;
  let resolved: { address: string; family: number };
  try {
    if (!Number.isInteger(portNum) || portNum < 0 || portNum > 65535) throw new Error('bad port');
    resolved = await dns.lookup(host, { family });
  } catch {
    return { result: false, comment: `Unable to resolve host ${host} on ${proto} port ${pyStr(port)}` };
  }
  const t = Number.isFinite(timeoutS) && timeoutS > 0 ? timeoutS : 5;
  const ok =
    proto === 'udp'
      ? await tryUdp(resolved.address, resolved.family === 6 ? 6 : 4, portNum, t)
      : await tryTcp(resolved.address, portNum, t);
  const what = `${host} (${resolved.address}) on ${proto} port ${pyStr(port)}`;
  return ok
    ? { result: true, comment: `Successfully connected to ${what}` }
    : { result: false, comment: `Unable to connect to ${what}` };
}

/**
 * Python's `socket.getfqdn()`: the name the host's address maps back to,
 * when it has a dot; otherwise that name (or the hostname when no lookup works).
 */
export async function getFqdn(): Promise<string> {
  const name = os.hostname();
  try {
    const { address } = await dns.lookup(name);
    const { hostname } = await dns.lookupService(address, 0);
    if (hostname.includes('.') || !name.includes('.')) return hostname;
    return name;
  } catch {
    return name;
  }
}
