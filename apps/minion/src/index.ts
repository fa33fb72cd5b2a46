/**
 * @tsalt/minion: the tsalt-minion daemon.
 *
 *   const minion = new Minion(loadConfig('minion', '/etc/tsalt'), log);
 *   await minion.start();
 */
export { Minion } from './minion.js';
export { runJob, type JobReturn } from './executor.js';

