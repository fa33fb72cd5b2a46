import fs from 'node:fs/promises';
import type { MinionConfig } from '@tsalt/config';
import { isRecord, type Logger } from '@tsalt/core';
import { normalizeNodegroups, topPath } from '@tsalt/pillar';
import { Constant, renderFile, type SaltFunctions, type TemplateLoader } from '@tsalt/render';
import type { HighData, LowChunk, StateFileClient } from '../types.js';
import { applyExclude, reconcileExtend } from './extend.js';
import { compileHighData } from './low-chunks.js';
import { requisiteIn } from './requisite-in.js';
import { SlsRenderer, type SlsSource } from './sls-render.js';
import { readStateTop, type TopMatches, type TopResult } from './state-top.js';
import { verifyHigh, type Dict } from './verify-high.js';

export type { TopMatches, TopResult } from './state-top.js';
export type { SlsSource } from './sls-render.js';

/** What the compiler needs for one minion's run. */
export interface CompileOptions {
  /** The minion's options: `file_roots` (its keys are the saltenvs), `state_top`, `renderer`, `state_auto_order`... */
  opts: MinionConfig;
  id: string;
  grains: Readonly<Record<string, unknown>>;
  /** The pillar the SLS files see (with any `pillar=` override merged in). */
  pillar: Readonly<Record<string, unknown>>;
  /** `salt['mod.fun'](...)` in SLS templates: the minion's execution modules. */
  salt: SaltFunctions;
  fileClient: StateFileClient;
  log: Logger;
  /** `saltenv=` of the call (or the `saltenv` config key); null: every environment the top names. */
  saltenv: string | null;
  /** The saltenvs the file server has, `base` first; default: `base` and the keys of `opts.file_roots`. */
  envs?: readonly string[];
}

/** Rendered states, or Salt's error strings (a run with errors runs nothing). */
export interface HighResult {
  high: HighData;
  errors: string[];
}

/** Ordered chunks, or Salt's error strings. */
export interface LowResult {
  chunks: LowChunk[];
  errors: string[];
}

function optString(v: unknown): string | null {
  return typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : null;
}

/**
 * Salt's State/HighState compiler for one minion: the top file, SLS files
 * rendered through @tsalt/render from the file client, include and
 * extend, names, use, requisites' `_in` forms, order, exclude.
 * One instance per run: SLS listings and the auto-order counter live in it.
 */
export class StateCompiler {
  private readonly avails = new Map<string, Promise<string[]>>();
  private optsVar: Constant | undefined;

  constructor(readonly o: CompileOptions) {}

  /** Salt's _get_envs: `base`, then the other saltenvs; `env_order` when set. */
  envs(): string[] {
    const envs = ['base'];
    const given = this.o.envs ?? (isRecord(this.o.opts.file_roots) ? Object.keys(this.o.opts.file_roots) : []);
    for (const e of given) if (!envs.includes(e)) envs.push(e);
    const order = this.o.opts['env_order'];
    if (Array.isArray(order) && order.length) {
      const wanted = [...new Set(order.map(String))];
      return this.o.envs ? wanted.filter((e) => envs.includes(e)) : wanted;
    }
    return envs;
  }

  /** The SLS names of a saltenv, from the file server's list (`a/b.sls` is `a.b`, `a/init.sls` is `a`). */
  avail(env: string): Promise<string[]> {
    let hit = this.avails.get(env);
    if (!hit) {
      hit = this.o.fileClient.list('_file_list', env).then(
        (files) => {
          const out = new Set<string>();
          for (const f of files) {
            if (!f.endsWith('.sls')) continue;
            const parts = f.slice(0, -4).split('/');
            if (parts[parts.length - 1] === 'init' && parts.length > 1) parts.pop();
            out.add(parts.join('.'));
          }
          return [...out].sort();
        },
        () => [],
      );
      this.avails.set(env, hit);
    }
    return hit;
  }

  /** The SLS names this minion's top assigns it, per environment (errors are logged; see readTop). */
  async top(): Promise<TopMatches> {
    const r = await this.readTop();
    for (const e of [...r.errors, ...r.renderErrors]) this.o.log.error(`state top: ${e}`);
    return r.matches;
  }

  /** The top's matches with Salt's verify_tops errors and any top render failure. */
  readTop(): Promise<TopResult> {
    const opts = this.o.opts;
    const top = topPath(typeof opts.state_top === 'string' ? opts.state_top : 'top.sls');
    return readStateTop({
      envs: this.envs(),
      strategy: optString(opts['top_file_merging_strategy']) ?? 'merge',
      defaultTop: optString(opts['default_top']) ?? 'base',
      stateTopSaltenv: optString(opts['state_top_saltenv']),
      saltenv: this.o.saltenv,
      nodegroups: normalizeNodegroups(opts['nodegroups']),
      minion: { id: this.o.id, grains: { ...this.o.grains }, pillar: { ...this.o.pillar } },
      log: this.o.log,
      renderTop: async (env) => {
        const file = await this.o.fileClient.cacheFile(`salt://${top}`, env);
        return file ? this.renderOne({ file, path: top }, '', env) : undefined;
      },
      renderTopSls: async (sls, env) => {
        const src = await this.find(sls, env);
        return src ? this.renderOne(src, sls, env) : undefined;
      },
      avail: (env) => this.avail(env),
    });
  }

