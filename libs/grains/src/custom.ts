import path from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { errorLine, isRecord, readIfExists, writeFileAtomic, type Logger } from '@tsalt/core';
import { coreGrains, type CoreGrainsOptions } from './core-grains.js';
import { GrainsFileError } from './errors.js';
import type { Grains } from './types.js';

/** Salt's static grains file: `grains` beside the minion config file. */
export function grainsFilePath(configDir: string): string {
  return path.join(configDir, 'grains');
}

/**
 * Reads the grains file: {} when it is missing or empty.
 * @throws GrainsFileError when it is not YAML, or not a mapping
 */
export function readGrainsFile(file: string): Grains {
  let text: string | undefined;
  try {
    text = readIfExists(file)?.toString('utf8');
  } catch (err) {
    throw new GrainsFileError(`${file}: cannot read the grains file (${errorLine(err)})`, { cause: err });
  }
  if (text === undefined) return {};
  const doc = parseDocument(text, { version: '1.1', prettyErrors: false });
  const first = doc.errors[0];
  if (first) throw new GrainsFileError(`${file}: not YAML: ${first.message.split('\n')[0] ?? ''}`, { cause: first });
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return {};
  if (!isRecord(data)) throw new GrainsFileError(`${file}: the grains file must be a mapping of grain: value`);
  return data;
}

/** Writes the grains file as block YAML (as Salt's safe_dump with default_flow_style=False). */
export function writeGrainsFile(file: string, grains: Grains): void {
  const text = Object.keys(grains).length === 0 ? '{}\n' : stringify(grains, { version: '1.1' });
  writeFileAtomic(file, text, 0o644);
}

export interface LoadGrainsOptions extends Omit<CoreGrainsOptions, 'log'> {
  /** The folder holding the minion config (Salt's dirname of conf_file); its `grains` file is read. */
  configDir?: string;
  /** `grains:` from the minion config. */
  configured?: Grains;
  log: Logger;
}

/**
 * All of a minion's grains, in Salt's order of precedence: core grains,
 * then the grains file, then `grains:` from the config. A grains file
 * that is not YAML logs one line and adds nothing.
 */
export function loadGrains(o: LoadGrainsOptions): Grains {
  const grains = coreGrains({ ...o, log: o.log });
  if (o.configDir !== undefined) {
    try {
      Object.assign(grains, readGrainsFile(grainsFilePath(o.configDir)));
    } catch (err) {
      o.log.warn(`Bad syntax in grains file! Skipping. ${errorLine(err)}`);
    }
  }
  Object.assign(grains, o.configured ?? {});
  return grains;
}
