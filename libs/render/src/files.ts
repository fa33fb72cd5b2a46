import fs from 'node:fs';
import { errorLine } from '@tsalt/core';
import { RenderReadError } from './errors.js';
import {
  compileSource,
  DEFAULT_RENDERER,
  renderCompiled,
  renderCompiledSync,
  type CompiledSource,
  type RenderContext,
} from './pipeline.js';
import type { SaltFunctions } from './salt.js';
import type { TemplateLoader } from './jinja/imports.js';

/*
 * Rendering files, with their compiled form cached: a file is re-read when
 * its mtime or size changes, and checked at most once a second (one stat
 * per event is a measurable share of a reaction at 1,000 events/s).
 */

export interface RenderFileOptions {
  context?: RenderContext;
  salt?: SaltFunctions;
  /** The pipeline for a file with no `#!` line; `jinja|yaml` when absent. */
  renderer?: string;
  /** What the file is, for the read error: `cannot read the reactor SLS`. Default `SLS`. */
  label?: string;
  /** Where `{% include %}`, `{% import %}` and `{% from %}` find templates (see RenderOptions). */
  loader?: TemplateLoader;
}

interface Cached {
  /** When the file was last checked for changes (ms since the epoch). */
  checkedAt: number;
  mtimeMs: number;
  size: number;
  compiled: CompiledSource;
}

// How often a cached file is checked for changes (ms), and how many compiled files are kept.
const CHECK_EVERY_MS = 1000;
const CACHE_MAX = 256;
const cache = new Map<string, Cached>();

/** Loads and compiles `file`, reusing the last compile while the file is unchanged. */
export function compileFile(file: string, renderer = DEFAULT_RENDERER, label = 'SLS'): CompiledSource {
  const now = Date.now();
  const key = `${renderer}\0${file}`;
  const hit = cache.get(key);
  if (hit && now - hit.checkedAt < CHECK_EVERY_MS) return hit.compiled;
  let st: fs.Stats;
  let source: string;
  try {
    st = fs.statSync(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) {
      hit.checkedAt = now;
      return hit.compiled;
    }
    source = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new RenderReadError(`${file}: cannot read the ${label}: ${errorLine(err)}`, { cause: err });
  }
  // A syntax error is not cached: the next render reads the (maybe fixed) file again.
  const entry: Cached = {
    checkedAt: now,
    mtimeMs: st.mtimeMs,
    size: st.size,
    compiled: compileSource(source, file, renderer),
  };
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, entry);
  return entry.compiled;
}

/** Renders a file through its pipeline (see renderCompiled). @throws RenderError */
export async function renderFile(file: string, options: RenderFileOptions = {}): Promise<unknown> {
  return renderCompiled(
    compileFile(file, options.renderer, options.label),
    options.context,
    options.salt,
    options.loader,
  );
}

/** Renders a file synchronously (see renderCompiledSync). @throws RenderError */
export function renderFileSync(file: string, options: RenderFileOptions = {}): unknown {
  return renderCompiledSync(
    compileFile(file, options.renderer, options.label),
    options.context,
    options.salt,
    options.loader,
  );
}
