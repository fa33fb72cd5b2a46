import { TsaltError } from '@tsalt/core';

/**
 * A failure inside an execution module, with a stable `code`:
 * - `RUNAS_FAILED`: the runas user does not exist, or we cannot switch to it;
 * - `CWD_INVALID`: the working directory is not absolute or does not exist;
 * - `SHELL_UNAVAILABLE`: the requested shell is not an executable file;
 * - `CMD_SPAWN_FAILED`: the command could not be started (e.g. not found);
 * - `CMD_BAD_QUOTING`: `python_shell=False` and the command does not split;
 * - `CMD_NOT_PERMITTED`: blocked by `cmd_blacklist_glob` / `cmd_whitelist_glob`;
 * - `TEST_EXCEPTION`: raised on purpose by `test.exception`;
 * - `COMMAND_EXECUTION_ERROR`: Salt's CommandExecutionError (the host refused);
 *   the minion returns `ERROR: <message>`, as Salt's does;
 * - `SALT_INVOCATION_ERROR`: Salt's SaltInvocationError (impossible arguments);
 *   the minion returns `ERROR executing '<fun>': <message>`.
 * The minion turns any of these into an error return with retcode 1.
 */
export class ModuleError extends TsaltError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
