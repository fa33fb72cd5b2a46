import { Environment, type JinjaEnvironment, type Program } from './lib.js';
import { isStr, str, truthy, V, type RV } from './values.js';

/*
 * `{% include %}`, `{% import ... as m %}` and `{% from ... import a, b as c %}`
 * over a caller's template loader (Salt's SaltCacheLoader: `salt://` names
 * of the render's saltenv). The library parses none of the three, so the
 * token stream is rewritten before parsing into calls it does parse:
 *
 *   {% include X %}                 ->  {{ __tsalt_include__(X, ignore_missing) }}
 *   {% import X as m %}             ->  {% set m = __tsalt_import__(X, with_context) %}
 *   {% from X import a, b as c %}   ->  {% set a = __tsalt_from__(X, 'a', with_context) %}{% set c = ... %}
 *
 * Names starting `./` or `../` are relative to the importing template's
 * folder; others start at the root of the loader's namespace. Loading may
 * be async: a template not loaded yet throws a PendingCall, as a salt call
 * does, and the next pass finds it.
 */

/** A template's text and the file it came from (for messages). */
export interface TemplateSource {
  source: string;
  file: string;
}

/**
 * Resolves the names `{% include %}`, `{% import %}` and `{% from %}` use.
 * For an SLS, names are `salt://` paths of its saltenv without the scheme.
 */
export interface TemplateLoader {
  /** The rendered file's own name among the loader's templates (`web/init.sls`): where `./x` and `../x` start. */
  readonly name: string;
  /** The template called `name` (already made absolute: `web/map.jinja`), or null when there is none; may be async. */
  load(name: string): TemplateSource | null | undefined | Promise<TemplateSource | null | undefined>;
}

export const INCLUDE_FN = '__tsalt_include__';
export const IMPORT_FN = '__tsalt_import__';
export const FROM_FN = '__tsalt_from__';

interface Token {
  value: string;
  type: string;
}

type TokenCtor = new (value: string, type: string) => Token;

function tok(ctor: TokenCtor, type: string, value: string): Token {
  return new ctor(value, type);
}

/** The tokens of `{% include/import/from %}` statements replaced by calls the parser knows (see the header). */
export function rewriteImports(tokens: unknown[]): unknown[] {
  const ts = tokens as Token[];
  const first = ts[0];
  if (!first) return tokens;
  const Ctor = first.constructor as TokenCtor;
  const out: Token[] = [];
  const ident = (v: string): Token => tok(Ctor, 'Identifier', v);
  const p = (type: string, v: string): Token => tok(Ctor, type, v);
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    const kw = ts[i + 1];
    if (
      t.type !== 'OpenStatement' ||
      kw?.type !== 'Identifier' ||
      (kw.value !== 'include' && kw.value !== 'import' && kw.value !== 'from')
    ) {
      out.push(t);
      continue;
    }
    let end = i + 2;
    while (end < ts.length && ts[end]!.type !== 'CloseStatement') end++;
    if (end >= ts.length) throw new SyntaxError(`Expected %} after '{% ${kw.value}'`);
    let body = ts.slice(i + 2, end);
    // Trailing modifiers: `with context`, `without context`, `ignore missing`.
    let withContext = kw.value === 'include';
    let ignoreMissing = false;
    for (;;) {
      const a = body[body.length - 2]?.value;
      const b = body[body.length - 1]?.value;
      if (a === 'with' && b === 'context') withContext = true;
      else if (a === 'without' && b === 'context') withContext = false;
      else if (a === 'ignore' && b === 'missing') ignoreMissing = true;
      else break;
      body = body.slice(0, -2);
    }
    const call = (fn: string, args: Token[][]): Token[] => [
      ident(fn),
      p('OpenParen', '('),
      ...args.flatMap((a, n) => (n ? [p('Comma', ','), ...a] : a)),
      p('CloseParen', ')'),
    ];
    const flag = (b: boolean): Token[] => [ident(b ? 'True' : 'False')];
    const set = (name: string, value: Token[]): Token[] => [
      p('OpenStatement', '{%'),
      ident('set'),
      ident(name),
      p('Equals', '='),
      ...value,
      p('CloseStatement', '%}'),
    ];
    if (kw.value === 'include') {
      if (!body.length) throw new SyntaxError('Expected a template name after include');
      out.push(p('OpenExpression', '{{'), ...call(INCLUDE_FN, [body, flag(ignoreMissing)]), p('CloseExpression', '}}'));
    } else if (kw.value === 'import') {
      const as = body.length - 2;
      const alias = body[as + 1];
      if (as < 1 || body[as]?.value !== 'as' || alias?.type !== 'Identifier')
        throw new SyntaxError("Expected '{% import <template> as <name> %}'");
      out.push(...set(alias.value, call(IMPORT_FN, [body.slice(0, as), flag(withContext)])));
    } else {
      const at = body.findIndex((x) => x.type === 'Identifier' && x.value === 'import');
      if (at < 1) throw new SyntaxError("Expected '{% from <template> import <names> %}'");
      const template = body.slice(0, at);
      const names = body.slice(at + 1);
      let k = 0;
      while (k < names.length) {
        const name = names[k];
        if (name?.type !== 'Identifier') throw new SyntaxError("Expected a name after 'import'");
        let alias = name.value;
        k++;
        if (names[k]?.value === 'as' && names[k + 1]?.type === 'Identifier') {
          alias = names[k + 1]!.value;
          k += 2;
        }
        if (names[k]?.type === 'Comma') k++;
        out.push(...set(alias, call(FROM_FN, [template, [p('StringLiteral', name.value)], flag(withContext)])));
      }
    }
    i = end;
  }
  return out;
}

