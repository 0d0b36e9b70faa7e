import { describe, expect, it } from 'vitest';
import { fanOut } from '../../../src/core/fanout.ts';

describe('fanOut', () => {
  it('gives every target a result, in order, even when some fail', async () => {
    const results = await fanOut(['a', 'b', 'c'], async (t) => {
      if (t === 'b') throw new Error('b broke');
      return t.toUpperCase();
    });
    expect(results.map((r) => [r.target, r.ok])).toEqual([
      ['a', true],
      ['b', false],
      ['c', true],
    ]);
    expect(results[0]).toMatchObject({ ok: true, value: 'A' });
    expect(results[1]).toMatchObject({ ok: false, error: new Error('b broke') });
  });

  it('runs at most `concurrency` tasks at once', async () => {
    let running = 0;
    let peak = 0;
    await fanOut(
      Array.from({ length: 10 }, (_, i) => `t${i}`),
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
      },
      { concurrency: 3 },
    );
    expect(peak).toBe(3);
  });

  it('handles no targets', async () => {
    expect(await fanOut([], async () => 1)).toEqual([]);
  });
});
