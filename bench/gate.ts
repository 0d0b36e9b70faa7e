/**
 * bench/gate: how fast the function gate notices readiness, and what it costs in API calls.
 *
 * 50 functions become ready (Pending → Active) at random times within 60 s, on a simulated
 * clock (no real waiting, loopback-free). A fake Lambda enforces a GetFunction quota of
 * 15 requests/s as a token bucket (burst 15) and answers TooManyRequestsException beyond it.
 * Compared, on the same readiness times:
 *   - deploykit's gate: 200 ms ×1.5 capped at 2 s with jitter, all gates under one shared
 *     8 requests/s limiter (src/functions/gate.ts, the code the CLI runs);
 *   - the SDK waiter's schedule (waitUntilFunctionActiveV2: minDelay 1 s, maxDelay 300 s,
 *     exponential with jitter, as @smithy's poller computes it), one waiter per function;
 *   - a fixed-interval poller every 1 s (the waiter's minDelay), one per function.
 * Printed: delay between readiness and the gate noticing it (mean, p95, max), GetFunction
 * calls per function, throttling errors seen, and ratios against the SDK waiter's schedule.
 * Run: npx tsx bench/gate.ts [--functions 50,5] [--window 60] [--seeds 5] [--quota 15]
 */
import { parseArgs } from 'node:util';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { createRateLimiter } from '../src/core/rateLimit.ts';
import { createMemoryReporter } from '../src/core/reporter.ts';
import { DEFAULT_GATE_RATE, type GateDeps, waitForFunctions } from '../src/functions/gate.ts';
import { createSimulatedClock, type SimulatedClock } from '../src/functions/simulatedClock.ts';

const { values } = parseArgs({
  options: {
    functions: { type: 'string', default: '50,5' },
    window: { type: 'string', default: '60' },
    seeds: { type: 'string', default: '5' },
    quota: { type: 'string', default: '15' },
  },
});
const SIZES = String(values.functions).split(',').map(Number);
let FUNCTIONS = SIZES[0] as number;
const WINDOW_MS = Number(values.window) * 1000;
const SEEDS = Number(values.seeds);
const QUOTA = Number(values.quota);

/** A small seeded PRNG, so every strategy sees the same readiness times and the run repeats. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FakeLambda {
  send(command: { input: { FunctionName?: string | undefined } }): Promise<unknown>;
  calls: Map<string, number>;
  throttles: number;
  /** First time each function was seen Active. */
  noticed: Map<string, number>;
}

/** GetFunction only: Pending before the function's ready time, Active after; a 15 req/s bucket. */
function fakeLambda(clock: SimulatedClock, readyAt: Map<string, number>, quota: number): FakeLambda {
  let tokens = quota;
  let last = clock.now();
  const fake: FakeLambda = {
    calls: new Map(),
    throttles: 0,
    noticed: new Map(),
    async send(command) {
      const name = command.input.FunctionName as string;
      fake.calls.set(name, (fake.calls.get(name) ?? 0) + 1);
      const now = clock.now();
      tokens = Math.min(quota, tokens + ((now - last) / 1000) * quota);
      last = now;
      if (tokens < 1) {
        fake.throttles += 1;
        throw Object.assign(new Error('Rate exceeded'), {
          name: 'TooManyRequestsException',
          $metadata: { httpStatusCode: 429 },
        });
      }
      tokens -= 1;
      const ready = now >= (readyAt.get(name) as number);
      if (ready && !fake.noticed.has(name)) fake.noticed.set(name, now);
      return {
        Configuration: {
          FunctionName: name,
          State: ready ? 'Active' : 'Pending',
          LastUpdateStatus: 'Successful',
        },
        $metadata: {},
      };
    },
  };
  return fake;
}

type Strategy = (
  clock: SimulatedClock,
  lambda: FakeLambda,
  names: string[],
  random: () => number,
) => Promise<void>;

const deploykitGate: Strategy = async (clock, lambda, names, random) => {
  const deps: GateDeps = {
    lambda: lambda as unknown as GateDeps['lambda'],
    region: 'us-east-1',
    reporter: createMemoryReporter(),
    now: clock.now,
    sleep: clock.sleep,
    random,
    limiter: createRateLimiter({ ratePerSecond: DEFAULT_GATE_RATE, now: clock.now, sleep: clock.sleep }),
  };
  const settled = await waitForFunctions(deps, names, { deadlineAt: clock.now() + 15 * 60_000 });
  const failed = settled.filter((s) => !s.ok);
  if (failed.length > 0) throw new Error(`gate failed for ${failed.length} functions`);
};

