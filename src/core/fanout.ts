/**
 * Runs one task per target (Region, function, image) with bounded concurrency, and never lets
 * one target's failure hide the others: every target ends with a value or an error.
 */

export type Settled<T> =
  | { target: string; ok: true; value: T; durationMs: number }
  | { target: string; ok: false; error: unknown; durationMs: number };

export interface FanOutOptions {
  /** How many targets run at once. Default: all of them. */
  concurrency?: number;
  now?: () => number;
}

export async function fanOut<T>(
  targets: readonly string[],
  task: (target: string, index: number) => Promise<T>,
  options: FanOutOptions = {},
): Promise<Settled<T>[]> {
  const now = options.now ?? Date.now;
  const limit = Math.max(1, Math.min(options.concurrency ?? targets.length, targets.length));
  const results: Settled<T>[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const index = next++;
      const target = targets[index] as string;
      const started = now();
      try {
        const value = await task(target, index);
        results[index] = { target, ok: true, value, durationMs: now() - started };
      } catch (error) {
        results[index] = { target, ok: false, error, durationMs: now() - started };
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}
