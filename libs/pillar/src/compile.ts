import { setImmediate as nextTurn } from 'node:timers/promises';
import { errorLine, fnmatch, isRecord, pyRepr, type Logger } from '@tsalt/core';
import { Constant, RenderError, compileFile, renderCompiled, type CompiledSource } from '@tsalt/render';
import {
  BadIncludeError,
  EnvMissingError,
  type PillarError,
  SlsMissingError,
  SlsNotDictError,
  SlsRenderError,
} from './errors.js';
import { cloneData, mergePillar, mergePillarInto } from './merge.js';
import { rootsFor, type PillarOptions } from './options.js';
import { findFile, findSls, isPattern, lineNaming, listSls } from './sls-files.js';
import { mergeTops, topMatches, type MatchedSls, type TopSource } from './top.js';

type Dict = Record<string, unknown>;

/** What a minion's `_pillar` request asks for, already checked. */
export interface PillarRequest {
  id: string;
  grains: Dict;
  saltenv?: string | null | undefined;
  pillarenv?: string | null | undefined;
  /** Merged over the compiled pillar (`state.apply pillar=...`); also what the top file's `I@` terms see. */
  pillarOverride?: Dict | undefined;
}

/**
 * Salt's Pillar.compile_pillar on the master, one minion at a time: the top
 * files of every environment, the SLS files this minion matches, rendered
 * with its grains, merged. Nothing is shared between two compiles but the
 * compiled templates (`@tsalt/render` caches them per file) and the list of
 * SLS names under each root (1 s), so each minion's pillar is its own.
 *
 *   const pillar = await new PillarCompiler(pillarOptions(opts), log).compile({ id, grains });
 *
 * Never throws for a broken SLS: Salt's `_errors` list says what went wrong.
 */
export class PillarCompiler {
  constructor(
    private readonly o: PillarOptions,
    private readonly log: Logger,
  ) {}

  compile(req: PillarRequest): Promise<Dict> {
    return new CompileRun(this.o, req, this.log.child({ minion: req.id })).run();
  }
}

/** Where a name was written, for the log line of a missing SLS. */
interface NamedIn {
  file: string | undefined;
  written: string;
}

class CompileRun {
  private readonly id: string;
  private readonly grains: Dict;
  private readonly override: Dict;
  private readonly pillarenv: string | null;
  private readonly saltenv: string | null;
  private readonly roots: Record<string, string[]>;
  private opts: Constant | undefined;
  private readonly errors: PillarError[] = [];
  private ignoreMissing = new Map<string, Set<string>>();
  private pillar: Dict = {};

  constructor(
    private readonly o: PillarOptions,
    req: PillarRequest,
    private readonly log: Logger,
  ) {
    // Salt sets the grain `id` to the id the minion signed in with, whatever it sent.
    this.grains = { ...req.grains, id: req.id };
    this.override = req.pillarOverride ?? {};
    this.saltenv = req.saltenv ?? null;
    this.pillarenv = req.pillarenv ?? (o.pillarenvFromSaltenv ? this.saltenv : o.pillarenv);
    this.roots = rootsFor(o.roots, this.pillarenv || this.saltenv || 'base');
    this.id = req.id;
  }

  /**
   * Renders one file. `opts` (the master's options, ~1 ms to convert) is
   * built once per compile, and only for a template that names it.
   */
  private async renderOne(file: string, label: string, context: Dict): Promise<unknown> {
    const compiled = compileFile(file, this.o.renderer, label);
    if (namesOpts(compiled)) this.opts ??= new Constant({ ...this.o.opts, id: this.id });
    return renderCompiled(compiled, this.opts ? { ...context, opts: this.opts } : context);
  }

  async run(): Promise<Dict> {
    const topErrors: PillarError[] = [];
    const top = mergeTops(await this.readTops(topErrors), topErrors);
    this.ignoreMissing = top.ignoreMissing;
    const minion = { id: String(this.grains['id']), grains: this.grains, pillar: this.override };
    const matched = topMatches(top, minion, {
      pillarenv: this.pillarenv,
      nodegroups: this.o.nodegroups,
      log: this.log,
    });
    this.pillar = cloneData(this.override);
    await this.renderPillar(matched);
    for (const e of topErrors) this.report(e);
    const errors = [...this.errors, ...topErrors];
    let pillar = this.pillar;
    if (this.o.pillarOpts) {
      const { grains: _g, ...master } = this.o.opts;
      pillar['master'] = cloneData(master);
    }
    if (errors.length) pillar['_errors'] = errors.map((e) => e.message);
    if (Object.keys(this.override).length) pillar = this.merge(pillar, this.override);
    return pillar;
  }

  private merge(a: Dict, b: Dict): Dict {
    return mergePillar(a, b, { strategy: this.o.mergeStrategy, mergeLists: this.o.mergeLists });
  }

