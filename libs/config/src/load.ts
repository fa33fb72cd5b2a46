import path from 'node:path';
import type { Logger } from '@tsalt/core';
import { MASTER_DEFAULTS, MINION_DEFAULTS, OPTIONAL_KEYS } from './defaults.js';
import { expandInclude, mergeConfig } from './include.js';
import { applyRootDir, ROOT_PATH_KEYS } from './paths.js';
import { validateOpts } from './schema.js';
import type { MasterOpts, MinionOpts, Role } from './types.js';
import { compileConfig, type MasterConfig, type MinionConfig } from './compile.js';
import { readConfigFile } from './yaml-file.js';

/** Where a value came from, for error messages. */
const FROM_OVERRIDES = 'the command line';
const FROM_DEFAULTS = 'the defaults';

/** Nested `include:` chains deeper than this are almost surely a loop. */
const MAX_INCLUDE_DEPTH = 8;

interface Layer {
  values: Record<string, unknown>;
  /** key -> file that last set it */
  sources: Map<string, string>;
}

interface LoadState {
  known: ReadonlySet<string>;
  log: Logger | undefined;
}

function defaultsFor(role: Role): Readonly<MasterOpts> | Readonly<MinionOpts> {
  return role === 'master' ? MASTER_DEFAULTS : MINION_DEFAULTS;
}

/** Reads one file, warns about keys this role does not know, records sources. */
function readLayer(file: string, st: LoadState): Layer | undefined {
  const values = readConfigFile(file);
  if (!values) return undefined;
  st.log?.debug({ file }, 'read config file');
  const sources = new Map<string, string>();
  for (const key of Object.keys(values)) {
    sources.set(key, file);
    // Dotted keys (`mysql.host`) belong to plugins, which validate them.
    if (!st.known.has(key) && !key.includes('.')) st.log?.warn(`unknown config key '${key}' in ${file}`);
  }
  return { values, sources };
}

/** The `include`/`default_include` value as a list, checked like any key. */
function includeList(key: string, value: unknown, file: string): string[] {
  if (value === undefined || value === null || value === '') return [];
  const probe: Record<string, unknown> = { [key]: value };
  validateOpts(probe, () => file);
  return typeof value === 'string' ? [value] : (value as string[]);
}

/**
 * Salt's include_config: every file matched by the patterns, in sorted order,
 * merged with mergeConfig (maps merge, lists append, scalars: later wins).
 * A file's own `include:` is read relative to that file.
 */
function loadIncludes(patterns: string[], baseDir: string, verbose: boolean, st: LoadState, depth: number): Layer {
  const out: Layer = { values: {}, sources: new Map() };
  for (const pattern of patterns) {
    const files = expandInclude(pattern, baseDir);
    if (files.length === 0 && verbose) st.log?.warn(`config include '${pattern}' matches no files`);
    for (const file of files) {
      const layer = readLayer(file, st);
      if (!layer) continue;
      const nested = includeList('include', layer.values['include'], file);
      if (nested.length > 0 && depth < MAX_INCLUDE_DEPTH) {
        const inner = loadIncludes(nested, path.dirname(file), true, st, depth + 1);
        Object.assign(layer.values, inner.values);
        for (const [k, src] of inner.sources) layer.sources.set(k, src);
      }
      mergeConfig(out.values, layer.values);
      for (const [k, src] of layer.sources) out.sources.set(k, src);
    }
  }
  return out;
}

/** Shallow "later wins" overlay, as Salt's `overrides.update(...)`. */
function overlay(dest: Layer, src: Layer): void {
  Object.assign(dest.values, src.values);
  for (const [k, s] of src.sources) dest.sources.set(k, s);
}

/**
 * Loads the configuration of a master or minion, Salt's way:
 * 1. `<configDir>/<role>` (a missing file means all defaults);
 * 2. the files matched by its `default_include` (`<role>.d/*.conf`), sorted,
 *    merged together, then laid over the main file (later wins);
 * 3. the files matched by its `include:` list, the same way;
 * 4. `overrides` (CLI flags); `undefined` values are skipped;
 * 5. defaults fill the rest, every known key is type-checked, `root_dir` is
 *    applied to the path keys, and `conf_file`/`config_dir` are set;
 * 6. the result is compiled (compileConfig): every duration also as `<key>_ms`.
 * Unknown keys are kept and logged as a warning through `log`.
 * @throws ConfigError on an unreadable file, bad YAML, or a wrong type or value.
 */
export function loadConfig(
  role: 'master',
  configDir: string,
  overrides?: Record<string, unknown>,
  log?: Logger,
): MasterConfig;
export function loadConfig(
  role: 'minion',
  configDir: string,
  overrides?: Record<string, unknown>,
  log?: Logger,
): MinionConfig;
export function loadConfig(
  role: Role,
  configDir: string,
  overrides?: Record<string, unknown>,
  log?: Logger,
): MasterConfig | MinionConfig;
export function loadConfig(
  role: Role,
  configDir: string,
  overrides: Record<string, unknown> = {},
  log?: Logger,
): MasterConfig | MinionConfig {
  const defaults = defaultsFor(role);
  const st: LoadState = {
    known: new Set([...Object.keys(defaults), ...OPTIONAL_KEYS[role]]),
    log,
  };
  const configDirAbs = path.resolve(configDir);
  const confFile = path.join(configDirAbs, role);

  const merged: Layer = readLayer(confFile, st) ?? { values: {}, sources: new Map() };
  const main = { ...merged.values };
  const defaultInclude = includeList('default_include', main['default_include'] ?? defaults.default_include, confFile);
  overlay(merged, loadIncludes(defaultInclude, configDirAbs, false, st, 0));
  overlay(merged, loadIncludes(includeList('include', main['include'], confFile), configDirAbs, true, st, 0));

  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    merged.values[key] = value;
    merged.sources.set(key, FROM_OVERRIDES);
  }

  const opts: Record<string, unknown> = { ...structuredClone(defaults), ...merged.values };
  opts['conf_file'] = confFile;
  opts['config_dir'] = configDirAbs;
  validateOpts(opts, (key) => merged.sources.get(key) ?? FROM_DEFAULTS);

  // Salt: an empty id means "work it out", and an unset file level follows the console level.
  if (opts['id'] === '') opts['id'] = defaults.id;
  if (!merged.sources.has('log_level_logfile')) opts['log_level_logfile'] = opts['log_level'];
  applyRootDir(opts, ROOT_PATH_KEYS[role]);
  return compileConfig(role, opts as MasterOpts | MinionOpts);
}
