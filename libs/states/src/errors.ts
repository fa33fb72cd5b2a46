import { TsaltError } from '@tsalt/core';

/*
 * What goes wrong in the state system. Compile problems (a bad SLS, a
 * missing include, a duplicate id, a missing requisite) do not escape a
 * run as exceptions: Salt reports them as the job's return, a list of
 * strings, or as a failed state. These classes carry them to that point
 * with a stable `code`; `message` is Salt's text.
 */
export class StateError extends TsaltError {}

/** An SLS that cannot be found, rendered or read as a state tree: `file` and `line` when known. */
export class SlsError extends StateError {
  static readonly CODE = 'STATE_BAD_SLS';
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(SlsError.CODE, message);
  }
}

/** Another state run holds the minion (Salt refuses a second concurrent run). */
export class StateRunningError extends StateError {
  static readonly CODE = 'STATE_RUNNING';
  constructor(message: string) {
    super(StateRunningError.CODE, message);
  }
}
