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
