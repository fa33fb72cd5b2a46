/** Messages between the master and its Publisher process (Node IPC). */
export interface PublisherInit {
  t: 'init';
  /** `tcp://<interface>:<publish_port>`. */
  address: string;
  /** `ipc://<sock_dir>/publish_pull.ipc`. */
  relayAddress: string;
  highWaterMark: number;
  backlog: number;
  logLevel: string;
}

export type FromPublisher = { t: 'ready' } | { t: 'error'; error: string };
