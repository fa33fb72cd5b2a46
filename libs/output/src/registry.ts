/**
 * The outputters, imported statically: the CLI renders on every run, and a
 * directory scan plus dynamic imports would cost start-up time.
 */
import { bindArgs, type PluginContext, type PluginDefinition } from '@tsalt/loader';
import { silentLogger } from '@tsalt/core';
import { unknownOutputter } from './errors.js';
import { optionsToKwargs, type OutputOptions } from './options.js';
import highstate from './outputters/highstate.js';
import json from './outputters/json.js';
import nested from './outputters/nested.js';
import raw from './outputters/raw.js';
import txt from './outputters/txt.js';
import yaml from './outputters/yaml.js';

const PLUGINS: readonly PluginDefinition[] = [nested, highstate, json, yaml, raw, txt];

const BY_NAME = new Map(PLUGINS.map((p) => [p.name, p]));

/** Outputter names, default (`nested`) first. */
export const OUTPUTTERS: readonly string[] = PLUGINS.map((p) => p.name);

/** The plugin definitions, for a Registry of kind 'outputter' (sys.list_outputters). */
export function outputterPlugins(): PluginDefinition[] {
  return [...PLUGINS];
}

let ctx: PluginContext | undefined;

/** Outputters are pure; they get a context only because the plugin shape has one. */
function outputContext(): PluginContext {
  ctx ??= {
    opts: {},
    grains: {},
    pillar: {},
    log: silentLogger(),
    call: () => Promise.reject(new Error('outputters cannot call other functions')),
    context: {},
    registry: {
      has: () => false,
      list: () => [...OUTPUTTERS],
      modules: () => [...OUTPUTTERS],
      doc: () => ({}),
      missing: () => ({}),
    },
    services: {},
  };
  return ctx;
}

/**
 * Renders `data` with the named outputter, synchronously, without a
 * trailing newline. Throws OutputError('UNKNOWN_OUTPUTTER') for unknown names.
 */
export function renderOutput(name: string, data: unknown, opts: OutputOptions = {}): string {
  const plugin = BY_NAME.get(name);
  const spec = plugin?.functions['output'];
  if (spec === undefined) throw unknownOutputter(name, OUTPUTTERS);
  const args = bindArgs(`${name}.output`, spec, [data], optionsToKwargs(opts));
  return String(spec.fn(outputContext(), args));
}
