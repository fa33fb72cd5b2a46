/**
 * @tsalt/master: the tsalt-master daemon.
 *
 *   const master = new Master(loadConfig('master', '/etc/tsalt'), log);
 *   await master.start();
 */
export { Master } from './master.js';
export { dropfilePath, SessionKeys } from './session.js';
// The request port's handlers, for driving a master without its processes (unit tests over MemoryTransport).
export { handleAuth, handleAuthRequest, type AuthDeps } from './auth-handler.js';
export { handleAes, type AesDeps } from './aes-funcs.js';
export { JobTargets } from './job-targets.js';
export { RequestReplayGuard, requestReplayGuard } from './request-replay.js';
