/**
 * Counts failed attempts per key in fixed windows, in memory. Login throttling per username and per address: a
 * password-guessing run against one account is stopped without locking anyone else out, and successful logins
 * never count, so a busy office behind one address is not slowed down.
 * Known limit: the counts live in one API process; with several replicas each counts on its own.
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before `key` may try again, or null when it may try now. */
  retryAfter(key: string, max: number): number | null {
    const window = this.windows.get(key);
    if (!window || this.now() - window.startedAt >= this.windowMs || window.count < max) {
      return null;
    }
    return Math.max(1, Math.ceil((window.startedAt + this.windowMs - this.now()) / 1000));
  }

  recordFailure(key: string): void {
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
    } else {
      window.count++;
    }
  }
}
