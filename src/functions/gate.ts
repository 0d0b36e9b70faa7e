import { GetFunctionCommand, type GetFunctionCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import { toAwsCallError } from '../aws/awsErrors.ts';
import { formatDuration } from '../core/duration.ts';
import { DeadlineError, GateFailedError } from '../core/errors.ts';
import { fanOut, type Settled } from '../core/fanout.ts';
import { createRateLimiter, defaultSleep, type RateLimiter } from '../core/rateLimit.ts';
import type { Reporter } from '../core/reporter.ts';
import { errorNameOf, isRetryableError, isThrottlingError } from '../core/retry.ts';
import { describeVerdict, evaluateFunctionState, type GateVerdict, INACTIVE_HINT } from './state.ts';

/**
 * The gate: polls GetFunction until a function is Active with LastUpdateStatus Successful.
 *
 * Why not the SDK waiters (waitUntilFunctionActiveV2 / waitUntilFunctionUpdatedV2 /
 * waitUntilPublishedVersionActive) directly? We keep their acceptors (same API, same fields,
 * same Active/Successful → done, Failed → stop, Pending/InProgress → retry) but not their loop:
 * - their delays are counted in seconds and default to 1 s growing to 300 s (5 s → 1560 s for
 *   published versions), drawn uniformly up to a doubling ceiling, so a function that is ready
 *   after 40 s may go unnoticed for a minute (bench/gate.ts measures it); we poll at 200 ms,
 *   ×1.5, capped at 2 s, and notice readiness within about a second;
 * - their FAILURE result is thrown as a JSON string, so StateReasonCode and
 *   LastUpdateStatusReasonCode would have to be parsed back out of a message;
 * - they retry on every error (ResourceNotFoundException, AccessDenied) until maxWaitTime, and
 *   treat Inactive as "retry", so a missing or idle function burns the whole timeout in silence;
 * - they read Date.now and setTimeout, so tests could not run on fake time, and several waiters
 *   running in parallel do not share one request budget.
 * GetFunction (not GetFunctionConfiguration) is polled, as the V2 waiters do: it has its own
 * quota of 100 requests/s per Region, apart from the 15 requests/s of the other control-plane
 * calls that the deploy itself needs.
 */

/** Fast at first, then backing off: readiness is noticed within ~1 s without flooding. */
export interface PollSchedule {
  initialMs: number;
  factor: number;
  maxMs: number;
  /** ± fraction of each delay, so parallel gates do not poll in lockstep. */
  jitter: number;
}

export const DEFAULT_SCHEDULE: PollSchedule = { initialMs: 200, factor: 1.5, maxMs: 2000, jitter: 0.2 };

/**
 * GetFunction calls per second shared by every gate of one command: 8 % of GetFunction's
 * 100 requests/s account quota (which cannot be raised), and under the client's own pacer of
 * 10 requests/s per Region, so the deploy's own calls (UpdateFunctionCode, PublishVersion,
 * UpdateAlias) still find room.
 */
export const DEFAULT_GATE_RATE = 8;

/** The delay before poll number `attempt + 1` (attempt 0 follows the first check). */
export function pollDelay(
  attempt: number,
  schedule: PollSchedule = DEFAULT_SCHEDULE,
  random = Math.random,
): number {
  const base = Math.min(schedule.maxMs, schedule.initialMs * schedule.factor ** attempt);
  const spread = 1 - schedule.jitter + 2 * schedule.jitter * random();
  return Math.max(1, Math.round(base * spread));
}

export interface GateDeps {
  lambda: Pick<LambdaClient, 'send'>;
  region: string;
  reporter: Reporter;
  /** Shared by every gate of one command (one request budget per Region). */
  limiter: RateLimiter;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random?: () => number;
  signal?: AbortSignal;
  schedule?: PollSchedule;
}

/** Builds gate deps with real time and a fresh shared limiter. */
export function createGateDeps(
  lambda: Pick<LambdaClient, 'send'>,
  region: string,
  reporter: Reporter,
  overrides: Partial<GateDeps> = {},
): GateDeps {
  const now = overrides.now ?? Date.now;
  const sleep = overrides.sleep ?? defaultSleep;
  return {
    lambda,
    region,
    reporter,
    now,
    sleep,
    limiter: overrides.limiter ?? createRateLimiter({ ratePerSecond: DEFAULT_GATE_RATE, now, sleep }),
    ...(overrides.random ? { random: overrides.random } : {}),
    ...(overrides.signal ? { signal: overrides.signal } : {}),
    ...(overrides.schedule ? { schedule: overrides.schedule } : {}),
  };
}

export type CheckResult =
  | { kind: 'seen'; verdict: GateVerdict; response: GetFunctionCommandOutput }
  /** Throttled or a transient fault: nothing learnt, try again later. */
  | { kind: 'retry'; why: string; throttled: boolean };

/** One GetFunction under the shared budget, classified. Never sleeps beyond the limiter. */
export async function checkFunction(deps: GateDeps, name: string, qualifier?: string): Promise<CheckResult> {
  await deps.limiter.acquire();
  try {
    const response = await deps.lambda.send(
      new GetFunctionCommand({ FunctionName: name, ...(qualifier ? { Qualifier: qualifier } : {}) }),
    );
    return { kind: 'seen', verdict: evaluateFunctionState(response.Configuration), response };
  } catch (error) {
    const where = { service: 'Lambda', operation: 'GetFunction', region: deps.region };
    if (errorNameOf(error) === 'ResourceNotFoundException') {
      const what = qualifier ? `Version or alias '${qualifier}' of function ${name}` : `Function ${name}`;
      throw new GateFailedError(name, `${what} does not exist in ${deps.region}`, {
        hint: 'check the function name and --region (deploykit deploys code to existing functions; create the function first)',
        reasonCode: 'ResourceNotFoundException',
        cause: toAwsCallError(error, where),
      });
    }
    if (isRetryableError(error)) {
      return {
        kind: 'retry',
        why: errorNameOf(error) ?? 'transient error',
        throttled: isThrottlingError(error),
      };
    }
    throw toAwsCallError(error, where);
  }
}

/** The error a settled, non-ready verdict stops the gate with. */
export function verdictError(name: string, verdict: GateVerdict): GateFailedError {
  if (verdict.kind === 'inactive') {
    return new GateFailedError(name, describeVerdict(name, verdict), {
      hint: INACTIVE_HINT.replace('NAME', name),
      ...(verdict.stateReasonCode ? { reasonCode: verdict.stateReasonCode } : {}),
    });
  }
  if (verdict.kind === 'failed') {
    const code = verdict.failed === 'state' ? verdict.stateReasonCode : verdict.lastUpdateStatusReasonCode;
    return new GateFailedError(name, describeVerdict(name, verdict), {
      hint:
        verdict.failed === 'state'
          ? 'fix the cause above; a function whose creation Failed must be deleted and created again'
          : 'the function still runs its previous code; fix the cause above and deploy again',
      ...(code ? { reasonCode: code } : {}),
    });
  }
  return new GateFailedError(name, describeVerdict(name, verdict));
}

export interface GateOptions {
  /** A version or alias instead of $LATEST. */
  qualifier?: string;
  /** Absolute time (deps.now clock) after which the gate gives up, after one last check. */
  deadlineAt: number;
  /**
   * Decides what a non-ready verdict means; by default only `wait` waits, anything else stops.
   * Returning 'go' lets the deploy act on an Inactive function (an update wakes it).
   */
  onVerdict?: (verdict: GateVerdict) => 'go' | 'wait' | 'stop';
}

export interface GateResult {
  name: string;
  verdict: GateVerdict;
  response: GetFunctionCommandOutput;
  /** GetFunction calls made, throttled ones included. */
  attempts: number;
  throttles: number;
  waitedMs: number;
}

/**
 * Waits until one function (or version) is ready: Active and Successful. Throws GateFailedError
 * (Failed, Inactive, missing) with both reason codes, or DeadlineError after a last check at
 * the deadline, so it never reports a timeout for an update that had in fact succeeded.
 */
export async function waitForFunction(
  deps: GateDeps,
  name: string,
  options: GateOptions,
): Promise<GateResult> {
  const started = deps.now();
  const schedule = deps.schedule ?? DEFAULT_SCHEDULE;
  const random = deps.random ?? Math.random;
  let attempts = 0;
  let throttles = 0;
  let step = 0;
  let last = 'no answer yet';
  let lastWhy = '';
  for (;;) {
    if (deps.signal?.aborted) throw new DeadlineError(`Stopped waiting for ${name}: ${last}`);
    const check = await checkFunction(deps, name, options.qualifier);
    attempts += 1;
    if (check.kind === 'seen') {
      const v = check.verdict;
      const decision =
        v.kind === 'ready' ? 'go' : (options.onVerdict?.(v) ?? (v.kind === 'wait' ? 'wait' : 'stop'));
      if (decision === 'go') {
        return {
          name,
          verdict: v,
          response: check.response,
          attempts,
          throttles,
          waitedMs: deps.now() - started,
        };
      }
      if (decision === 'stop') throw verdictError(name, v);
      last = describeVerdict(name, v);
      const why = v.kind === 'wait' ? v.why : v.kind;
      if (why !== lastWhy)
        deps.reporter.info(`${name}${options.qualifier ? `:${options.qualifier}` : ''}: ${why}; waiting`);
      lastWhy = why;
    } else {
      if (check.throttled) throttles += 1;
      deps.reporter.debug(`${name}: GetFunction ${check.why}; trying again`);
      // A throttle says the budget is spent: skip ahead in the schedule rather than retry soon.
      if (check.throttled) step += 2;
    }
    const now = deps.now();
    if (now >= options.deadlineAt) {
      throw new DeadlineError(
        `${name} was not ready after ${formatDuration(now - started)} (${attempts} checks): ${last}`,
        { hint: 'raise --timeout, or look at the function in the Lambda console for what it is waiting on' },
      );
    }
    // The last sleep ends exactly at the deadline, so the final answer comes from a last look.
    await deps.sleep(Math.min(pollDelay(step, schedule, random), options.deadlineAt - now));
    step += 1;
  }
}

/**
 * Gates several functions in parallel under the one shared limiter in `deps`; one function's
 * failure never hides the others' results.
 */
export async function waitForFunctions(
  deps: GateDeps,
  names: readonly string[],
  options: GateOptions,
): Promise<Settled<GateResult>[]> {
  return fanOut(names, (name) => waitForFunction(deps, name, options), { now: deps.now });
}
