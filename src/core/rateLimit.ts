/**
 * A token bucket that paces API requests under a per-second quota (Lambda's control plane
 * allows 15 requests per second per Region). Shared by every caller that holds it, so
 * parallel work against one Region stays under one budget. Clock and sleep are injected.
 */

export interface RateLimiter {
  /** Resolves when one request may be sent. */
  acquire(): Promise<void>;
  readonly ratePerSecond: number;
}

export interface RateLimiterOptions {
  ratePerSecond: number;
  /** Requests allowed back to back before pacing starts. Default: 1 (no burst). */
  burst?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { ratePerSecond } = options;
  if (!(ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${ratePerSecond}`);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const interval = 1000 / ratePerSecond;
  const burst = Math.max(1, options.burst ?? 1);
  // The time at which the next request may go; reservations are handed out in order, so
  // concurrent callers queue fairly without a lock.
  let nextFree = Number.NEGATIVE_INFINITY;
  return {
    ratePerSecond,
    async acquire() {
      const t = now();
      const earliest = Math.max(nextFree, t - (burst - 1) * interval);
      nextFree = earliest + interval;
      const wait = earliest - t;
      if (wait > 0) await sleep(wait);
    },
  };
}