  /** Salt's get_tops: the top file of each environment (or of `pillarenv` alone), and the tops they include. */
  private async readTops(errors: PillarError[]): Promise<TopSource[]> {
    let envs: string[];
    if (this.pillarenv) {
      envs = this.pillarenv in this.roots ? [this.pillarenv] : [];
      if (!envs.length) this.log.debug(`pillarenv '${this.pillarenv}' is not in pillar_roots`);
    } else {
      envs = ['base', ...Object.keys(this.roots).filter((e) => e !== 'base')];
      if (this.o.mergeStrategy === 'none') envs = envs.filter((e) => e === (this.saltenv || 'base'));
    }
    const sources: TopSource[] = [];
    for (const env of envs) {
      const file = findFile(this.roots[env] ?? [], this.o.top);
      if (!file) continue;
      const data = await this.renderTop(file, env, 'Rendering Primary Top file failed', errors);
      if (data === undefined) continue;
      sources.push({ env, file, data });
      if (!isRecord(data) || !Array.isArray(data['include'])) continue;
      const done = new Set<string>();
      for (const sls of data['include']) {
        if (typeof sls !== 'string' || done.has(sls)) continue;
        done.add(sls);
        const found = findSls(this.roots[env] ?? [], sls);
        if (!found) {
          this.log.warn({ file }, `pillar top file ${file} includes '${sls}', which is not in environment '${env}'`);
          continue;
        }
        const inc = await this.renderTop(found.file, env, `Rendering Top file ${sls} failed`, errors);
        if (inc !== undefined) sources.push({ env, file: found.file, data: inc });
      }
    }
    return sources;
  }

  private async renderTop(file: string, env: string, what: string, errors: PillarError[]): Promise<unknown> {
    try {
      return await this.renderOne(file, 'pillar top file', {
        grains: this.grains,
        pillar: this.override,
        saltenv: env,
      });
    } catch (err) {
      const line = err instanceof RenderError ? err.line : undefined;
      const msg = messageOf(err);
      errors.push(
        new SlsRenderError(SlsRenderError.CODE, `${what}, render error:\n${msg}`, {
          file,
          line,
          log: `${what}: ${msg}`,
        }),
      );
      return undefined;
    }
  }

  /** Salt's render_pillar: each matched SLS (patterns expanded), merged in order over the override. */
  private async renderPillar(matched: readonly MatchedSls[]): Promise<void> {
    const mods = new Map<string, Map<string, unknown>>();
    const toldEnv = new Set<string>();
    for (const m of matched) {
      if (!(m.env in this.roots)) {
        if (!toldEnv.has(m.env)) this.fail(new EnvMissingError(m.env, { file: m.file }));
        toldEnv.add(m.env);
        continue;
      }
      const envMods = mods.get(m.env) ?? new Map<string, unknown>();
      mods.set(m.env, envMods);
      for (const sls of await this.expand(m.sls, m.env)) {
        const state = await this.renderSls(sls, m.env, envMods, {}, { file: m.file, written: m.sls });
        if (isRecord(state))
          this.pillar = mergePillarInto(this.pillar, state, {
            strategy: this.o.mergeStrategy,
            mergeLists: this.o.mergeLists,
          });
      }
    }
  }

  /** A pattern (`users.*`) as the SLS names it matches, or itself when it matches none (then it is missing). */
  private async expand(sls: string, env: string): Promise<string[]> {
    if (!isPattern(sls)) return [sls];
    const avail = await listSls(this.roots[env] ?? []);
    const pattern = sls.replaceAll('/', '.');
    const hits = avail.filter((name) => fnmatch(name, pattern));
    return hits.length ? hits : [sls];
  }

