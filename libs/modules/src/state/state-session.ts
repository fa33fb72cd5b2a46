import type { MinionConfig } from '@tsalt/config';
import { errorLine, isRecord } from '@tsalt/core';
import { Registry } from '@tsalt/loader';
import {
  runChunks,
  runRetcode,
  StateCompiler,
  statePlugins,
  type HighData,
  type HighstateResult,
  type LowChunk,
  type StateFileClient,
  type StateReturn,
  type StateServices,
} from '@tsalt/states';
import type { ModuleContext } from '../context.js';
import { saltVar } from '../file/template.js';
import { chunkKwargs, missingParams } from './state-args.js';

/** One state run's settings, from the call's arguments. */
export interface SessionRequest {
  test: boolean;
  saltenv: string | null;
  pillarOverride: Record<string, unknown> | undefined;
}

/** Salt's retcodes for a state run (salt/defaults/exitcodes.py). */
export const EX_STATE_COMPILER_ERROR = 1;
export const EX_STATE_FAILURE = 2;
export const EX_PILLAR_FAILURE = 5;

/** A run that did not get as far as running states: Salt's list of strings, with its retcode. */
export class SessionRefusal {
  constructor(
    readonly errors: string[],
    readonly retcode: number,
  ) {}
}

/** Salt's _set_retcode: 1 for a list (compile errors), 2 when a state failed. */
export function stateRetcode(ret: unknown): number {
  if (Array.isArray(ret)) return EX_STATE_COMPILER_ERROR;
  return isRecord(ret) ? runRetcode(ret as HighstateResult) : 0;
}

/**
 * Everything one state.* call needs: the pillar the SLS files see, the
 * compiler, and the state modules in a registry of their own whose
 * `salt` service is this minion's execution modules.
 */
export class StateSession {
  private constructor(
    private readonly ctx: ModuleContext,
    readonly req: SessionRequest,
    readonly pillar: Record<string, unknown>,
    private readonly files: StateFileClient & { envs(): Promise<string[]> },
    private readonly envs: readonly string[] | undefined,
  ) {}

  /** Salt compiles a fresh pillar for every run (with `pillar=` merged in on the master). */
  static async open(ctx: ModuleContext, req: SessionRequest): Promise<StateSession | SessionRefusal> {
    const files = ctx.services.fileClient;
    if (!files)
      return new SessionRefusal(
        ['No file client: states need the master (tsalt-minion) or file_client: local (tsalt-call --local)'],
        EX_STATE_COMPILER_ERROR,
      );
    let pillar: Record<string, unknown> | undefined;
    const data = ctx.services.minionData;
    if (data) pillar = await data.fetchPillar(req.pillarOverride);
    if (!pillar) {
      if (data) ctx.log.warn('state run: the master did not send a pillar; using the pillar in memory');
      pillar = { ...ctx.pillar, ...(req.pillarOverride ?? {}) };
    }
    const errors = pillar['_errors'];
    if (Array.isArray(errors) && errors.length > 0)
      return new SessionRefusal(
        ['Pillar failed to render with the following messages:', ...errors.map((e) => String(e))],
        EX_PILLAR_FAILURE,
      );
    // The saltenvs the file server has (the master's, over `_file_envs`); unknown, the compiler reads file_roots.
    const envs = await files.envs().catch((err: unknown) => {
      ctx.log.warn(`state run: the file server did not list its saltenvs: ${errorLine(err)}`);
      return undefined;
    });
    return new StateSession(ctx, req, pillar, files, envs);
  }

  /** The compiler for this run; `topfn` reads another top file (state.top). */
  compiler(topfn?: string): StateCompiler {
    const ctx = this.ctx;
    return new StateCompiler({
      opts: topfn === undefined ? ctx.opts : { ...ctx.opts, state_top: topfn },
      id: ctx.opts.id,
      grains: ctx.grains,
      pillar: this.pillar,
      salt: saltVar(ctx),
      fileClient: this.files,
      log: ctx.log,
      saltenv: this.req.saltenv,
      ...(this.envs ? { envs: this.envs } : {}),
    });
  }

  /** Compiles `high` and runs it; compile errors come back as Salt's list. */
  async runHigh(high: HighData, exclude: readonly unknown[]): Promise<HighstateResult | string[]> {
    const low = this.compiler().compile(high, exclude);
    if (low.errors.length > 0) return low.errors;
    return this.runChunks(low.chunks);
  }

  /** Runs already compiled chunks through the state modules. */
  runChunks(chunks: readonly LowChunk[]): Promise<HighstateResult> {
    const ctx = this.ctx;
    const states = new Registry<MinionConfig, StateServices>(
      { kind: 'state', opts: ctx.opts, grains: ctx.grains, pillar: this.pillar, log: ctx.log },
      statePlugins(),
    );
    const salt = (fun: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<unknown> =>
      ctx.call(fun, args, kwargs);
    return runChunks(chunks, {
      hasState: (fun) => states.has(fun),
      salt,
      test: this.req.test,
      failhard: ctx.opts.failhard,
      ...(typeof ctx.grains['shell'] === 'string' ? { shell: ctx.grains['shell'] } : {}),
      log: ctx.log,
      callState: async (chunk, o): Promise<StateReturn> => {
        const fun = `${chunk.state}.${chunk.fun}`;
        const spec = states.spec(fun);
        if (!spec) return failed(chunk, missingState(fun, chunk, states.missing()));
        const missing = missingParams(chunk, spec);
        if (missing.length > 0) return failed(chunk, `Missing parameter ${missing.join(', ')} for state ${fun}`);
        const services: Partial<StateServices> = {
          salt,
          fileClient: this.files,
          run: { test: o.test, saltenv: chunk.__env__, chunk, running: o.running },
        };
        const r = await states.call(fun, [], chunkKwargs(chunk, spec), {
          services,
          ...(ctx.jid !== undefined ? { jid: ctx.jid } : {}),
        });
        return asStateReturn(chunk, r.return);
      },
    });
  }
}

function failed(chunk: LowChunk, comment: string): StateReturn {
  return { name: chunk.name, result: false, changes: {}, comment };
}

// Salt's words when a state module or function is not there (State.verify_data / _mod_init).
function missingState(fun: string, chunk: LowChunk, why: Record<string, string>): string {
  const mod = chunk.state;
  const reason = why[mod];
  if (reason !== undefined) return `State '${fun}' was not found in SLS '${chunk.__sls__}'\nReason: ${reason}\n`;
  return `State '${fun}' was not found in SLS '${chunk.__sls__}'`;
}

/** A state function's return checked for Salt's keys; anything else is a failed state saying what came back. */
function asStateReturn(chunk: LowChunk, ret: unknown): StateReturn {
  if (
    isRecord(ret) &&
    'result' in ret &&
    'changes' in ret &&
    'comment' in ret &&
    (ret['result'] === null || typeof ret['result'] === 'boolean')
  ) {
    const out = { ...ret } as StateReturn;
    if (typeof out.name !== 'string') out.name = chunk.name;
    if (!isRecord(out.changes)) out.changes = {};
    return out;
  }
  return failed(
    chunk,
    `State function ${chunk.state}.${chunk.fun} did not return a dict with name, result, changes and comment: ${errorLine(JSON.stringify(ret))}`,
  );
}
