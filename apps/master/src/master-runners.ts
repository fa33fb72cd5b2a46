import type { MasterConfig } from '@tsalt/config';
import type { Logger } from '@tsalt/core';
import type { KeyStore } from '@tsalt/crypto';
import type { LocalClient } from '@tsalt/client';
import { Registry } from '@tsalt/loader';
import { jobCacheFrom, type JobCache } from '@tsalt/returners';
import { runnerPlugins, type RunnerFileServer, type RunnerMinionData } from '@tsalt/runners';

/** What the master's runners read: its key store, job cache, returners, minion data cache and file server. */
export interface MasterRunnerDeps {
  keys: KeyStore;
  jobCache: JobCache;
  returners: Registry;
  minionData?: RunnerMinionData;
  fileserver?: RunnerFileServer;
}

/**
 * The runner registry the master itself runs (the reactor's `runner.*`,
 * a minion's `saltutil.runner` under peer_run): the same services tsalt-run
 * gives, with `local` the LocalClient a publishing runner (manage.up) uses.
 */
export function masterRunners(opts: MasterConfig, d: MasterRunnerDeps, local: LocalClient, log: Logger): Registry {
  return new Registry(
    {
      kind: 'runner',
      opts,
      log,
      services: {
        jobCache: d.jobCache,
        jobCacheFor: (name: string) => jobCacheFrom(d.returners, name),
        local,
        keys: d.keys,
        ...(d.minionData ? { minionData: d.minionData } : {}),
        ...(d.fileserver ? { fileserver: d.fileserver } : {}),
      },
    },
    runnerPlugins(),
  );
}
