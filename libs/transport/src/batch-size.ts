import type { Socket } from 'zeromq';

/** libzmq's ZMQ_IN_BATCH_SIZE and ZMQ_OUT_BATCH_SIZE (draft options, libzmq >= 4.3.3). */
const ZMQ_IN_BATCH_SIZE = 101;
const ZMQ_OUT_BATCH_SIZE = 102;

/**
 * Per-connection read and write buffers for a socket with thousands of
 * peers (bytes). libzmq's default, 8 KB each way, costs the master ~86 MB
 * of RSS on the request port at 10,000 minions; our requests are mostly
 * under 1 KB, and larger
 * messages go straight to and from their own buffers, not through these.
 */
const MANY_PEERS_BATCH_BYTES = 1024;

/** Shrinks the per-peer buffers before bind; a libzmq without draft options keeps its defaults. */
export function useSmallPeerBuffers(sock: Socket): void {
  const raw = sock as unknown as { setInt32Option(option: number, value: number): void };
  try {
    raw.setInt32Option(ZMQ_IN_BATCH_SIZE, MANY_PEERS_BATCH_BYTES);
    raw.setInt32Option(ZMQ_OUT_BATCH_SIZE, MANY_PEERS_BATCH_BYTES);
  } catch {
    // Not built with draft options: 8 KB per peer each way, as before.
  }
}
