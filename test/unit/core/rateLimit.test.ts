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

  it('never lets concurrent callers exceed the rate in any one-second window', async () => {
    let t = 0;
    const sent: number[] = [];
    const limiter = createRateLimiter({
      ratePerSecond: 15,
      burst: 1,
      now: () => t,
      sleep: (ms) => new Promise((r) => setTimeout(r, 0)).then(() => void (t = Math.max(t, ms + t))),
    });
    await Promise.all(
      Array.from({ length: 45 }, async () => {
        await limiter.acquire();
        sent.push(t);
      }),
    );
    expect(sent).toHaveLength(45);
    // Reservations are handed out in order: request k may not go before k / 15 seconds.
    const reservations = [...sent].sort((a, b) => a - b);
    for (let k = 0; k < reservations.length; k++) {
      expect(reservations[k]).toBeGreaterThanOrEqual(Math.floor((k * 1000) / 15) - 1);
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