  /**
   * Salt's render_pstate: one SLS and what it includes, the including SLS
   * merged last so its own keys win (unless pillar_includes_override_sls).
   * `mods` holds each SLS rendered in this environment, so an include cycle
   * or a second include of one file renders it once.
   */
  private async renderSls(
    sls: string,
    env: string,
    mods: Map<string, unknown>,
    defaults: Dict,
    namedIn: NamedIn,
  ): Promise<unknown> {
    // One file per turn of the event loop: the master's other requests go on while a big pillar compiles.
    await nextTurn();
    const found = findSls(this.roots[env] ?? [], sls);
    if (!found) {
      mods.set(sls, undefined);
      if (this.ignoreMissing.get(env)?.has(sls)) {
        this.log.debug(`skipping ignored and missing SLS '${sls}' in environment '${env}'`);
      } else {
        const line = await lineNaming(namedIn.file, namedIn.written);
        this.fail(new SlsMissingError(sls, env, { file: namedIn.file, line }));
      }
      return undefined;
    }
    let state: unknown;
    try {
      const context = { ...defaults, grains: this.grains, pillar: this.pillar, saltenv: env, sls };
      state = await this.renderOne(found.file, 'pillar SLS', context);
    } catch (err) {
      const msg = messageOf(err);
      const text = this.o.safeRenderError
        ? `Rendering SLS '${sls}' failed. Please see master log for details.`
        : `Rendering SLS '${sls}' failed, render error:\n${msg}`;
      const line = err instanceof RenderError ? err.line : undefined;
      const log = `Rendering SLS '${sls}' failed, render error: ${msg}`;
      this.fail(new SlsRenderError(SlsRenderError.CODE, text, { file: found.file, line, log }));
      state = undefined;
    }
    if (state === null || state === undefined || state === '' || state === false || state === 0) {
      mods.set(sls, state);
      return state;
    }
    if (!isRecord(state)) {
      mods.set(sls, undefined);
      const kind = Array.isArray(state) ? 'a list' : `${typeof state} ${pyRepr(state).slice(0, 60)}`;
      const log = `SLS '${sls}' does not render to a dictionary but to ${kind}`;
      this.fail(new SlsNotDictError(sls, { file: found.file, line: 1, log }));
      return undefined;
    }
    if (!('include' in state)) {
      mods.set(sls, state);
      return state;
    }
    const include = state['include'];
    if (!Array.isArray(include)) {
      mods.set(sls, state);
      // Salt keeps a malformed include key in the pillar.
      const msg = `Include Declaration in SLS '${sls}' is not formed as a list`;
      this.fail(new BadIncludeError(BadIncludeError.CODE, msg, { file: found.file }));
      return state;
    }
    const { include: _inc, ...own } = state;
    mods.set(sls, own);
    return this.withIncludes(sls, env, mods, own, include, { file: found.file, init: found.init });
  }

  private async withIncludes(
    sls: string,
    env: string,
    mods: Map<string, unknown>,
    own: Dict,
    include: unknown[],
    from: { file: string; init: boolean },
  ): Promise<Dict> {
    const included: Dict[] = [];
    let result = own;
    for (const entry of include) {
      const parsed = includeEntry(entry);
      if (!parsed) {
        const msg = `Include Declaration in SLS '${sls}' has an entry that is not an SLS name: ${pyRepr(entry)}`;
        this.fail(new BadIncludeError(BadIncludeError.CODE, msg, { file: from.file }));
        continue;
      }
      const target = relativeSls(parsed.name, sls, from.init);
      for (const name of await this.expand(target, env)) {
        let nstate = mods.has(name)
          ? mods.get(name)
          : await this.renderSls(name, env, mods, parsed.defaults, { file: from.file, written: parsed.name });
        if (!isRecord(nstate) || !Object.keys(nstate).length) continue;
        // `key: a:b` nests the included data as {a: {b: data}}.
        if (parsed.key) for (const frag of parsed.key.split(':').reverse()) nstate = { [frag]: nstate };
        if (this.o.includesOverrideSls) result = this.merge(result, nstate as Dict);
        else included.push(nstate as Dict);
      }
    }
    if (this.o.includesOverrideSls) return result;
    return [...included, own].reduce((acc, s) => this.merge(acc, s), {});
  }

  /** Records a problem for `_errors` and logs it with the file and line. */
  private fail(err: PillarError): void {
    this.errors.push(err);
    this.report(err);
  }

  private report(err: PillarError): void {
    const text = (err.log ?? err.message).replace(/\s*\n\s*/g, ' ');
    const where = err.file && !text.includes(err.file) ? ` (${err.file}${err.line ? `, line ${err.line}` : ''})` : '';
    this.log.error(
      { code: err.code, ...(err.file ? { file: err.file } : {}), ...(err.line ? { line: err.line } : {}) },
      `pillar: ${text}${where}`,
    );
  }
}

const optsNamed = new WeakMap<CompiledSource, boolean>();

/** Whether a template can reach `opts` at all (checked once per compiled file). */
function namesOpts(c: CompiledSource): boolean {
  let v = optsNamed.get(c);
  if (v === undefined) optsNamed.set(c, (v = c.source.includes('opts')));
  return v;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : errorLine(err);
}

/** An include entry: `name`, or `{name: {defaults: {...}, key: 'a:b'}}`. */
function includeEntry(entry: unknown): { name: string; defaults: Dict; key: string | undefined } | undefined {
  if (typeof entry === 'string' && entry) return { name: entry, defaults: {}, key: undefined };
  if (!isRecord(entry)) return undefined;
  const first = Object.entries(entry)[0];
  if (!first || !first[0]) return undefined;
  const [name, v] = first;
  const defaults = isRecord(v) && isRecord(v['defaults']) ? v['defaults'] : {};
  const key = isRecord(v) && typeof v['key'] === 'string' && v['key'] ? v['key'] : undefined;
  return { name, defaults, key };
}

/** Salt's relative include: `.b` in `a.c` is `a.b`; in `a` (a/init.sls) it is `a.b`. */
export function relativeSls(name: string, from: string, fromInit: boolean): string {
  if (!name.startsWith('.')) return name;
  const parts = from.split('.');
  const base = fromInit ? parts : parts.slice(0, -1);
  return [...base, name.slice(1)].join('.');
}
