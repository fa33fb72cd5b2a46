/** A ZeroMQ `tcp://host:port` address, brackets around an IPv6 host. */
export function tcpAddress(host: string, port: number): string {
  return `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
