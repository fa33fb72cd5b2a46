#!/usr/bin/env node
import { Command } from 'commander';
import { createLogger, daemonizeIfAsked, errorLine, runUntilSignalled, writePidfile } from '@tsalt/core';
import { DEFAULT_CONFIG_DIR, loadConfig } from '@tsalt/config';
import { Master } from '../master.js';

const program = new Command('tsalt-master')
  .description('The tsalt master daemon: publishes jobs, authenticates minions, gathers returns.')
  .option('-c, --config-dir <dir>', 'directory holding the master config file', DEFAULT_CONFIG_DIR)
  .option('-l, --log-level <level>', 'console log level: all, garbage, trace, debug, info, warning, error, critical, quiet')
  .option('--log-file <file>', 'log file path (overrides log_file)')
  .option('-d, --daemon', 'run in the background')
  .option('--pid-file <file>', 'write the process id here')
  .version(process.env['npm_package_version'] ?? '0.1.0', '-V, --version');
program.parse();
const o = program.opts<{ configDir: string; logLevel?: string; logFile?: string; daemon?: boolean; pidFile?: string }>();

if (daemonizeIfAsked(process.argv)) process.exit(0);

const overrides: Record<string, unknown> = {};
if (o.logLevel) overrides['log_level'] = o.logLevel;
if (o.logFile) overrides['log_file'] = o.logFile;
let opts;
try {
  // Warnings about the config itself (unknown keys) go to the console before logging is set up.
  opts = loadConfig('master', o.configDir, overrides, createLogger({ level: o.logLevel ?? 'warning', name: 'master' }));
} catch (err) {
  process.stderr.write(`tsalt-master: ${errorLine(err)}\n`);
  process.exit(2);
}
const log = createLogger({ level: opts.log_level, fileLevel: opts.log_level_logfile, logFile: opts.log_file, name: 'master' });
const master = new Master(opts, log);
writePidfile(o.pidFile);
runUntilSignalled(log, () => master.stop(), o.pidFile);
master.start().catch((err: unknown) => {
  process.stderr.write(`tsalt-master: failed to start: ${errorLine(err)}\n`);
  process.exit(1);
});
