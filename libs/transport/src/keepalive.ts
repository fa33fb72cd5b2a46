/**
 * Salt's four TCP keepalive keys, as the config holds them. Salt sets them on
 * the minion's SUB and REQ and on the master's ROUTER and PUB, so a peer that
 * vanished (power cut, link down) is noticed in minutes, not the kernel's
 * two hours. -1 means "the OS default" for every number.
 */
export interface TcpKeepaliveOpts {
  /** Salt's `tcp_keepalive`: probe idle connections at all. */
  tcp_keepalive: boolean;
  /** Salt's `tcp_keepalive_idle`: idle time before the first probe (s). */
  tcp_keepalive_idle: number;
  /** Salt's `tcp_keepalive_cnt`: unanswered probes before the connection is dropped. */
  tcp_keepalive_cnt: number;
  /** Salt's `tcp_keepalive_intvl`: time between probes (s). */
  tcp_keepalive_intvl: number;
}

/** Salt's defaults: on, first probe after 5 min idle, count and interval from the OS. */
export const TCP_KEEPALIVE_DEFAULTS: Readonly<TcpKeepaliveOpts> = {
  tcp_keepalive: true,
  tcp_keepalive_idle: 300,
  tcp_keepalive_cnt: -1,
  tcp_keepalive_intvl: -1,
};

/** The zeromq.js socket options for these keys. */
export interface ZmqKeepaliveOptions {
  tcpKeepalive: number;
  tcpKeepaliveIdle: number;
  tcpKeepaliveCount: number;
  tcpKeepaliveInterval: number;
}

/**
 * libzmq takes whole numbers, -1 for the OS default and above 0 otherwise;
 * Salt's files allow floats (`300.0`), so a value is rounded, and one that is
 * not positive (0, -1) leaves the OS default.
 */
function osOr(n: number): number {
  if (!Number.isFinite(n) || n <= 0) return -1;
  return Math.max(1, Math.round(n));
}

/** Maps the config keys (Salt's defaults where absent) to socket options. */
export function keepaliveSocketOptions(k: Partial<TcpKeepaliveOpts> = {}): ZmqKeepaliveOptions {
  const o = { ...TCP_KEEPALIVE_DEFAULTS, ...k };
  return {
    tcpKeepalive: o.tcp_keepalive ? 1 : 0,
    tcpKeepaliveIdle: osOr(o.tcp_keepalive_idle),
    tcpKeepaliveCount: osOr(o.tcp_keepalive_cnt),
    tcpKeepaliveInterval: osOr(o.tcp_keepalive_intvl),
  };
}
