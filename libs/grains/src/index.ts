/**
 * @tsalt/grains: Salt's core grains (os, kernel, cpu, memory, network, dns,
 * DMI, the process's user...) with Salt's names and value shapes, and the
 * custom grains from `grains:` in the config and `<config_dir>/grains`.
 *
 *   const grains = loadGrains({ id: opts.id, configDir: opts.config_dir, configured: opts.grains, log });
 *   writeGrainsFile(grainsFilePath(opts.config_dir), { role: 'web' });   // what grains.setval does
 *
 * Each collector is a small function over a Host (the files, commands and
 * OS facts it reads), so tests give it a fake one.
 */
export { coreGrains, COLLECTORS, SALT_VERSION, SALT_VERSION_INFO, type CoreGrainsOptions } from './core-grains.js';
export { grainsFilePath, loadGrains, readGrainsFile, writeGrainsFile, type LoadGrainsOptions } from './custom.js';
export { realHost, type Host } from './host.js';
export { GrainsFileError } from './errors.js';
export type { Collector, Grains } from './types.js';
