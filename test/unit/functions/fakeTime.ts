import { createRateLimiter } from '../../../src/core/rateLimit.ts';
import { createMemoryReporter } from '../../../src/core/reporter.ts';
import type { GateDeps } from '../../../src/functions/gate.ts';

/**
 * Fake time for the gate: `sleep` advances the clock at once, so a 15-minute wait runs in
 * microseconds and every delay is recorded. `random` is fixed, so jitter is exact.
 */
export function fakeTime(start = 1_000_000) {
  const clock = { t: start, sleeps: [] as number[] };
  const now = () => clock.t;
  const sleep = async (ms: number) => {
    clock.sleeps.push(ms);
    clock.t += ms;
  };
  return { clock, now, sleep };
}

export function gateDeps(
  lambda: GateDeps['lambda'],
  overrides: Partial<GateDeps> = {},
): GateDeps & { clock: { t: number; sleeps: number[] }; reporter: ReturnType<typeof createMemoryReporter> } {
  const { clock, now, sleep } = fakeTime();
  return {
    lambda,
    region: 'eu-west-1',
    now,
    sleep,
    random: () => 0.5,
    limiter: createRateLimiter({ ratePerSecond: 8, now, sleep }),
    ...overrides,
    clock,
    reporter: createMemoryReporter(),
  };
}

/** A GetFunction answer with the given state fields. */
export function fn(config: Record<string, unknown> = {}, code: Record<string, unknown> = {}) {
  return {
    Configuration: {
      FunctionName: 'orders',
      Version: '$LATEST',
      State: 'Active',
      LastUpdateStatus: 'Successful',
      CodeSha256: 'old-sha',
      RevisionId: 'rev-1',
      PackageType: 'Zip',
      ...config,
    },
    Code: code,
    $metadata: {},
  } as never;
}

/** An SDK-shaped service error. */
export function awsError(name: string, message = name, status = 400) {
  return Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode: status },
    $fault: status >= 500 ? 'server' : 'client',
  });
}
