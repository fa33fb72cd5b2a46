#!/usr/bin/env node
import { Command } from 'commander';
import { createLogger, daemonizeIfAsked, errorLine, runUntilSignalled, writePidfile } from '@tsalt/core';
import { DEFAULT_CONFIG_DIR, loadConfig } from '@tsalt/config';
import { Minion } from '../minion.js';

/** Salt's EX_NOPERM: the master rejected this minion's key. */
const EX_NOPERM = 77;

const program = new Command('tsalt-minion')
  .description('The tsalt minion daemon: runs the jobs its master publishes.')
  .option('-c, --config-dir <dir>', 'directory holding the minion config file', DEFAULT_CONFIG_DIR)
  .option('-l, --log-level <level>', 'console log level: all, garbage, trace, debug, info, warning, error, critical, quiet')
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
let opts;
try {
  // Warnings about the config itself (unknown keys) go to the console before logging is set up.
  opts = loadConfig('minion', o.configDir, overrides, createLogger({ level: o.logLevel ?? 'warning', name: 'minion' }));
} catch (err) {
  process.stderr.write(`tsalt-minion: ${errorLine(err)}\n`);
  process.exit(2);
}
const log = createLogger({ level: opts.log_level, fileLevel: opts.log_level_logfile, logFile: opts.log_file, name: 'minion' });
const minion = new Minion(opts, log);
minion.onFatal = (err) => {
  log.fatal(errorLine(err));
  process.stderr.write(`tsalt-minion: ${errorLine(err)}\n`);
  void minion.stop().finally(() => process.exit(EX_NOPERM));
};
writePidfile(o.pidFile);
runUntilSignalled(log, () => minion.stop(), o.pidFile);
minion.start().catch((err: unknown) => {
  process.stderr.write(`tsalt-minion: failed to start: ${errorLine(err)}\n`);
  process.exit(1);
});
