/**
 * @tsalt/cli: tsalt, tsalt-run, tsalt-key and tsalt-call. Each `*Main(argv)`
 * returns Salt's exit code; the bins in `bin/` call them.
 */
export { saltMain } from './salt-cli.js';
export { runnerMain } from './run-cli.js';
export { keyMain } from './key-cli.js';
export { callMain } from './call-cli.js';
