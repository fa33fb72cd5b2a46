#!/usr/bin/env node
import { errorLine } from '@tsalt/core';
import { daemonMain } from '@tsalt/daemon';
import { DEFAULT_CONFIG_DIR, loadConfig } from '@tsalt/config';
import { Minion } from '../minion.js';

/** Salt's EX_NOPERM: the master rejected this minion's key. */
const EX_NOPERM = 77;

daemonMain({
  name: 'tsalt-minion',
  description: 'The tsalt minion daemon: runs the jobs its master publishes.',
  defaultConfigDir: DEFAULT_CONFIG_DIR,
  load: (dir, overrides, log) => loadConfig('minion', dir, overrides, log),
  create: (opts, log) => {
    const minion = new Minion(opts, log);
    minion.onFatal = (err) => {
      log.fatal(errorLine(err));
      process.stderr.write(`tsalt-minion: ${errorLine(err)}\n`);
      void minion.stop().finally(() => process.exit(EX_NOPERM));
    };
    return minion;
  },
});
