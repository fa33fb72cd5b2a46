import { TsaltError } from '@tsalt/core';
import { CommandExecutionError } from '@tsalt/loader';

/**
 * A failure inside an execution module, with a stable `code`:
 * - `RUNAS_FAILED`: the runas user does not exist, or we cannot switch to it;
 * - `CWD_INVALID`: the working directory is not absolute or does not exist;
 * - `SHELL_UNAVAILABLE`: the requested shell is not an executable file;
 * - `CMD_SPAWN_FAILED`: the command could not be started (e.g. not found);
 * - `CMD_BAD_QUOTING`: `python_shell=False` and the command does not split;
 * - `CMD_NOT_PERMITTED`: blocked by `cmd_blacklist_glob` / `cmd_whitelist_glob`;
 * - `USER_MISSING` / `GROUP_MISSING`: user.* / group.* on a name that does not exist;
 * - `COMMAND_MISSING`: a tool a module needs (useradd, gpasswd...) is not installed;
 * - `COMMAND_EXECUTION_ERROR`: Salt's CommandExecutionError (the host refused).
 * Impossible arguments are the loader's SaltInvocationError (`ERROR executing '<fun>': …`), not a ModuleError.
 * Every ModuleError is a CommandExecutionError (the loader's, as in Salt): the minion returns
 * `ERROR: <message>` with retcode 1, and tsalt-call prints `Error running '<fun>': <message>`.
 */
export class ModuleError extends CommandExecutionError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, undefined, { ...options, code });
  }
}

/**
 * `test.exception`'s error (code `TEST_EXCEPTION`): Salt raises a bare
 * Exception there, so this is not a ModuleError and reads as a crash of the
 * function ("The minion function caused an exception").
 */
export class TestException extends TsaltError {
  constructor(message: string) {
    super('TEST_EXCEPTION', message);
  }
}
