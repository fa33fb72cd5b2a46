/**
 * At most `max` holders at once (<= 0: no limit); the rest wait in order.
 * Salt's `process_count_max` for jobs; tsalt-swarm's first sign-ins.
 */
export class Slots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  get full(): boolean {
    return this.max > 0 && this.busy >= this.max;
  }

  async acquire(): Promise<void> {
    if (!this.full) {
      this.busy += 1;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r)); // the releaser hands its slot over
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy -= 1;
  }
}
