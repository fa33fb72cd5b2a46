import { isDeepStrictEqual } from 'node:util';
import { errorLine, fnmatch, isRecord, pyStr } from '@tsalt/core';
import { RenderError } from '@tsalt/render';
import { reconcileExtend } from './extend.js';
import type { TopMatches } from './state-top.js';
import type { Dict } from './verify-high.js';

/*
 * Salt's BaseHighState.render_highstate and render_state: each SLS the top
 * (or `state.sls`) names, rendered once per run, its `include`, `extend`
 * and `exclude` handled, state declarations normalised (`file.managed:` is
 * `file: [managed]`), ids merged into one high data, conflicts reported.
 */

/** Where an SLS was found on the file server. */
export interface SlsSource {
  /** The local copy to render. */
  file: string;
  /** Its salt:// path without the scheme: `web/init.sls`. */
  path: string;
}

export interface SlsDeps {
  /** The saltenvs the file server has (Salt's `self.avail` keys). */
  envs: readonly string[];
  /** The SLS names of an env (Salt's list_states). */
  avail(env: string): Promise<string[]>;
  /** `a.b` as salt://a/b.sls, else salt://a/b/init.sls; null when neither exists. */
  find(sls: string, env: string): Promise<SlsSource | null>;
  /** Renders the file (throws a RenderError). */
  render(src: SlsSource, sls: string, env: string): Promise<unknown>;
  /** `state_auto_order`: number the states without `order` from 10000 in the order read. */
  autoOrder: boolean;
}

export class SlsRenderer {
  private iorder = 10000;

  constructor(private readonly d: SlsDeps) {}

  /** Salt's render_highstate: the high data of `matches`, with `__exclude__` kept for the compiler and extend applied. */
  async renderHighstate(matches: TopMatches): Promise<{ high: Dict; errors: string[] }> {
    const high: Dict = {};
    const all: string[] = [];
    const mods = new Set<string>();
    for (const [env, states] of Object.entries(matches)) {
      for (const slsMatch of states) {
        let files: string[] = [];
        if (this.d.envs.includes(env)) files = (await this.d.avail(env)).filter((s) => fnmatch(s, slsMatch));
        else all.push(`No matching salt environment for environment '${env}' found`);
        // Not listed (generated, or added since): try the name itself; a miss is the error below.
        if (!files.length) files = [slsMatch];
        for (const sls of files) {
          if (mods.has(`${env}:${sls}`)) continue;
          const { state, errors } = await this.renderState(sls, env, mods, matches);
          if (Object.keys(state).length) mergeIncluded(high, state, errors);
          const mine = `SLS ${slsMatch} in saltenv`;
          all.push(
            ...errors.map((e) =>
              e.includes('is not available') && e.includes(mine)
                ? `No matching sls found for '${slsMatch}' in env '${env}'`
                : e,
            ),
          );
        }
      }
    }
    cleanDuplicateExtends(high);
    all.push(...reconcileExtend(high));
    return { high, errors: all };
  }

  /** Salt's render_state: one SLS and, recursively, what it includes. */
  private async renderState(
    sls: string,
    env: string,
    mods: Set<string>,
    matches: TopMatches,
  ): Promise<{ state: Dict; errors: string[] }> {
    const errors: string[] = [];
    let src: SlsSource | null;
    try {
      src = await this.d.find(sls, env);
    } catch (err) {
      // The file server did not answer: the SLS cannot be read, said as Salt says an unexpected failure.
      errors.push(`Rendering SLS ${sls} failed, render error: ${errorLine(err)}`);
      return { state: {}, errors };
    }
    let rendered: unknown;
    if (!src) {
      errors.push(
        `Specified SLS ${sls} in saltenv ${env} is not available on the salt master or through a configured fileserver`,
      );
    } else {
      try {
        rendered = await this.d.render(src, sls, env);
      } catch (err) {
        errors.push(
          err instanceof RenderError
            ? `Rendering SLS '${env}:${sls}' failed: ${err.message}`
            : `Rendering SLS ${sls} failed, render error: ${errorLine(err)}`,
        );
      }
      mods.add(`${env}:${sls}`);
    }
    if (!truthy(rendered)) return { state: {}, errors };
    if (!isRecord(rendered)) {
      errors.push(`SLS ${sls} does not render to a dictionary`);
      // Salt then tries to merge the list or string as ids, and says so.
      if (Array.isArray(rendered) || typeof rendered === 'string')
        errors.push(`Error when rendering state with contents: ${pyStr(rendered)}`);
      return { state: {}, errors };
    }
    const state: Dict = rendered;
    let include: unknown[] = [];
    if ('include' in state) {
      if (!Array.isArray(state['include'])) errors.push(`Include Declaration in SLS ${sls} is not formed as a list`);
      else {
        include = state['include'];
        delete state['include'];
      }
    }
    handleExtend(state, sls, env, errors);
    handleExclude(state, sls, errors);
    handleStateDecls(state, sls, env, errors);
    for (const entry of include) await this.include(entry, { state, sls, env, src, mods, matches, errors });
    this.handleIorder(state);
    return { state, errors };
  }

