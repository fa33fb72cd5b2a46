import { DO_FN, doFunction, rewriteDo } from './do-statement.js';
import { Environment, parse, tokenize, type JinjaEnvironment, type Program } from './lib.js';
import { errorLine } from '@tsalt/core';
import { JinjaRenderError } from '../errors.js';
import { SaltInterpreter } from './interpreter.js';
import { rewriteImports, TemplateSet, type TemplateLoader } from './imports.js';
import { argText, entries, fn, list, num, str, toRv, V, type RV } from './values.js';

/*
 * Compiling and rendering one Jinja template, as Salt's jinja renderer does
 * with its defaults (trim_blocks and lstrip_blocks off, one trailing newline
 * dropped). The library reports no positions, so the line of an error is
 * found afterwards: a syntax error by parsing growing prefixes of the file
 * until one fails the same way; a render error by rendering again a copy in
 * which every tag is preceded by a call recording its line.
 */

// Salt's defaults (jinja_trim_blocks / jinja_lstrip_blocks: False).
const LEX = { trim_blocks: false, lstrip_blocks: false };
// Past this many lines the prefix search for a syntax error's line is not worth its cost.
const MAX_LINE_SEARCH = 2000;
const LINE_FN = '__tsalt_line__';

/** Tokenizes and parses, with `{% include/import/from %}` rewritten into calls (see imports.ts). */
function parseSource(source: string): Program {
  return parse(rewriteDo(rewriteImports(tokenize(source, LEX))));
}

export function compileTemplate(source: string, file: string): Program {
  try {
    return parseSource(source);
  } catch (err) {
    const line = syntaxErrorLine(source, errorLine(err));
    throw new JinjaRenderError(`${file}${line ? `: line ${line}` : ''}: Jinja syntax error: ${syntaxMessage(err)}`, {
      cause: err,
      ...(line ? { line } : {}),
    });
  }
}

/** The library's own crash on a truncated template, in words a template author can act on. */
function syntaxMessage(err: unknown): string {
  const msg = errorLine(err);
  return /Cannot read properties of undefined/.test(msg)
    ? 'unexpected end of template: is a block ({% if %}, {% for %}...) not closed?'
    : msg;
}

function syntaxErrorLine(source: string, message: string): number | undefined {
  const lines = source.split('\n');
  const n = Math.min(lines.length, MAX_LINE_SEARCH);
  for (let k = 1; k <= n; k++) {
    try {
      parseSource(lines.slice(0, k).join('\n'));
    } catch (err) {
      if (errorLine(err) === message) return k;
    }
  }
  return undefined;
}

