import type { MinionConfig } from '@tsalt/config';
import type { PluginContext, PluginDefinition } from '@tsalt/loader';

/*
 * The data shapes of Salt's state system, from SLS to result:
 *
 *   SLS (rendered)  ->  HighData  ->  LowChunk[]  ->  run  ->  HighstateResult
 *
 * HighData is Salt's "highstate": every id with its state declarations,
 * after include and extend. A LowChunk is one state call (one name of one
 * function). A StateResult is one chunk's outcome, keyed in the run's
 * result by `<state>_|-<id>_|-<name>_|-<fun>`.
 */

/** Salt's `__id__` declaration after rendering: `{ file: ['managed', {source: ...}], __sls__, __env__ }`. */
export interface IdDecl {
  /** State module name to its list: the function name (a string) and one-key argument dicts. */
  [state: string]: unknown;
  __sls__: string;
  __env__: string;
}

/** Every id of a run, in the order the SLS files were read. */
export type HighData = Record<string, IdDecl>;

/** A requisite target as written: `{file: '/etc/motd'}` (state module and id or name), or `{sls: 'web'}`. */
export type RequisiteRef = Record<string, string>;

/** The requisite kinds Salt has, without `_in` (the compiler turns every `_in` into the plain form on the other side). */
export const REQUISITES = [
  'require',
  'require_any',
  'watch',
  'watch_any',
  'onchanges',
  'onchanges_any',
  'onfail',
  'onfail_any',
  'onfail_all',
  'prereq',
  'use',
  'listen',
] as const;
export type RequisiteKind = (typeof REQUISITES)[number];

/**
 * One state call: Salt's low chunk. The function's own arguments sit
 * beside the fixed keys (`source`, `user`, `mode`...), as in Salt; the
 * requisites are normalised to lists of one-key refs.
 */
export interface LowChunk {
  state: string;
  __id__: string;
  name: string;
  fun: string;
  __sls__: string;
  __env__: string;
  /** Salt's `order`: the compiler numbers every chunk (10000 + n without an explicit order); `last` sorts after all. */
  order: number;
  require?: RequisiteRef[];
  require_any?: RequisiteRef[];
  watch?: RequisiteRef[];
  watch_any?: RequisiteRef[];
  onchanges?: RequisiteRef[];
  onchanges_any?: RequisiteRef[];
  onfail?: RequisiteRef[];
  onfail_any?: RequisiteRef[];
  onfail_all?: RequisiteRef[];
  prereq?: RequisiteRef[];
  listen?: RequisiteRef[];
  /** Everything else: the function's arguments, `unless`, `onlyif`, `creates`, `failhard`, `names`... */
  [arg: string]: unknown;
}

/** What a state function returns: Salt's ret dict. */
export interface StateReturn {
  name: string;
  /** True: done (or nothing to do); False: failed; null: test mode, changes pending. */
  result: boolean | null;
  changes: Record<string, unknown>;
  comment: string | string[];
  /** Salt's `pchanges` / `warnings` are kept when a state sets them. */
  [extra: string]: unknown;
}

/** One chunk's outcome in a run's result: the return plus Salt's bookkeeping. */
export interface StateResult extends StateReturn {
  __id__: string;
  __sls__: string;
  __run_num__: number;
  /** Local wall-clock time the state started, `HH:MM:SS.ffffff` as Salt prints it. */
  start_time: string;
  /** Milliseconds, a float, as Salt's. */
  duration: number;
}

/** A run's result: `<state>_|-<id>_|-<name>_|-<fun>` to its outcome. */
export type HighstateResult = Record<string, StateResult>;

/** Salt's result key for a chunk. */
export function chunkTag(chunk: Pick<LowChunk, 'state' | '__id__' | 'name' | 'fun'>): string {
  return `${chunk.state}_|-${chunk.__id__}_|-${chunk.name}_|-${chunk.fun}`;
}

/** Salt's `__salt__`: a call into the minion's execution modules. */
export type SaltCall = (fun: string, args?: unknown[], kwargs?: Record<string, unknown>) => Promise<unknown>;

/** The file client as the states see it (a narrowing of the modules lib's FileClientService). */
export interface StateFileClient {
  /** A local copy of `salt://...` in `saltenv`, or null when the file server has no such file. */
  cacheFile(source: string, saltenv: string): Promise<string | null>;
  /** The server's files (`_file_list`) of `saltenv`, for `top.sls` globs and `file.recurse`. */
  list(kind: '_file_list' | '_file_list_emptydirs' | '_dir_list', saltenv: string, prefix?: string): Promise<string[]>;
  /** The server's `{hsum, hash_type}` for `source`, or undefined. */
  hashFile(source: string, saltenv: string): Promise<{ hsum: string; hash_type: string } | undefined>;
}

/** What the runtime tells a state function about the call it is making. */
export interface StateCallInfo {
  /** Salt's `__opts__['test']`: report what would change, change nothing. */
  test: boolean;
  saltenv: string;
  /** The chunk being run (Salt's `__lowstate__`). */
  chunk: LowChunk;
  /** Salt's `__running__`: the results so far (mod_watch and `use` read them). */
  running: Readonly<HighstateResult>;
}

/** The services a state plugin gets: the execution modules, the file client, and this call's facts. */
export interface StateServices {
  salt: SaltCall;
  fileClient: StateFileClient;
  run: StateCallInfo;
}

/** What a state function sees. `ctx.call` reaches other state functions (Salt's `__states__`). */
export type StateContext = PluginContext<MinionConfig, StateServices>;

/** A state module: `definePlugin<MinionConfig, StateServices>({ name: 'file', functions: { managed: ... } })`. */
export type StatePlugin = PluginDefinition<MinionConfig, StateServices>;