  private async include(
    entry: unknown,
    at: {
      state: Dict;
      sls: string;
      env: string;
      src: SlsSource | null;
      mods: Set<string>;
      matches: TopMatches;
      errors: string[];
    },
  ): Promise<void> {
    const { sls, env, errors } = at;
    const XENV = '_xenv';
    let envKey = env;
    let inc: string;
    if (isRecord(entry)) {
      // `- dev: web` (an SLS of another env), `- _xenv: web` (whichever matched env has it).
      const last = Object.entries(entry).pop();
      if (!last) return;
      envKey = last[0];
      inc = String(last[1]);
    } else inc = String(entry);
    if (envKey !== XENV && !this.d.envs.includes(envKey)) {
      errors.push(`Nonexistent saltenv '${envKey}' found in include of '${inc}' within SLS '${env}:${sls}'`);
      return;
    }
    if (inc.startsWith('.')) {
      const m = /^(\.+)(.*)$/.exec(inc)!;
      const levels = m[1]!.length;
      const parts = sls.split('.');
      // `.x` in a/init.sls is a.x; in a/b.sls it is a.x too (the init counts as a level).
      if (at.src?.path.endsWith('/init.sls') || at.src?.path === 'init.sls') parts.push('init');
      if (levels > parts.length) {
        errors.push(`Attempted relative include of '${inc}' within SLS '${env}:${sls}' goes beyond top level package `);
        return;
      }
      inc = [...parts.slice(0, parts.length - levels), m[2]!].join('.');
    }
    const matchedEnvs = Object.keys(at.matches);
    let resolved: string[];
    if (envKey !== XENV) {
      const avail = await this.d.avail(envKey);
      resolved = matchedEnvs.includes(envKey) || avail.some((s) => fnmatch(s, inc)) ? [envKey] : [];
    } else {
      resolved = [];
      for (const e of matchedEnvs) if ((await this.d.avail(e)).some((s) => fnmatch(s, inc))) resolved.push(e);
    }
    if (resolved.length === 1 || resolved.includes(env)) {
      const rEnv = resolved.length === 1 ? resolved[0]! : env;
      const avail = await this.d.avail(rEnv);
      const targets = avail.filter((s) => fnmatch(s, inc));
      for (const target of targets.length ? targets : [inc]) {
        if (at.mods.has(`${rEnv}:${target}`)) continue;
        const { state: nstate, errors: nerr } = await this.renderState(target, rEnv, at.mods, at.matches);
        if (Object.keys(nstate).length) mergeIncluded(at.state, nstate, errors);
        errors.push(...nerr);
      }
    } else if (!resolved.length) {
      const where = envKey === XENV ? matchedEnvs.join(', ') : envKey;
      errors.push(
        `Unknown include: Specified SLS ${envKey}: ${inc} is not available on the salt master in saltenv(s): ${where} `,
      );
    } else {
      errors.push(
        `Ambiguous include: Specified SLS ${envKey}: ${inc} is available on the salt master in multiple available saltenvs: ${resolved.join(', ')}`,
      );
    }
  }

  /** Salt's _handle_iorder: each state declaration without `order` gets the next number (10000 on). */
  private handleIorder(state: Dict): void {
    if (!this.d.autoOrder) return;
    for (const body of Object.values(state)) {
      if (!isRecord(body)) continue;
      for (const [dec, run] of Object.entries(body)) {
        if (dec.startsWith('_') || !Array.isArray(run)) continue;
        if (run.some((a) => isRecord(a) && Object.keys(a)[0] === 'order')) continue;
        run.push({ order: this.iorder++ });
      }
    }
  }
}

