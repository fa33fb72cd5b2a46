import { TsaltError } from '@tsalt/core';

/** Stable codes carried by {@link ConfigError}. */
export const CONFIG_INVALID = 'CONFIG_INVALID';
export const CONFIG_PARSE = 'CONFIG_PARSE';
export const CONFIG_READ = 'CONFIG_READ';

/**
 * A configuration that must stop startup. The message is one line that a CLI
 * can print as-is:
 * - `CONFIG_INVALID`: a key has a wrong type or value; the message names the key and its file.
 * - `CONFIG_PARSE`: a file is not valid YAML (`<file>: line N: <reason>`) or its top level is not a mapping.
 * - `CONFIG_READ`: a file exists but cannot be read (permissions, a folder in its place).
 */
export class ConfigError extends TsaltError {
  constructor(
    code: typeof CONFIG_INVALID | typeof CONFIG_PARSE | typeof CONFIG_READ,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
