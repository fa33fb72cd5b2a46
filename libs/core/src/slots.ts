/**
 * A counting semaphore: at most `size` holders at once (<= 0: no limit); the
 * rest wait in order, and a release hands its slot straight to the next
 * waiter. Salt's `process_count_max` for minion jobs, the reactor's
 * `reactor_worker_threads`, tsalt-swarm's first sign-ins. `abort` fails
 * every waiter (the owner is stopping).
 */
export class Slots {
  private held = 0;
  private waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];

  constructor(readonly size: number) {}

  /** Slots held now. */
  get busy(): number {
    return this.held;
  }

  /** Whether an acquire now would wait. */
  get full(): boolean {
    return this.size > 0 && this.held >= this.size;
  }

  acquire(): Promise<void> {
    if (!this.full && this.waiters.length === 0) {
      this.held += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next)
      next.resolve(); // the slot passes on: `held` stays
    else this.held = Math.max(0, this.held - 1);
  }

  abort(err: Error): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w.reject(err);
  }
}
