/**
 * @tsalt/daemon: the start-up every tsalt daemon shares. The command line
 * (`-c`, `-l`, `--log-file`, `-d`, `--pid-file`), the logger from the
 * config, the pidfile, running until SIGINT/SIGTERM, and the open-files
 * limit. Kept out of @tsalt/core so that core holds no CLI framework.
 *
 *   daemonMain({ name: 'tsalt-master', description, defaultConfigDir, load, create });
 *   raiseOpenFilesLimit(opts.max_open_files); // { soft, hard } in force afterwards
 */
export { daemonMain, type Daemon, type DaemonMainOptions, type DaemonLogOpts } from './daemon-main.js';
export { daemonizeIfAsked, writePidfile, runUntilSignalled } from './daemon.js';
export { openFilesLimit, raiseOpenFilesLimit, type OpenFilesLimit } from './fd-limit.js';
export { DaemonError, DAEMON_EXIT_CODES, type DaemonErrorCode } from './errors.js';
