import type { TcpKeepaliveOpts } from '@tsalt/transport';

/** Messages between the master and its Publisher process (Node IPC). */
export interface PublisherInit {
  t: 'init';
  /** `tcp://<interface>:<publish_port>`. */
  address: string;
  /** `ipc://<sock_dir>/publish_pull.ipc`. */
  relayAddress: string;
  highWaterMark: number;
  backlog: number;
  /** Salt's four `tcp_keepalive*` keys, for the PUB socket. */
  keepalive: TcpKeepaliveOpts;
  /** `pub_subscription_max_bytes`: the longest subscription topic the PUB applies. */
  subscriptionMaxBytes: number;
  logLevel: string;
}

export type FromPublisher = { t: 'ready' } | { t: 'error'; error: string };
