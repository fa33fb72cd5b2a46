import * as jinja from '@huggingface/jinja';

/*
 * @huggingface/jinja, typed. Its .d.ts files import siblings without a file
 * extension, which NodeNext resolution cannot follow, so TypeScript sees its
 * exports as `any`. These are the shapes this lib relies on (checked by the
 * unit tests against the installed version).
 */

/** A runtime value of the interpreter; `value` holds the JS payload (a Map for dicts, RV[] for lists). */
export interface RV {
  type: string;
  value: unknown;
  readonly builtins: ReadonlyMap<string, RV>;
  __bool__(): { value: boolean };
}

/** A parsed template. */
export interface Program {
  readonly type: string;
}

export interface JinjaEnvironment {
  variables: Map<string, RV>;
  readonly tests: ReadonlyMap<string, (...values: RV[]) => boolean>;
  /** Converts a JS value, declares it, and returns the runtime value; throws if already declared. */
  set(name: string, value: unknown): RV;
  lookupVariable(name: string): RV;
}

export interface JinjaInterpreter {
  run(program: Program): RV;
}

export const Environment = jinja.Environment as unknown as new (parent?: JinjaEnvironment) => JinjaEnvironment;
export const Interpreter = jinja.Interpreter as unknown as new (env?: JinjaEnvironment) => JinjaInterpreter;
export const tokenize = jinja.tokenize as unknown as (
  source: string,
  options: { trim_blocks?: boolean; lstrip_blocks?: boolean },
) => unknown[];
export const parse = jinja.parse as unknown as (tokens: unknown[]) => Program;
