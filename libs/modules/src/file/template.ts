import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isRecord, pyStr } from '@tsalt/core';
import { render } from '@tsalt/render';
import type { ModuleContext } from '../context.js';
import { localSourcePath } from './source.js';
import { hashFile } from './stat-ops.js';
import { executionError, invocationError, isFile } from './util.js';

/** Salt's mkstemp prefix: temp files under this prefix are the module's own, removed after use. */
export const TEMP_PREFIX = '__salt.tmp.';

/** The template engines Salt's TEMPLATE_REGISTRY has that tsalt renders. */
const ENGINES = new Set(['jinja']);

/** A temp file holding `data`, in a private temp directory named with Salt's prefix. */
export function tempFile(data: string | Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), TEMP_PREFIX));
  const file = path.join(dir, 'file');
  fs.writeFileSync(file, data);
  return file;
}

/** Salt's `__clean_tmp`: removes `sfn` when it is one of our temp files (never a cached or local source). */
export function cleanTemp(sfn: string | null | undefined): void {
  if (!sfn) return;
  const dir = path.dirname(sfn);
  if (path.dirname(dir) === os.tmpdir() && path.basename(dir).startsWith(TEMP_PREFIX))
    fs.rmSync(dir, { recursive: true, force: true });
}

/** `defaults` updated with `context`, as Salt merges them (context wins). */
function mergedContext(context: unknown, defaults: unknown): Record<string, unknown> {
  if (context !== null && context !== undefined && !isRecord(context))
    throw invocationError('Context must be formed as a dict');
  if (defaults !== null && defaults !== undefined && defaults !== '' && !isRecord(defaults))
    throw invocationError('Defaults must be formed as a dict');
  return { ...(isRecord(defaults) ? defaults : {}), ...(isRecord(context) ? context : {}) };
}

/** The `salt` variable of a template or an SLS: this registry's functions. */
export function saltVar(ctx: Pick<ModuleContext, 'call' | 'registry'>): {
  has(f: string): boolean;
  call: ModuleContext['call'];
} {
  return { has: (f) => ctx.registry.has(f), call: (f, a, k) => ctx.call(f, a, k) };
}

/**
 * Renders `text` with the template engine `template`: Salt's variables
 * (grains, pillar, opts, salt, saltenv and the file's own: name, source,
 * user, group, mode) under `defaults` updated by `context`.
 * Returns the text, or the error message as Salt reports it.
 */
