/**
 * Counts attempts per key in fixed one-window buckets, in memory. Login throttling per username and per address,
 * so a password-guessing run against one account is stopped without locking out anyone else.
 * Known limit: the counts live in one API process; with several replicas each counts on its own.
 */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one attempt; returns null if allowed, or the seconds to wait. */
  hit(key: string): number | null {
    const now = this.now();
    if (this.windows.size > 10_000) {
      for (const [k, w] of this.windows) {
        if (now - w.startedAt >= this.windowMs) {
          this.windows.delete(k);
        }
      }
    }
    const window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      this.windows.set(key, { startedAt: now, count: 1 });
      return null;
    }
    window.count++;
    return window.count > this.max ? Math.ceil((window.startedAt + this.windowMs - now) / 1000) : null;
  }
}
