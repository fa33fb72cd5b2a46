import { Command } from 'commander';
import { createLogger, errorLine, type Logger } from '@tsalt/core';
import { daemonizeIfAsked, runUntilSignalled, writePidfile } from './daemon.js';
import { DAEMON_EXIT_CODES, DaemonError } from './errors.js';

/** What a daemon's options must carry for logging. */
export interface DaemonLogOpts {
  log_level: string;
  log_level_logfile: string;
  log_file: string;
  log_peer_max_chars?: number;
}

export interface Daemon {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface DaemonMainOptions<O extends DaemonLogOpts> {
  /** `tsalt-master`, `tsalt-minion`. */
  name: string;
  description: string;
  defaultConfigDir: string;
  /** Reads and validates the config; throws with one line naming the bad key. */
  load(configDir: string, overrides: Record<string, unknown>, log: Logger): O;
  create(opts: O, log: Logger): Daemon;
}

/**
 * The command line every tsalt daemon shares: `-c`, `-l`, `--log-file`,
 * `-d`, `--pid-file`. A bad config exits 2 with one line; the daemon then
 * runs until SIGINT/SIGTERM.
 */
export function daemonMain<O extends DaemonLogOpts>(d: DaemonMainOptions<O>): Daemon | undefined {
  const program = new Command(d.name)
    .description(d.description)
    .option('-c, --config-dir <dir>', `directory holding the config file`, d.defaultConfigDir)
    .option(
      '-l, --log-level <level>',
      'console log level: all, garbage, trace, debug, info, warning, error, critical, quiet',
    )
    .option('--log-file <file>', 'log file path (overrides log_file)')
    .option('-d, --daemon', 'run in the background')
    .option('--pid-file <file>', 'write the process id here')
    .version(process.env['npm_package_version'] ?? '0.1.0', '-V, --version');
  program.parse();
  const o = program.opts<{ configDir: string; logLevel?: string; logFile?: string; pidFile?: string }>();
  if (daemonizeIfAsked(process.argv)) process.exit(0);
  const overrides: Record<string, unknown> = {};
  if (o.logLevel) overrides['log_level'] = o.logLevel;
  if (o.logFile) overrides['log_file'] = o.logFile;
  let opts: O;
  try {
    // Warnings about the config itself (unknown keys) go to the console before logging is set up.
    opts = d.load(o.configDir, overrides, createLogger({ level: o.logLevel ?? 'warning', name: d.name }));
  } catch (err) {
    exitWith(d.name, new DaemonError('DAEMON_CONFIG', errorLine(err), { cause: err }));
  }
  const log = createLogger({
    level: opts.log_level,
    fileLevel: opts.log_level_logfile,
    logFile: opts.log_file,
    ...(opts.log_peer_max_chars !== undefined ? { maxStringChars: opts.log_peer_max_chars } : {}),
    name: d.name.replace(/^tsalt-/, ''),
  });
  const daemon = d.create(opts, log);
  writePidfile(o.pidFile);
  runUntilSignalled(log, () => daemon.stop(), o.pidFile);
  daemon.start().catch((err: unknown) => {
    exitWith(d.name, new DaemonError('DAEMON_START', `failed to start: ${errorLine(err)}`, { cause: err }));
  });
  return daemon;
}

/** One line on stderr, then the exit status of the error's code. */
function exitWith(name: string, err: DaemonError): never {
  process.stderr.write(`${name}: ${err.message}\n`);
  process.exit(DAEMON_EXIT_CODES[err.code]);
}
