import path from 'node:path';

/**
 * The master's request socket for clients on its own host (tsalt, tsalt-run,
 * the batch runner): the same requests as on `ret_port`, over IPC in
 * `sock_dir`. A flood on the network port cannot crowd them out, and only
 * the master's user can reach it (sock_dir is 0700).
 */
export function localRequestAddress(sockDir: string): string {
  return `ipc://${path.join(sockDir, 'local_req.ipc')}`;
}
