/**
 * Base class for every tsalt error. Each lib subclasses it with its own
 * classes, each carrying a stable `code` that CLIs map to an exit status.
 */
export class TsaltError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** One-line description of any thrown value, for logs and CLI errors. */
export function errorLine(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}
