import type { MasterConfig } from '@tsalt/config';
import type { PluginContext, PluginDefinition } from '@tsalt/loader';
import type { WheelServices } from '@tsalt/wheel';
import type { EventRunnerServices } from './event-service.js';
import type { JobsRunnerServices } from './job-cache-service.js';
import type { LocalClientServices } from './local-client-service.js';
import type { MinionDataRunnerServices } from './minion-data-service.js';
import type { FileServerRunnerServices } from './fileserver-service.js';

/** Everything a daemon may inject into runners (manage.* also moves keys: the wheel's `keys`; cache.* reads `minionData`); each one is optional, and the runner that needs it says so. */
export type RunnerServices = JobsRunnerServices &
  LocalClientServices &
  EventRunnerServices &
  WheelServices &
  MinionDataRunnerServices &
  FileServerRunnerServices;

/** What a runner function sees: the master's compiled config and the runner services. */
export type RunnerContext = PluginContext<MasterConfig, RunnerServices>;

/** A runner module. */
export type RunnerPlugin = PluginDefinition<MasterConfig, RunnerServices>;
