import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PluginDefinition } from './types.js';
import { PluginLoadError } from './errors.js';

/**
 * Imports every plugin file in a folder: adding a module means adding a file.
 * A file exports its definition as `default`. Tests and index files are skipped.
 */
export async function loadPluginDir(dir: string): Promise<PluginDefinition[]> {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.js') && !f.endsWith('.test.js') && f !== 'index.js')
    .sort();
  const out: PluginDefinition[] = [];
  for (const f of files) {
    const file = path.join(dir, f);
    try {
      const mod = (await import(pathToFileURL(file).href)) as { default?: PluginDefinition };
      if (!mod.default || typeof mod.default.name !== 'string') throw new Error('no default plugin definition');
      out.push(mod.default);
    } catch (err) {
      throw new PluginLoadError(file, err);
    }
  }
  return out;
}
