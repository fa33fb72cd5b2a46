import { TsaltError } from '@tsalt/core';

/**
 * An unknown function, in Salt's words (its loader's `missing_fun_string`):
 * `'foo.bar' is not available.`, or, when the module's `virtual()` refused
 * to load it, `'foo' __virtual__ returned False: <why>`.
 */
export class FunctionNotAvailableError extends TsaltError {
  constructor(
    readonly fun: string,
    readonly reason?: string,
  ) {
    const mod = fun.split('.')[0] ?? fun;
    super(
      'FUNCTION_NOT_AVAILABLE',
      reason === undefined ? `'${fun}' is not available.` : `'${mod}' __virtual__ returned False: ${reason}`,
    );
  }
}

/**
 * Salt's CommandExecutionError: a module ran a command and it failed. The
 * minion answers `ERROR: <message>` with retcode 1; `info` (e.g. a failed
 * pkg.install's `{errors, changes}`) is there for callers such as states.
 */
export class CommandExecutionError extends TsaltError {
  constructor(
    message: string,
    readonly info?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super('COMMAND_EXECUTION_FAILED', message, options);
  }
}

/** Salt's SaltInvocationError: arguments that make no sense together; `ERROR executing '<fun>': <message>`. */
export class SaltInvocationError extends TsaltError {
  constructor(message: string) {
    super('SALT_INVOCATION', message);
  }
}

/** Arguments that do not fit the function's parameters. */
export class InvalidArgumentsError extends TsaltError {
  constructor(message: string) {
    super('INVALID_ARGUMENTS', message);
  }
}

/** A plugin file that failed to import or is malformed. */
export class PluginLoadError extends TsaltError {
  constructor(file: string, cause: unknown) {
    super('PLUGIN_LOAD_FAILED', `failed to load plugin ${file}`, { cause });
  }
}
