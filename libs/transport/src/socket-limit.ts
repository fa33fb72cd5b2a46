import { context } from 'zeromq';

/**
 * libzmq refuses a context's 1,024th socket by default; a master with
 * thousands of minions needs none (the ROUTER and PUB hold the peers), but
 * tsalt-swarm opens two per emulated minion. Raises, never lowers, the cap.
 */
export function ensureSocketCapacity(sockets: number): void {
  if (context.maxSockets < sockets) context.maxSockets = sockets;
}

/** The libzmq version this process links (the `zmqversion` grain). */
export { version as zmqVersion } from 'zeromq';