export async function renderTemplate(
  ctx: Pick<ModuleContext, 'call' | 'registry' | 'grains' | 'pillar' | 'opts'>,
  text: string,
  template: string,
  o: { file: string; context: unknown; defaults: unknown; saltenv: string; vars?: Record<string, unknown> },
): Promise<{ ok: true; data: string } | { ok: false; error: string }> {
  if (!ENGINES.has(template)) return { ok: false, error: `Specified template format ${template} is not supported` };
  let merged: Record<string, unknown>;
  try {
    merged = mergedContext(o.context, o.defaults);
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  const context: Record<string, unknown> = {
    ...o.vars,
    saltenv: o.saltenv,
    grains: ctx.grains,
    pillar: ctx.pillar,
    opts: ctx.opts,
    ...merged,
  };
  try {
    const out = await render(text, { file: o.file, renderer: template, context, salt: saltVar(ctx) });
    let data = out === null || out === undefined ? '' : pyStr(out);
    // Jinja drops the template's final newline; Salt puts it back.
    if (text.endsWith('\n')) data += '\n';
    return { ok: true, data };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** A source's scheme as Salt's urlparse sees it: '' for a plain path. */
export function sourceScheme(source: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source);
  return m ? m[1]!.toLowerCase() : '';
}

/** A `salt://path?saltenv=x` source's path and saltenv (null when the URL names none). */
function saltUrl(source: string): { path: string; saltenv: string | null } {
  const rest = source.slice('salt://'.length);
  const q = rest.indexOf('?');
  if (q === -1) return { path: rest, saltenv: null };
  const env = /(?:^|&)saltenv=([^&]*)/.exec(rest.slice(q + 1));
  return { path: rest.slice(0, q), saltenv: env ? decodeURIComponent(env[1]!) : null };
}

/**
 * Salt's `file.source_list`: of a list of sources (strings, or one-key
 * `{source: hash}` dicts), the first that exists, with its hash; a single
 * source is returned as is.
 */
export async function sourceList(
  ctx: Pick<ModuleContext, 'call' | 'registry'>,
  source: unknown,
  sourceHash: unknown,
  saltenv: string,
): Promise<[unknown, unknown]> {
  if (!Array.isArray(source)) return [source, sourceHash];
  const listing = new Map<string, Set<string>>();
  const has = async (p: string, env: string): Promise<boolean> => {
    if (!listing.has(env)) {
      const set = new Set<string>();
      if (ctx.registry.list('cp.list_master').length) {
        for (const f of (await ctx.call('cp.list_master', [env])) as string[]) set.add(f);
        for (const d of (await ctx.call('cp.list_master_dirs', [env])) as string[]) set.add(d);
      }
      listing.set(env, set);
    }
    return listing.get(env)!.has(p);
  };
  for (const single of source) {
    let src: string;
    let hash: unknown = sourceHash;
    if (isRecord(single)) {
      const keys = Object.keys(single);
      if (keys.length !== 1) continue;
      src = keys[0]!;
      if (single[src]) hash = single[src];
    } else if (typeof single === 'string') src = single;
    else continue;
    const scheme = sourceScheme(src);
    if (scheme === 'salt') {
      const u = saltUrl(src);
      if (await has(u.path, u.saltenv ?? saltenv)) return [src, hash];
    } else if (scheme === 'file' || scheme === '') {
      const local = localSourcePath(src);
      if (local && path.isAbsolute(local) && fs.existsSync(local)) return [src, hash];
    }
  }
  throw executionError('none of the specified sources were found');
}

export interface GetManagedOptions {
  name: string;
  template: unknown;
  source: string | null;
  sourceHash: unknown;
  user: unknown;
  group: unknown;
  mode: unknown;
  saltenv: string;
  context: unknown;
  defaults: unknown;
  skipVerify: boolean;
  sls?: unknown;
}

/**
 * Salt's `file.get_managed`: `[sfn, source_sum, comment]`. sfn is the
 * local copy to install ('' when manage_file is to fetch it), the rendered
 * template's temp file with `template`; comment is the error, when any.
 */
export async function getManaged(
  ctx: Pick<ModuleContext, 'call' | 'registry' | 'grains' | 'pillar' | 'opts'>,
  o: GetManagedOptions,
): Promise<[string, Record<string, string>, string]> {
  let sfn = '';
  let sum: Record<string, string> = {};
  const source = o.source;
  if (!source) return [sfn, sum, ''];
  const scheme = sourceScheme(source);
  if (scheme === '' || scheme === 'file') {
    sfn = localSourcePath(source) ?? source;
    if (!fs.existsSync(sfn)) return ['', {}, `Local file source ${sfn} does not exist`];
    sum = { hsum: hashFile(sfn, 'sha256'), hash_type: 'sha256' };
  } else if (scheme === 'salt') {
    const got = ctx.registry.list('cp.hash_file').length ? await ctx.call('cp.hash_file', [source, o.saltenv]) : null;
    if (!isRecord(got) || !got['hsum']) return ['', {}, `Source file ${source} not found in saltenv '${o.saltenv}'`];
    sum = { hsum: pyStr(got['hsum']), hash_type: pyStr(got['hash_type'] ?? 'sha256') };
  } else {
    return ['', {}, `Unable to manage file: the ${scheme}:// source scheme is not supported by tsalt`];
  }
  const noTemplate = o.template === null || o.template === undefined || o.template === '' || o.template === false;
  if (noTemplate) return [sfn, sum, ''];
  if (scheme === 'salt') {
    const cached = await ctx.call('cp.cache_file', [source, o.saltenv]);
    sfn = typeof cached === 'string' ? cached : '';
  }
  if (!sfn || !isFile(sfn)) return [sfn, {}, `Source file '${source}' not found`];
  if (sfn === o.name) throw invocationError('Source file cannot be the same as destination');
  const vars: Record<string, unknown> = { name: o.name, source, user: o.user, group: o.group, mode: o.mode };
  if (o.sls !== null && o.sls !== undefined) vars['sls'] = o.sls;
  const out = await renderTemplate(ctx, fs.readFileSync(sfn, 'utf8'), pyStr(o.template), {
    file: source,
    context: o.context,
    defaults: o.defaults,
    saltenv: o.saltenv,
    vars,
  });
  if (!out.ok) return [sfn, {}, out.error];
  const rendered = tempFile(out.data);
  return [rendered, { hash_type: 'sha256', hsum: hashFile(rendered, 'sha256') }, ''];
}
