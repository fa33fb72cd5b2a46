import { existsSync } from 'node:fs';
import { pyRepr } from '@tsalt/core';
import type { Logger } from '@tsalt/core';
import type { LowChunk, SaltCall } from '../types.js';

/*
 * Salt's run checks (State._run_check and friends): `onlyif`, `unless`
 * and `creates` decide before a state is called whether it runs at all;
 * `check_cmd` decides after it ran whether it succeeded. Commands run
 * through the minion's `cmd.retcode` with a shell, as Salt's do.
 */

/** What a check says: result true means "do not call the state" (and, for check_cmd, "it succeeded"). */
export interface CheckRet {
  result: boolean;
  comment: string[];
  skip_watch?: boolean;
  name: string;
  __sls__: string;
  __id__: string;
}

interface OneCheck {
  result: boolean;
  comment?: string;
  skip_watch?: boolean;
}

/** The cmd.run options a chunk's commands inherit (Salt's POSSIBLE_CMD_ARGS), less `cmd_opts_exclude`. */
const CMD_ARGS = ['cwd', 'root', 'runas', 'env', 'prepend_path', 'umask', 'timeout', 'success_retcodes'] as const;

function cmdOpts(low: LowChunk, shell: string | undefined): Record<string, unknown> {
  const raw = low.cmd_opts_exclude;
  const exclude = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const opts: Record<string, unknown> = {};
  for (const arg of CMD_ARGS) {
    if (!exclude.includes(arg) && low[arg] !== undefined && low[arg] !== null) opts[arg] = low[arg];
  }
  if (low.shell !== undefined && !exclude.includes('shell')) opts.shell = low.shell;
  else if (shell !== undefined) opts.shell = shell;
  return opts;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

/** Python truthiness of a function's return (onlyif/unless with `fun:`). */
function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** Salt's traverse_dict_and_list: `a:b:0` into nested dicts and lists. */
function traverse(v: unknown, path: string): unknown {
  let cur: unknown = v;
  for (const part of path.split(':')) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (cur !== null && typeof cur === 'object') cur = (cur as Record<string, unknown>)[part];
    else return undefined;
  }
  return cur;
}

export class RunChecker {
  constructor(
    private readonly salt: SaltCall,
    private readonly log: Logger,
    /** The `shell` grain: the shell commands run with when the chunk names none. */
    private readonly shell?: string,
  ) {}

  private async retcode(cmd: string, opts: Record<string, unknown>, onError: number): Promise<number> {
    try {
      return Number(await this.salt('cmd.retcode', [cmd], { ...opts, python_shell: true, ignore_retcode: true }));
    } catch {
      // A command that cannot run at all: onlyif treats it as failed (100), unless as succeeded (0).
      return onError;
    }
  }

  /** `{fun: 'file.file_exists', args: [...], get_return: 'a:b', ...kwargs}`: the function's return, truthy or not. */
  private async funCheck(entry: Record<string, unknown>): Promise<boolean> {
    const { fun, args, get_return: getReturn, ...kwargs } = entry;
    let result = await this.salt(String(fun), Array.isArray(args) ? args : [], kwargs);
    if (typeof getReturn === 'string' && getReturn !== '') result = traverse(result, getReturn);
    return truthy(result);
  }

  private async onlyif(low: LowChunk, opts: Record<string, unknown>): Promise<OneCheck> {
    const ret: OneCheck = { result: false };
    const no = (): OneCheck =>
      Object.assign(ret, { comment: 'onlyif condition is false', skip_watch: true, result: true });
    for (const entry of asList(low.onlyif)) {
      if (typeof entry === 'string') {
        const code = await this.retcode(entry, opts, 100);
        this.debug('onlyif', code);
        if (code !== 0) return no();
        Object.assign(ret, { comment: 'onlyif condition is true', result: false });
      } else if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) {
        if (!('fun' in entry)) return { result: false, comment: `no \`fun\` argument in onlyif: ${pyRepr(entry)}` };
        if (!(await this.funCheck(entry))) return no();
        Object.assign(ret, { comment: 'onlyif condition is true', result: false });
      } else {
        return { result: false, comment: 'onlyif execution failed, bad type passed' };
      }
    }
    return ret;
  }

  private async unless(low: LowChunk, opts: Record<string, unknown>): Promise<OneCheck> {
    let ret: OneCheck = { result: false };
    const yes = (): OneCheck => ({ comment: 'unless condition is true', skip_watch: true, result: true });
    const no = (): OneCheck => ({ comment: 'unless condition is false', result: false });
    for (const entry of asList(low.unless)) {
      if (typeof entry === 'string') {
        const code = await this.retcode(entry, opts, 0);
        this.debug('unless', code);
        // Any command that fails means the state runs.
        if (code !== 0) return no();
        ret = yes();
      } else if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) {
        if (!('fun' in entry)) return { ...ret, comment: `no \`fun\` argument in unless: ${pyRepr(entry)}` };
        if (!(await this.funCheck(entry))) return no();
        ret = yes();
      } else {
        ret = { comment: 'unless condition is false, bad type passed', result: false };
      }
    }
    return ret;
  }

  private static creates(low: LowChunk): OneCheck {
    const c = low.creates;
    if (typeof c === 'string' && existsSync(c)) return { result: true, comment: `${c} exists`, skip_watch: true };
    if (Array.isArray(c) && c.every((p) => typeof p === 'string' && existsSync(p))) {
      return { result: true, comment: 'All files in creates exist', skip_watch: true };
    }
    return { result: false, comment: 'Creates files not found' };
  }

  private debug(which: string, code: number): void {
    this.log.debug({ check: which, retcode: code }, 'run check: last command return code');
  }

  /** Salt's _run_check: onlyif, then unless, then creates; any of them true skips the state. */
  async check(low: LowChunk): Promise<CheckRet> {
    const ret: CheckRet = { result: false, comment: [], name: low.name, __sls__: low.__sls__, __id__: low.__id__ };
    const opts = cmdOpts(low, this.shell);
    // Any check that says "skip" wins: results and skip_watch are or-ed.
    const merge = (r: OneCheck): void => {
      ret.result = r.result || ret.result;
      if (r.comment !== undefined) ret.comment.push(r.comment);
      if (r.skip_watch !== undefined) ret.skip_watch = r.skip_watch || ret.skip_watch === true;
    };
    if ('onlyif' in low) merge(await this.onlyif(low, opts));
    if ('unless' in low) merge(await this.unless(low, opts));
    if ('creates' in low) merge(RunChecker.creates(low));
    return ret;
  }

  /** Salt's _run_check_cmd: every command must succeed for the state to count as succeeded. */
  async checkCmd(low: LowChunk): Promise<CheckRet> {
    const ret: CheckRet = { result: false, comment: [], name: low.name, __sls__: low.__sls__, __id__: low.__id__ };
    const opts = this.shell === undefined ? {} : { shell: this.shell };
    for (const entry of asList(low.check_cmd)) {
      const code = await this.retcode(String(entry), opts, 1);
      if (code === 0 && !ret.result) {
        Object.assign(ret, { result: true, comment: ['check_cmd determined the state succeeded'] });
      } else if (code !== 0) {
        return Object.assign(ret, { result: false, comment: ['check_cmd determined the state failed'] });
      }
    }
    return ret;
  }
}
