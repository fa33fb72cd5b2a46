/**
 * zeromq.js allows one pending send per socket; this chains sends so that
 * concurrent handlers never trip over each other. Failures are reported to
 * `onError` and never break the chain.
 */
export class SendQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly sendFn: (frames: Buffer[]) => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  send(frames: Buffer[]): Promise<void> {
    const next = this.tail.then(() => this.sendFn(frames)).catch((err: unknown) => this.onError(err));
    this.tail = next;
    return next;
  }
}
