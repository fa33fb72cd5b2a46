/**
 * @tsalt/config: Salt-compatible master and minion configuration, read and
 * validated once at startup. The rest of the code trusts the result.
 *
 *   const opts = loadConfig('master', program.configDir ?? DEFAULT_CONFIG_DIR, { log_level: cli.logLevel }, log);
 *   opts.ret_port;              // 4506 unless configured
 *   opts.timeout_ms;            // every duration also in ms: the compiled form
 *   opts.keep_jobs_ms;          // job cache retention, ms
 *
 * Files: `<dir>/<role>`, then `<dir>/<role>.d/*.conf` (sorted; later wins),
 * then `include:`; overrides last. Errors are ConfigError with a one-line message.
 */
export type { Role, CommonOpts, MasterOpts, MinionOpts, MasterOptions, MinionOptions } from './types.js';
export {
  DEFAULT_CONFIG_DIR,
  MASTER_DEFAULTS,
  MINION_DEFAULTS,
  OPTIONAL_KEYS,
  RETURNER_NAMESPACES,
} from './defaults.js';
export { loadConfig } from './load.js';
export {
  compileConfig,
  masterConfig,
  minionConfig,
  MASTER_DURATIONS,
  MINION_DURATIONS,
  type MasterConfig,
  type MinionConfig,
} from './compile.js';
export { ConfigError, CONFIG_INVALID, CONFIG_PARSE, CONFIG_READ } from './errors.js';
export { keepJobsSeconds, optionList } from './opt-helpers.js';
export { KEY_SPECS, LOG_LEVELS, validateOpts, type KeySpec } from './schema.js';
export { applyRootDir, ROOT_PATH_KEYS } from './paths.js';
export { readConfigFile } from './yaml-file.js';
