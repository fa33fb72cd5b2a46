#!/usr/bin/env node
import { daemonMain } from '@tsalt/daemon';
import { DEFAULT_CONFIG_DIR, loadConfig } from '@tsalt/config';
import { Master } from '../master.js';

daemonMain({
  name: 'tsalt-master',
  description: 'The tsalt master daemon: publishes jobs, authenticates minions, gathers returns.',
  defaultConfigDir: DEFAULT_CONFIG_DIR,
  load: (dir, overrides, log) => loadConfig('master', dir, overrides, log),
  create: (opts, log) => new Master(opts, log),
});