/** Python truthiness of a rendered SLS: None, '', 0, False, {} and [] are "nothing". */
function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isRecord(v)) return Object.keys(v).length > 0;
  return true;
}

/** `file.managed:` as `file: [..., managed]`, in place. */
function splitDotted(body: Dict): void {
  for (const key of Object.keys(body)) {
    if (key.startsWith('_') || !Array.isArray(body[key]) || !key.includes('.')) continue;
    const [mod, fun] = key.split('.');
    const run = body[key] as unknown[];
    delete body[key];
    body[mod!] = [...run, fun];
  }
}

function handleExtend(state: Dict, sls: string, env: string, errors: string[]): void {
  if (!('extend' in state)) return;
  const ext = state['extend'];
  delete state['extend'];
  if (!isRecord(ext)) {
    errors.push(`Extension value in SLS '${sls}' is not a dictionary`);
    return;
  }
  for (const [name, body] of Object.entries(ext)) {
    if (!isRecord(body)) {
      errors.push(`Extension name '${name}' in SLS '${sls}' is not a dictionary`);
      continue;
    }
    body['__sls__'] ??= sls;
    body['__env__'] ??= env;
    splitDotted(body);
  }
  ((state['__extend__'] ??= []) as unknown[]).push(ext);
}

function handleExclude(state: Dict, sls: string, errors: string[]): void {
  if (!('exclude' in state)) return;
  const exc = state['exclude'];
  delete state['exclude'];
  if (!Array.isArray(exc)) {
    errors.push(`Exclude Declaration in SLS ${sls} is not formed as a list`);
    return;
  }
  ((state['__exclude__'] ??= []) as unknown[]).push(...(exc as unknown[]));
}

function handleStateDecls(state: Dict, sls: string, env: string, errors: string[]): void {
  for (const [name, body] of Object.entries(state)) {
    if (name === '__extend__' || name === '__exclude__') continue;
    if (!isRecord(body)) {
      // `id: pkg.installed`: the short form, no arguments.
      if (typeof body === 'string' && body.includes('.')) {
        const [mod, fun] = body.split('.');
        state[name] = { __sls__: sls, __env__: env, [mod!]: [fun] };
        continue;
      }
      errors.push(`ID ${name} in SLS ${sls} is not a dictionary`);
      continue;
    }
    const seen = new Set<string>();
    for (const key of Object.keys(body)) {
      if (key.startsWith('_') || !Array.isArray(body[key])) continue;
      if (key.includes('.')) {
        const [mod, fun] = key.split('.') as [string, string];
        if (seen.has(mod)) {
          errors.push(`ID '${name}' in SLS '${sls}' contains multiple state declarations of the same type`);
          continue;
        }
        const run = body[key] as unknown[];
        delete body[key];
        body[mod] = [...run, fun];
        seen.add(mod);
        continue;
      }
      seen.add(key);
    }
    body['__sls__'] ??= sls;
    body['__env__'] ??= env;
  }
}

/** Salt's merge_included_states: `__extend__`/`__exclude__` gathered, an id defined twice differently reported. */
function mergeIncluded(high: Dict, state: Dict, errors: string[]): void {
  for (const key of ['__extend__', '__exclude__']) {
    if (!(key in state)) continue;
    ((high[key] ??= []) as unknown[]).push(...(state[key] as unknown[]));
    delete state[key];
  }
  for (const [id, body] of Object.entries(state)) {
    const have = high[id];
    if (have !== undefined && !isDeepStrictEqual(have, body)) {
      const h = isRecord(have) ? have : {};
      const b = isRecord(body) ? body : {};
      errors.push(
        'Detected conflicting IDs, SLS IDs need to be globally unique.\n' +
          `    The conflicting ID is '${id}' and is found in SLS '${String(h['__env__'])}:${String(h['__sls__'])}' ` +
          `and SLS '${String(b['__env__'])}:${String(b['__sls__'])}'`,
      );
    }
  }
  Object.assign(high, state);
}

function cleanDuplicateExtends(high: Dict): void {
  const ext = high['__extend__'];
  if (!Array.isArray(ext)) return;
  const out: Dict[] = [];
  for (const e of ext) {
    if (!isRecord(e)) continue;
    for (const [k, v] of Object.entries(e)) {
      if (out.some((o) => isDeepStrictEqual(o, { [k]: v }))) continue;
      out.push({ [k]: v });
    }
  }
  high['__extend__'] = out;
}
