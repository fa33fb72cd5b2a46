import type { Logger } from '@tsalt/core';
import { errorLine } from '@tsalt/core';
import {
  CommandExecutionError,
  computeRetcode,
  SaltInvocationError,
  splitPublishArgs,
  FunctionNotAvailableError,
  InvalidArgumentsError,
  type CallOptions,
  type Registry,
} from '@tsalt/loader';
import type { ReturnLoad } from '@tsalt/returners';
import type { PublishLoad } from '@tsalt/transport';

/** Salt's EX_GENERIC: the retcode of a job whose function failed. */
const EX_GENERIC = 1;

/** The `_return` load, less the transport fields (tok, nonce): Salt's return shape. */
export type JobReturn = ReturnLoad & { cmd: '_return'; user?: string };

/**
 * Runs one published function and shapes the return as Salt's minion does
 * (`_thread_return`): unknown functions, bad arguments and exceptions become
 * a return with retcode 1, never a crash.
 */
export async function runJob(
  registry: Registry,
  id: string,
  load: PublishLoad,
  log: Logger,
  call: Pick<CallOptions, 'fireEvent' | 'services'> = {},
): Promise<JobReturn> {
  const ret = baseReturn(id, load);
  const { fun, jid, fun_args: arg } = ret;
  try {
    const { args, kwargs } = splitPublishArgs(arg);
    for (const k of ['jid', 'tgt', 'tgt_type', 'user'] as const) {
      if (load[k] !== undefined) kwargs[`__pub_${k}`] = load[k];
    }
    kwargs['__pub_fun'] = fun;
    const result = await registry.call(fun, args, kwargs, { ...call, jid });
    ret.return = result.return;
    ret.retcode = computeRetcode(result.return, result.retcode);
    if (result.outputter) ret.out = result.outputter;
  } catch (err) {
    ret.retcode = EX_GENERIC;
    if (err instanceof FunctionNotAvailableError) {
      ret.return = err.message; // Salt's missing_fun_string, with virtual()'s reason when there is one
    } else if (err instanceof InvalidArgumentsError) {
      ret.return = err.message;
      ret.out = 'nested';
    } else if (err instanceof SaltInvocationError) {
      // Salt's SaltInvocationError: impossible arguments, no traceback.
      log.warn({ jid, fun, err: errorLine(err) }, `Problem executing '${fun}'`);
      ret.return = `ERROR executing '${fun}': ${err.message}`;
      ret.out = 'nested';
    } else if (err instanceof CommandExecutionError) {
      // Salt's CommandExecutionError (modules' ModuleError is one): the host refused.
      log.warn({ jid, fun, err: errorLine(err) }, `A command in '${fun}' had a problem`);
      ret.return = `ERROR: ${err.message}`;
      ret.out = 'nested';
    } else {
      log.warn({ jid, fun, err: errorLine(err) }, 'job function raised');
      ret.return = `The minion function caused an exception: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
      ret.out = 'nested';
    }
  }
  ret.success = ret.retcode === 0;
  return ret;
}

/** The return's fixed fields for a publish load, before the function runs. */
export function baseReturn(id: string, load: PublishLoad): JobReturn {
  const ret: JobReturn = {
    cmd: '_return',
    id,
    jid: load.jid,
    fun: String(load.fun),
    fun_args: load.arg,
    return: null,
    retcode: 0,
    success: true,
  };
  if (load.user !== undefined) ret.user = load.user;
  if (load.metadata !== undefined) ret['metadata'] = load.metadata;
  return ret;
}

/** The return of a job whose process died without being told to (a crash), or could not start. */
export function failedReturn(id: string, load: PublishLoad, message: string): JobReturn {
  return {
    ...baseReturn(id, load),
    return: `The minion function caused an exception: ${message}`,
    retcode: EX_GENERIC,
    success: false,
    out: 'nested',
  };
}
