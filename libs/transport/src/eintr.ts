/** Tries before an interrupted call is reported (each retry is immediate). */
const EINTR_TRIES = 10;

/**
 * Runs a synchronous libzmq call (a socket's creation, a connect) again when
 * a signal interrupted it. Any signal can (SIGPROF from `--cpu-prof`
 * arrives every millisecond), and a swarm process opening thousands of
 * sockets meets it often; libzmq leaves the retry to the caller.
 */
export function retryOnEintr<T>(call: () => T): T {
  for (let i = 1; ; i++) {
    try {
      return call();
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'EINTR' || i >= EINTR_TRIES) throw err;
    }
  }
}
