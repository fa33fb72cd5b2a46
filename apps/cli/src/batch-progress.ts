/** Counts of a batch run, for the progress line. */
export interface BatchCounts {
  /** Minions that got the job in the run. */
  total: number;
  /** Returned or given up on. */
  done: number;
  running: number;
  /** Not started yet. */
  left: number;
  /** A retcode above 0, or no return. */
  failed: number;
}

/** What the progress line writes to: stderr, or a fake in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** Back to the start of the line, and erase it (ANSI EL). */
const CLEAR = '\r\x1b[K';

export function progressText(c: BatchCounts): string {
  return `[batch] ${c.done}/${c.total} done, ${c.running} running, ${c.left} left, ${c.failed} failed`;
}

/**
 * tsalt's addition to Salt's batch mode: one self-rewriting line of counts
 * on stderr, only when stderr is a terminal (a pipe or file gets nothing).
 * It is erased before anything else is printed, so returns never interleave
 * with it.
 */
export class BatchProgress {
  private shown = false;
  private readonly on: boolean;

  constructor(private readonly out: ProgressStream) {
    this.on = out.isTTY === true;
  }

  show(c: BatchCounts): void {
    if (!this.on) return;
    this.out.write(CLEAR + progressText(c));
    this.shown = true;
  }

  /** Erases the line, if one is shown: call before printing anything. */
  clear(): void {
    if (!this.shown) return;
    this.out.write(CLEAR);
    this.shown = false;
  }
}