/** Polls one function until Active with the given delay schedule; any error means "retry". */
async function pollUntilActive(
  clock: SimulatedClock,
  lambda: FakeLambda,
  name: string,
  delay: (attempt: number) => number,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) await clock.sleep(delay(attempt));
    try {
      const res = (await lambda.send(new GetFunctionCommand({ FunctionName: name }))) as {
        Configuration: { State: string };
      };
      if (res.Configuration.State === 'Active') return;
    } catch {
      // The SDK waiter's acceptors treat every error as RETRY.
    }
  }
}

/** @smithy/util-waiter's exponentialBackoffWithJitter, in milliseconds. */
function sdkWaiterDelay(minMs: number, maxMs: number, random: () => number) {
  return (attempt: number) => {
    const ceiling = Math.log(maxMs / minMs) / Math.log(2) + 1;
    if (attempt > ceiling) return maxMs;
    const capped = Math.min(minMs * 2 ** (attempt - 1), maxMs);
    return minMs + random() * (capped - minMs);
  };
}

const sdkWaiterSchedule: Strategy = async (clock, lambda, names, random) => {
  await Promise.all(
    names.map((n) => pollUntilActive(clock, lambda, n, sdkWaiterDelay(1000, 300_000, random))),
  );
};

const fixedInterval: Strategy = async (clock, lambda, names) => {
  await Promise.all(names.map((n) => pollUntilActive(clock, lambda, n, () => 1000)));
};

interface Figures {
  lateMean: number;
  lateP95: number;
  lateMax: number;
  callsPerFunction: number;
  throttles: number;
}

async function measure(strategy: Strategy, seed: number): Promise<Figures> {
  const random = mulberry32(seed);
  const names = Array.from({ length: FUNCTIONS }, (_, i) => `fn-${String(i).padStart(2, '0')}`);
  const readyAt = new Map(names.map((n) => [n, Math.round(random() * WINDOW_MS)]));
  const clock = createSimulatedClock(0);
  const lambda = fakeLambda(clock, readyAt, QUOTA);
  await clock.run(strategy(clock, lambda, names, mulberry32(seed * 7919)));
  const late = names
    .map((n) => (lambda.noticed.get(n) as number) - (readyAt.get(n) as number))
    .sort((a, b) => a - b);
  const calls = [...lambda.calls.values()].reduce((a, b) => a + b, 0);
  return {
    lateMean: late.reduce((a, b) => a + b, 0) / late.length,
    lateP95: late[Math.min(late.length - 1, Math.ceil(0.95 * late.length) - 1)] as number,
    lateMax: late[late.length - 1] as number,
    callsPerFunction: calls / FUNCTIONS,
    throttles: lambda.throttles,
  };
}

async function average(strategy: Strategy): Promise<Figures> {
  const runs: Figures[] = [];
  for (let s = 1; s <= SEEDS; s++) runs.push(await measure(strategy, s));
  const mean = (k: keyof Figures) => runs.reduce((a, r) => a + r[k], 0) / runs.length;
  return {
    lateMean: mean('lateMean'),
    lateP95: mean('lateP95'),
    lateMax: mean('lateMax'),
    callsPerFunction: mean('callsPerFunction'),
    throttles: mean('throttles'),
  };
}

const started = performance.now();
for (const size of SIZES) {
  FUNCTIONS = size;
  const results: [string, Figures][] = [
    ['SDK waiter schedule (baseline)', await average(sdkWaiterSchedule)],
    ['fixed 1 s poller', await average(fixedInterval)],
    [`deploykit gate (${DEFAULT_GATE_RATE} req/s shared)`, await average(deploykitGate)],
  ];
  const base = results[0]?.[1] as Figures;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)}s`;
  const ratio = (v: number, b: number) => (b === 0 ? (v === 0 ? '—' : '∞') : `${(v / b).toFixed(2)}×`);

  console.log(
    `bench/gate: ${FUNCTIONS} functions ready at random times in ${WINDOW_MS / 1000}s, GetFunction quota ${QUOTA} req/s (token bucket), mean of ${SEEDS} seeds, simulated clock`,
  );
  const header = [
    'strategy',
    'late mean',
    'late p95',
    'late max',
    'calls/fn',
    'throttled',
    'late mean vs base',
    'calls vs base',
  ];
  const rows = results.map(([name, f]) => [
    name,
    s(f.lateMean),
    s(f.lateP95),
    s(f.lateMax),
    f.callsPerFunction.toFixed(1),
    f.throttles.toFixed(1),
    ratio(f.lateMean, base.lateMean),
    ratio(f.callsPerFunction, base.callsPerFunction),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i] as number)).join('  '));
  console.log(
    `("late" = time from the function becoming Active to the poller's first Active answer; ${((performance.now() - started) / 1000).toFixed(1)}s of real time)`,
  );
}