/** Python's range(stop) / range(start, stop[, step]). */
function range(args: RV[]): RV {
  const [a, b, c] = args.map((x) => Number(x.value));
  const [start, stop, step] = b === undefined ? [0, a ?? 0, 1] : [a ?? 0, b, c ?? 1];
  if (step === 0) throw new Error('range() arg 3 must not be zero');
  const out: RV[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(num(i));
  return list(out);
}

function environment(vars: Record<string, unknown>, onLine?: (line: number) => void): JinjaEnvironment {
  const env = new Environment();
  for (const [k, v] of [
    ['true', true],
    ['false', false],
    ['none', null],
    ['True', true],
    ['False', false],
    ['None', null],
  ] as const)
    env.set(k, v);
  env.variables.set(
    'range',
    fn((args) => range(args)),
  );
  env.variables.set(
    'dict',
    fn((args, kwargs) => {
      const out = new Map<string, RV>();
      for (const pair of args[0] ? (args[0].value as RV[]) : []) {
        const [k, v] = pair.value as RV[];
        if (k && v) out.set(String(k.value), v);
      }
      for (const [k, v] of kwargs) out.set(k, v);
      return new V.Obj(out);
    }),
  );
  env.variables.set(DO_FN, doFunction);
  env.variables.set(
    'raise_exception',
    fn(([msg]) => {
      throw new Error(argText(msg, 'raise_exception'));
    }),
  );
  if (onLine)
    env.variables.set(
      LINE_FN,
      fn(([n]) => (onLine(Number(n?.value)), str(''))),
    );
  for (const [k, v] of Object.entries(vars)) {
    if (v instanceof TemplateSet) v.bind(env, v.loader.name);
    else if (v instanceof TemplateVar) env.variables.set(k, v.runtime());
    else env.set(k, v);
  }
  return env;
}

/** A template variable that builds its own runtime value (not converted from plain JS on every render). */
export abstract class TemplateVar {
  abstract runtime(): RV;
}

/**
 * A variable converted once and reused by every render (the master's
 * options, a minion's grains): each render gets its own shallow copy, so a
 * template that changes it (`opts.update(...)`) changes it for itself only.
 */
export class Constant extends TemplateVar {
  private readonly rv: RV;
  constructor(value: Record<string, unknown>) {
    super();
    this.rv = toRv(value);
  }
  runtime(): RV {
    return new V.Obj(new Map(entries(this.rv)));
  }
}

/**
 * Thrown through the interpreter by a `salt` call whose result is not there
 * yet; never wrapped, so the caller can wait for it and render again.
 */
export class PendingCall extends Error {
  constructor(
    readonly fun: string,
    readonly wait: Promise<void>,
  ) {
    super(`salt['${fun}'] is still running`);
  }
}

/**
 * Renders a compiled template with `vars` (tag, data, opts...; a `TemplateVar` builds its own value). A failure
 * throws RENDER_JINJA naming the file and, when it can be found, the line; a `PendingCall` passes through.
 */
export function renderTemplate(program: Program, source: string, file: string, vars: Record<string, unknown>): string {
  try {
    const out = new SaltInterpreter(environment(vars)).run(program);
    return String(out.value);
  } catch (err) {
    if (err instanceof PendingCall) throw err;
    const line = renderErrorLine(source, vars, errorLine(err));
    throw new JinjaRenderError(`${file}${line ? `: line ${line}` : ''}: Jinja error: ${errorLine(err)}`, {
      cause: err,
      ...(line ? { line } : {}),
    });
  }
}

function renderErrorLine(source: string, vars: Record<string, unknown>, message: string): number | undefined {
  let line: number | undefined;
  try {
    const program = parseSource(instrument(source));
    new SaltInterpreter(environment(vars, (n) => (line = n))).run(program);
  } catch (err) {
    // Only trust the line if the copy failed the same way.
    if (errorLine(err) === message) return line;
  }
  return undefined;
}

/**
 * The source with `{{ __tsalt_line__(N) }}` before each `{{ }}` / `{% %}`
 * tag, N being the tag's line; with `{%-` the marker strips too, so the
 * output is unchanged. Comments and string literals inside tags are skipped.
 */
export function instrument(source: string): string {
  let out = '';
  let line = 1;
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    if (c === '{' && (source[i + 1] === '{' || source[i + 1] === '%' || source[i + 1] === '#')) {
      const kind = source[i + 1]!;
      const close = kind === '{' ? '}}' : kind === '%' ? '%}' : '#}';
      let j = i + 2;
      let quote: string | undefined;
      while (j < n) {
        const d = source[j]!;
        if (quote) {
          if (d === '\\') j++;
          else if (d === quote) quote = undefined;
        } else if (kind !== '#' && (d === '"' || d === "'")) quote = d;
        else if (source.startsWith(close, j)) break;
        j++;
      }
      const end = Math.min(n, j + 2);
      const tag = source.slice(i, end);
      if (kind !== '#') out += `{{${source[i + 2] === '-' ? '-' : ''} ${LINE_FN}(${line}) }}`;
      out += tag;
      for (const ch of tag) if (ch === '\n') line++;
      i = end;
      continue;
    }
    if (c === '\n') line++;
    out += c;
    i++;
  }
  return out;
}

/** The render variable carrying a template loader (not visible to templates under this name). */
export const TEMPLATES_VAR = '__tsalt_templates__';

/** One render's loaded templates, rendered with `vars` (the render's variables, this set among them). */
export function templateSet(loader: TemplateLoader, vars: Record<string, unknown>): TemplateSet {
  return new TemplateSet(loader, {
    compile: (source, file) => compileTemplate(source, file),
    run: (program, env) => new SaltInterpreter(env).run(program),
    fresh: () => environment(vars),
    pending: (what, wait) => new PendingCall(what, wait),
    isPending: (err) => err instanceof PendingCall,
    lineOf: (source, env, message) => {
      let line: number | undefined;
      env.variables.set(
        LINE_FN,
        fn(([n]) => ((line = Number(n?.value)), str(''))),
      );
      try {
        new SaltInterpreter(env).run(parseSource(instrument(source)));
      } catch (err) {
        if (errorLine(err) === message.split('\n')[0]) return line;
      }
      return undefined;
    },
  });
}
