import { coreGrains as collect } from '@tsalt/grains';

/**
 * Core grains with `grains:` from a config over them, for callers that have
 * no grains file (the master's reactor, tsalt-swarm's emulated minions). A
 * minion uses @tsalt/grains' loadGrains, which reads `<config_dir>/grains` too.
 */
export function coreGrains(id: string, configured: Record<string, unknown>): Record<string, unknown> {
  return { ...collect({ id }), ...configured };
}
