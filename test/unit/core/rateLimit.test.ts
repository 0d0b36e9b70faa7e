import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/core/rateLimit.ts';

/** A fake clock: sleeping advances time, so pacing is exact and instant. */
function fakeClock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

describe('createRateLimiter', () => {
  it('spaces requests at the rate once the burst is used', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ ratePerSecond: 10, burst: 3, ...clock });
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      await limiter.acquire();
      times.push(clock.now());
    }
    expect(times).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it('spaces 45 concurrent callers at 1/15 s each, so no second sees more than 15', async () => {
    // Time stands still while all callers queue, so each one's send time is its wait; a caller
    // that may go at once does not sleep at all.
    const waits: number[] = [];
    const limiter = createRateLimiter({
      ratePerSecond: 15,
      burst: 1,
      now: () => 0,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await Promise.all(Array.from({ length: 45 }, () => limiter.acquire()));
    const sendTimes = [...waits, ...new Array<number>(45 - waits.length).fill(0)];
    const sorted = [...sendTimes].sort((a, b) => a - b);
    expect(sorted).toHaveLength(45);
    for (let k = 1; k < sorted.length; k++) {
      expect((sorted[k] as number) - (sorted[k - 1] as number)).toBeCloseTo(1000 / 15, 6);
    }
    for (let second = 0; second < 3; second++) {
      const inWindow = sorted.filter((t) => t >= second * 1000 - 1e-6 && t < (second + 1) * 1000 - 1e-6);
      expect(inWindow).toHaveLength(15);
    }
  });

  it('refills after idle time', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ ratePerSecond: 2, burst: 2, ...clock });
    await limiter.acquire();
    await limiter.acquire();
    await clock.sleep(5000);
    const before = clock.now();
    await limiter.acquire();
    expect(clock.now()).toBe(before);
  });

  it('rejects a rate of zero', () => {
    expect(() => createRateLimiter({ ratePerSecond: 0 })).toThrow(/ratePerSecond/);
  });
});
