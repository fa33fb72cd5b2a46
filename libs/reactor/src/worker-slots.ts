/**
 * `reactor_worker_threads` slots: a job takes one before it starts and gives
 * it back when done. Waiters are served in order; `abort` fails them all
 * (the reactor is stopping: what they wait for stays queued on disk).
 */
export class WorkerSlots {
  private free: number;
  private waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  get busy(): number {
    return this.size - this.free;
  }

  acquire(): Promise<void> {
    if (this.free > 0 && this.waiters.length === 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next.resolve();
    else this.free = Math.min(this.size, this.free + 1);
  }

  abort(err: Error): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w.reject(err);
  }
}
