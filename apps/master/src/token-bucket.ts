/**
 * At most `perSecond` takes a second on average, with bursts of as many:
 * the rate at which the master spends an RSA signature on a peer it does
 * not know yet (a refused sign-in, ~1 ms of CPU each at 2048 bits).
 */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
  }

  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
