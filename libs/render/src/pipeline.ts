import { PipelineError, SaltCallError, UnknownRendererError } from './errors.js';
import type { Program } from './jinja/lib.js';
import { compileTemplate, PendingCall, renderTemplate, templateSet, TEMPLATES_VAR } from './jinja/template.js';
import type { TemplateLoader } from './jinja/imports.js';
import { SaltVar, type SaltFunctions } from './salt.js';
import { parseJson, parseYaml } from './data.js';

/*
 * Salt's render pipeline: the renderers named by the file's `#!` line (or
 * the `renderer` option, `jinja|yaml` by default) run in the order written,
 * each one's output the next one's input. `jinja` turns text into text;
 * `yaml` and `json` turn text into data.
 */

/** The renderers this lib has, by the names a `#!` line uses. */
export const RENDERERS = ['jinja', 'yaml', 'json'] as const;
export type RendererName = (typeof RENDERERS)[number];

/** Salt's default for the `renderer` config key. */
export const DEFAULT_RENDERER = 'jinja|yaml';

// Each pass resolves at least one more salt call: a cap that only a template calling without end reaches.
const MAX_PASSES = 1000;

/**
 * Template variables. The reactor gives `tag` and `data` (and a small
 * `opts`); an SLS gets `grains`, `pillar`, `opts`, `saltenv` and `sls`.
 * Values are plain JS, or a `Constant` converted once for many renders.
 */
export type RenderContext = Readonly<Record<string, unknown>>;

export interface RenderOptions {
  /** The file's name in messages and errors (`/srv/salt/web.sls`). */
  file: string;
  /** The template variables. */
  context?: RenderContext;
  /** The functions behind `salt['mod.fun'](...)` and `salt.mod.fun(...)`. */
  salt?: SaltFunctions;
  /** The pipeline for a file with no `#!` line (Salt's `renderer` option); `jinja|yaml` when absent. */
  renderer?: string;
  /** Where `{% include %}`, `{% import %}` and `{% from %}` find templates; without one they fail. */
  loader?: TemplateLoader;
}

/** A source ready to render many times: its pipeline parsed, its Jinja compiled when Jinja comes first. */
export interface CompiledSource {
  readonly file: string;
  readonly renderers: readonly RendererName[];
  /** The source with its `#!` line blanked (the line stays, so lines keep their numbers). */
  readonly source: string;
  readonly program: Program | undefined;
}

const known = new Set<string>(RENDERERS);

/**
 * A `jinja|yaml` spec as renderer names. Salt allows arguments after a name
 * (`#!yaml strict`): they are ignored here.
 * @throws UnknownRendererError naming the renderer, the spec and where it came from
 */
export function parsePipeline(spec: string, where: string): RendererName[] {
  const names = spec.split('|').map((part) => part.trim().split(/\s+/)[0] ?? '');
  for (const name of names) {
    if (!known.has(name))
      throw new UnknownRendererError(
        `${where}: unknown renderer '${name}' in '${spec}' (known: ${RENDERERS.join(', ')})`,
        name,
      );
  }
  return names as RendererName[];
}

/**
 * The `#!` spec of a source's first line, and the source with that line
 * blanked. `#!/...` is an interpreter path, not a renderer spec (as in Salt).
 */
export function splitShebang(source: string): { spec: string | undefined; body: string } {
  if (!source.startsWith('#!') || source.startsWith('#!/')) return { spec: undefined, body: source };
  const nl = source.indexOf('\n');
  const line = nl < 0 ? source : source.slice(0, nl);
  return { spec: line.slice(2).trim(), body: nl < 0 ? '' : source.slice(nl) };
}

/** Parses the pipeline and compiles the Jinja (when first). @throws RenderError */
export function compileSource(source: string, file: string, renderer = DEFAULT_RENDERER): CompiledSource {
  const { spec, body } = splitShebang(source);
  const renderers =
    spec === undefined
      ? parsePipeline(renderer, `${file}: the renderer option`)
      : parsePipeline(spec, `${file}: line 1`);
  const program = renderers[0] === 'jinja' ? compileTemplate(body, file) : undefined;
  return { file, renderers, source: body, program };
}

