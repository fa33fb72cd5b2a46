import { TsaltError } from '@tsalt/core';

/** `'foo.bar' is not available.`: Salt's exact wording for an unknown function. */
export class FunctionNotAvailableError extends TsaltError {
  constructor(
    readonly fun: string,
    reason?: string,
  ) {
    super('FUNCTION_NOT_AVAILABLE', `'${fun}' is not available.${reason ? ` (${reason})` : ''}`);
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