/** `./x` and `../x` against the importer's folder; an absolute name as written (without a leading `/`). */
export function resolveTemplateName(name: string, from: string): string | undefined {
  const rel = name.startsWith('./') || name.startsWith('../');
  const parts = rel ? from.split('/').slice(0, -1) : [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      // Salt discards a name that climbs out of salt://.
      if (!parts.length) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

/** What the interpreter needs to render a loaded template: compiled, and a way to build a fresh environment. */
export interface TemplateRuntime {
  compile(source: string, file: string): Program;
  run(program: Program, env: JinjaEnvironment): RV;
  /** A fresh environment with the render's variables (an import without context sees only these). */
  fresh(): JinjaEnvironment;
  /** A thrown "not loaded yet": the caller waits for `wait` and renders again. */
  pending(what: string, wait: Promise<void>): Error;
  /** Whether an error is such a "not loaded yet" (it passes through untouched). */
  isPending(err: unknown): boolean;
  /** The line of `source` where rendering it again in `env` fails with `message` (undefined when not found). */
  lineOf(source: string, env: JinjaEnvironment, message: string): number | undefined;
}

type Loaded =
  | { state: 'done'; value: { source: TemplateSource; program: Program } | null }
  | { state: 'failed'; error: unknown }
  | { state: 'pending'; wait: Promise<void> };

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * One render's templates: each name loaded and compiled once, whatever the
 * number of passes; modules imported without context rendered once.
 */
export class TemplateSet {
  private readonly loaded = new Map<string, Loaded>();
  private readonly modules = new Map<string, RV>();

  constructor(
    readonly loader: TemplateLoader,
    private readonly rt: TemplateRuntime,
  ) {}

  /** Binds the three functions in `env` for a template called `current`. */
  bind(env: JinjaEnvironment, current: string): void {
    const caller = (f: (args: RV[], env: JinjaEnvironment) => RV): RV =>
      new V.Fn((args: RV[], callEnv: JinjaEnvironment) => f(args, callEnv));
    env.variables.set(
      INCLUDE_FN,
      caller(([name, ignore], callEnv) => {
        const t = this.get(nameOf(name, 'include'), current, ignore ? truthy(ignore) : false);
        if (!t) return str('');
        return str(String(this.exec(t, callEnv).out.value));
      }),
    );
    env.variables.set(
      IMPORT_FN,
      caller(([name, ctx], callEnv) =>
        this.module(nameOf(name, 'import'), current, ctx ? truthy(ctx) : false, callEnv),
      ),
    );
    env.variables.set(
      FROM_FN,
      caller(([name, attr, ctx], callEnv) => {
        const wanted = String(attr?.value);
        const m = this.module(nameOf(name, 'import'), current, ctx ? truthy(ctx) : false, callEnv);
        const v = (m.value as Map<string, RV>).get(wanted);
        if (v === undefined)
          throw new Error(`the template '${String(name?.value)}' does not export the requested name '${wanted}'`);
        return v;
      }),
    );
  }

  /** The module of an imported template: its top-level macros and `set` names. */
  private module(name: string, current: string, withContext: boolean, callEnv: JinjaEnvironment): RV {
    const t = this.get(name, current, false)!;
    const cached = withContext ? undefined : this.modules.get(t.name);
    if (cached) return cached;
    const { scope } = this.exec(t, withContext ? callEnv : this.rt.fresh());
    const m = new V.Obj(new Map(scope.variables));
    if (!withContext) this.modules.set(t.name, m);
    return m;
  }

  /** Runs a loaded template in a new scope under `parent`; a failure names its file and, when found, its line. */
  private exec(
    t: { name: string; source: TemplateSource; program: Program },
    parent: JinjaEnvironment,
  ): { out: RV; scope: JinjaEnvironment } {
    const scope = (): JinjaEnvironment => {
      const env = new Environment(parent);
      this.bind(env, t.name);
      return env;
    };
    const env = scope();
    try {
      return { out: this.rt.run(t.program, env), scope: env };
    } catch (err) {
      if (this.rt.isPending(err)) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      const line = this.rt.lineOf(t.source.source, scope(), msg);
      throw new Error(`${t.source.file}${line ? `: line ${line}` : ''}: ${msg}`, { cause: err });
    }
  }

  /** The loaded template, null when missing and `ignoreMissing`; throws when missing, or pending. */
  private get(
    written: string,
    current: string,
    ignoreMissing: boolean,
  ): { name: string; source: TemplateSource; program: Program } | null {
    const name = resolveTemplateName(written, current);
    if (name === undefined) throw new Error(`TemplateNotFound: '${written}' climbs out of the template root`);
    let hit = this.loaded.get(name);
    if (!hit) hit = this.start(name);
    if (hit.state === 'pending') throw this.rt.pending(`template ${name}`, hit.wait);
    if (hit.state === 'failed') throw hit.error;
    if (hit.value) return { name, ...hit.value };
    if (ignoreMissing) return null;
    throw new Error(`TemplateNotFound: ${written}`);
  }

  private start(name: string): Loaded {
    const finish = (src: TemplateSource | null | undefined): Loaded => {
      try {
        return { state: 'done', value: src ? { source: src, program: this.rt.compile(src.source, src.file) } : null };
      } catch (error) {
        return { state: 'failed', error };
      }
    };
    let out: ReturnType<TemplateLoader['load']>;
    try {
      out = this.loader.load(name);
    } catch (error) {
      const failed: Loaded = { state: 'failed', error };
      this.loaded.set(name, failed);
      return failed;
    }
    if (!isThenable(out)) {
      const done = finish(out);
      this.loaded.set(name, done);
      return done;
    }
    const wait = Promise.resolve(out).then(
      (src) => void this.loaded.set(name, finish(src)),
      (error: unknown) => void this.loaded.set(name, { state: 'failed', error }),
    );
    const pending: Loaded = { state: 'pending', wait };
    this.loaded.set(name, pending);
    return pending;
  }
}

function nameOf(v: RV | undefined, what: string): string {
  if (!v || !isStr(v)) throw new Error(`${what} needs a template name (a string)`);
  return String(v.value);
}
