/**
 * @tsalt/output: Salt's outputters (nested, highstate, json, yaml, raw, txt) as
 * plugins in the one loader shape, plus a synchronous renderer.
 *
 *   process.stdout.write(renderOutput('nested', { 'web-1': true }, { color: isTTY }) + '\n');
 *   // web-1:
 *   //     True
 */
export { renderOutput, OUTPUTTERS, outputterPlugins } from './registry.js';
export { type OutputOptions, type HighstateOptions, HIGHSTATE_KEYS } from './options.js';
export { stripColor } from './colors.js';
export { OutputError } from './errors.js';
