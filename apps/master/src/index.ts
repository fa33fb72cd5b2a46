/**
 * @tsalt/master: the tsalt-master daemon.
 *
 *   const master = new Master(loadConfig('master', '/etc/tsalt'), log);
 *   await master.start();
 */
export { Master } from './master.js';
export { dropfilePath } from './session.js';