function textOf(input: unknown, name: string, index: number, c: CompiledSource): string {
  if (typeof input === 'string') return input;
  const before = c.renderers[index - 1] ?? 'the file';
  throw new PipelineError(
    `${c.file}: renderer '${name}' reads text, but '${before}' before it gave ${input === null ? 'nothing' : 'data'} (pipeline ${c.renderers.join('|')})`,
  );
}

/** One pass through the pipeline; a salt call not answered yet throws PendingCall. */
function runOnce(c: CompiledSource, vars: Record<string, unknown>): unknown {
  let value: unknown = c.source;
  c.renderers.forEach((name, i) => {
    const text = textOf(value, name, i, c);
    if (name === 'jinja') {
      const program = i === 0 && c.program ? c.program : compileTemplate(text, c.file);
      value = renderTemplate(program, text, c.file, vars);
    } else value = name === 'yaml' ? parseYaml(text, c.file) : parseJson(text, c.file);
  });
  return value;
}

// A render without a loader: `{% import %}` says why it cannot.
const NO_LOADER: TemplateLoader = {
  name: '',
  load: (name) => {
    throw new Error(`cannot load template '${name}': this render has no template loader`);
  },
};

function variables(
  context: RenderContext | undefined,
  salt: SaltFunctions | undefined,
  loader: TemplateLoader | undefined,
): Record<string, unknown> {
  const vars: Record<string, unknown> = salt ? { ...context, salt: new SaltVar(salt) } : { ...context };
  // One set per render, so a template loaded (or a module imported) in one pass serves the next passes.
  vars[TEMPLATES_VAR] = templateSet(loader ?? NO_LOADER, vars);
  return vars;
}

/**
 * Renders a compiled source: data for `…|yaml`, text for `jinja` alone;
 * `null` when it renders to nothing. Salt calls may answer with promises.
 * @throws RenderError (a subclass per code), naming the file and, when known, the line
 */
export async function renderCompiled(
  c: CompiledSource,
  context?: RenderContext,
  salt?: SaltFunctions,
  loader?: TemplateLoader,
): Promise<unknown> {
  const vars = variables(context, salt, loader);
  for (let pass = 1; ; pass++) {
    try {
      return runOnce(c, vars);
    } catch (err) {
      if (!(err instanceof PendingCall)) throw err;
      if (pass >= MAX_PASSES)
        throw new SaltCallError(
          `${c.file}: still calling salt functions after ${MAX_PASSES} passes (last: ${err.fun})`,
        );
      await err.wait;
    }
  }
}

/**
 * As renderCompiled, synchronously (the reactor renders on the event's
 * turn): every salt function must answer at once.
 * @throws SaltCallError RENDER_SALT_CALL when one answers with a promise
 */
export function renderCompiledSync(
  c: CompiledSource,
  context?: RenderContext,
  salt?: SaltFunctions,
  loader?: TemplateLoader,
): unknown {
  try {
    return runOnce(c, variables(context, salt, loader));
  } catch (err) {
    if (!(err instanceof PendingCall)) throw err;
    throw new SaltCallError(
      `${c.file}: salt['${err.fun}'] answered with a promise: render with render(), not renderSync()`,
    );
  }
}

/** Compiles and renders `source` (see renderCompiled). */
export async function render(source: string, options: RenderOptions): Promise<unknown> {
  return renderCompiled(
    compileSource(source, options.file, options.renderer),
    options.context,
    options.salt,
    options.loader,
  );
}

/** Compiles and renders `source` synchronously (see renderCompiledSync). */
export function renderSync(source: string, options: RenderOptions): unknown {
  return renderCompiledSync(
    compileSource(source, options.file, options.renderer),
    options.context,
    options.salt,
    options.loader,
  );
}
