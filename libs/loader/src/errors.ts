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
    options?: { cause?: unknown; code?: string },
  ) {
    // A lib's own subclass (modules' ModuleError) keeps its finer code.
    super(options?.code ?? 'COMMAND_EXECUTION_FAILED', message, options);
  }
}

/** Salt's SaltInvocationError: arguments that make no sense together; `ERROR executing '<fun>': <message>`. */
export class SaltInvocationError extends TsaltError {
  constructor(message: string) {
    super('SALT_INVOCATION', message);
  }
}

/**
 * Arguments that do not fit the function's parameters. `kind` says which of
 * Salt's two failures it is: `type` is Python's TypeError from the call
 * (`echo() missing 1 required positional argument: 'text'`), which Salt
 * answers with "Passed invalid arguments" and the function's doc; `kwargs`
 * is a keyword the function does not take, which Salt's minion refuses
 * before the call with "The following keyword arguments are not valid".
 * `message` is the text a minion returns for it.
 */
export class InvalidArgumentsError extends TsaltError {
  constructor(
    readonly fun: string,
    /** Python's TypeError text, or Salt's invalid-kwargs line. */
    readonly reason: string,
    /** The function's doc, Salt's "Usage". */
    readonly usage: string = '',
    readonly kind: 'type' | 'kwargs' = 'type',
  ) {
    super(
      'INVALID_ARGUMENTS',
      kind === 'kwargs'
        ? `ERROR executing '${fun}': ${reason}`
        : `Passed invalid arguments to ${fun}: ${reason}\n${usage}`,
    );
  }
}

/** A plugin file that failed to import or is malformed. */
export class PluginLoadError extends TsaltError {
  constructor(file: string, cause: unknown) {
    super('PLUGIN_LOAD_FAILED', `failed to load plugin ${file}`, { cause });
  }
}