  /** `a.b` as salt://a/b.sls, else salt://a/b/init.sls (Salt's get_state). */
  async find(sls: string, env: string): Promise<SlsSource | null> {
    if (!sls || sls.split('.').some((p) => p === '' || p === '..')) return null;
    const base = sls.replaceAll('.', '/');
    for (const path of [`${base}.sls`, `${base}/init.sls`]) {
      const file = await this.o.fileClient.cacheFile(`salt://${path}`, env);
      if (file) return { file, path };
    }
    return null;
  }

  /** The variables an SLS sees, as Salt's generate_sls_context sets them. */
  private context(src: SlsSource, sls: string, env: string): Record<string, unknown> {
    const tplfile = sls ? src.path : src.path.split('/').pop()!;
    const slspath = tplfile.includes('/') ? tplfile.slice(0, tplfile.lastIndexOf('/')) : '';
    this.optsVar ??= new Constant({ ...this.o.opts, id: this.o.id });
    return {
      grains: this.o.grains,
      pillar: this.o.pillar,
      opts: this.optsVar,
      saltenv: env,
      sls,
      tplpath: src.file,
      tplfile,
      tpldir: slspath || '.',
      tpldot: slspath.replaceAll('/', '.'),
      slspath,
      slsdotpath: slspath.replaceAll('/', '.'),
      slscolonpath: slspath.replaceAll('/', ':'),
      sls_path: slspath.replaceAll('/', '_'),
    };
  }

  /** `{% import %}` / `{% include %}` in an SLS: salt:// files of the same saltenv. */
  private loader(src: SlsSource, env: string): TemplateLoader {
    return {
      name: src.path,
      load: async (name) => {
        const file = await this.o.fileClient.cacheFile(`salt://${name}`, env);
        return file ? { source: await fs.readFile(file, 'utf8'), file: `salt://${name}` } : null;
      },
    };
  }

  private renderOne(src: SlsSource, sls: string, env: string): Promise<unknown> {
    const renderer = typeof this.o.opts.renderer === 'string' ? this.o.opts.renderer : undefined;
    return renderFile(src.file, {
      ...(renderer ? { renderer } : {}),
      context: this.context(src, sls, env),
      salt: this.o.salt,
      loader: this.loader(src, env),
    });
  }

  /**
   * Renders `mods` of each environment, with their includes, into one
   * HighData: extend applied, `__exclude__` (from SLS `exclude:`) kept for
   * compile(). Missing SLS, render failures and malformed SLS come back in
   * `errors` as Salt's strings.
   */
  async render(mods: TopMatches): Promise<HighResult> {
    const renderer = new SlsRenderer({
      envs: this.envs(),
      avail: (env) => this.avail(env),
      find: (sls, env) => this.find(sls, env),
      render: (src, sls, env) => this.renderOne(src, sls, env),
      autoOrder: this.o.opts['state_auto_order'] !== false,
    });
    const { high, errors } = await renderer.renderHighstate(mods);
    return { high: high as HighData, errors };
  }

  /**
   * HighData as ordered low chunks (Salt's call_high up to compile_high_data):
   * extend, verify_high, requisite_in, exclude, then one chunk per name and
   * function. `exclude` is Salt's list of `{sls: ...}` / `{id: ...}` or plain
   * sls names (a comma-separated string too), added to the SLS files' own.
   * Does not modify `high`.
   */
  compile(high: HighData, exclude: readonly unknown[] | string = []): LowResult {
    const data = structuredClone(high) as Dict;
    const extra = typeof exclude === 'string' ? exclude.split(',').filter(Boolean) : [...exclude];
    const own: unknown = data['__exclude__'];
    if (extra.length) data['__exclude__'] = [...(Array.isArray(own) ? (own as unknown[]) : []), ...extra];
    const errors = reconcileExtend(data);
    errors.push(...verifyHigh(data));
    if (errors.length) return { chunks: [], errors };
    const disabled: unknown = this.o.opts['disabled_requisites'];
    const off = Array.isArray(disabled) ? disabled.map(String) : typeof disabled === 'string' ? [disabled] : [];
    errors.push(...requisiteIn(data, off));
    applyExclude(data);
    if (errors.length) return { chunks: [], errors };
    return { chunks: compileHighData(data), errors: [] };
  }
}
