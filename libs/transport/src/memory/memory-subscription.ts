import type { Subscription } from '../types.js';

/** A subscription's queue: payloads wait until read; closing ends the reader. */
export class MemorySubscription implements Subscription {
  private readonly queue: Buffer[] = [];
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(private readonly onClose: () => void) {}

  push(payload: Buffer): void {
    if (this.closed) return;
    this.queue.push(payload);
    this.wakeUp();
  }

  async *messages(): AsyncGenerator<Buffer> {
    for (;;) {
      const next = this.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  close(): void {
    this.closed = true;
    this.onClose();
    this.wakeUp();
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
