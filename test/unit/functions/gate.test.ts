import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DeadlineError, GateFailedError } from '../../../src/core/errors.ts';
import { createRateLimiter } from '../../../src/core/rateLimit.ts';
import { pollDelay, waitForFunction, waitForFunctions } from '../../../src/functions/gate.ts';
import { createSimulatedClock } from '../../../src/functions/simulatedClock.ts';
import { evaluateFunctionState } from '../../../src/functions/state.ts';
import { awsError, fn, gateDeps } from './fakeTime.ts';

const lambda = new LambdaClient({ region: 'eu-west-1' });
const mock = mockClient(lambda);
beforeEach(() => mock.reset());

const FIFTEEN_MIN = 15 * 60_000;

async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('evaluateFunctionState', () => {
  it('is ready only when Active and Successful (absent fields, as moto sends on create, count as settled)', () => {
    expect(evaluateFunctionState({ State: 'Active', LastUpdateStatus: 'Successful' }).kind).toBe('ready');
    expect(evaluateFunctionState({ State: 'Active' }).kind).toBe('ready');
    expect(evaluateFunctionState({ State: 'Pending', StateReasonCode: 'Creating' })).toMatchObject({
      kind: 'wait',
      why: 'State is Pending (Creating)',
    });
    expect(evaluateFunctionState({ State: 'Active', LastUpdateStatus: 'InProgress' }).kind).toBe('wait');
    expect(evaluateFunctionState({ State: 'Inactive', StateReasonCode: 'Idle' }).kind).toBe('inactive');
    expect(evaluateFunctionState({ State: 'Failed' })).toMatchObject({ kind: 'failed', failed: 'state' });
    expect(evaluateFunctionState({ State: 'Active', LastUpdateStatus: 'Failed' })).toMatchObject({
      kind: 'failed',
      failed: 'update',
    });
    expect(evaluateFunctionState({ State: 'ActiveNonInvocable' }).kind).toBe('wait');
  });
});

describe('pollDelay', () => {
  it('starts at 200 ms, grows ×1.5 and is capped at 2 s, with ±20 % jitter', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((a) => pollDelay(a, undefined, mid))).toEqual([
      200, 300, 450, 675, 1013, 1519, 2000, 2000,
    ]);
    expect(pollDelay(0, undefined, () => 0)).toBe(160);
    expect(pollDelay(9, undefined, () => 0.999999)).toBe(2400);
  });
});

describe('waitForFunction', () => {
  it('waits through Pending and returns once Active, noticing it on the next fast poll', async () => {
    mock
      .on(GetFunctionCommand)
      .resolvesOnce(fn({ State: 'Pending', StateReasonCode: 'Creating', LastUpdateStatus: undefined }))
      .resolvesOnce(fn({ State: 'Pending', StateReasonCode: 'Creating', LastUpdateStatus: undefined }))
      .resolves(fn());
    const deps = gateDeps(lambda);
    const started = deps.clock.t;
    const result = await waitForFunction(deps, 'orders', { deadlineAt: started + FIFTEEN_MIN });
    expect(result.verdict.kind).toBe('ready');
    expect(result.attempts).toBe(3);
    expect(deps.clock.sleeps.filter((s) => s >= 200)).toEqual([200, 300]);
    expect(deps.reporter.lines.map((l) => l.message)).toContain(
      'orders: State is Pending (Creating); waiting',
    );
  });

  it('stops on an update that goes InProgress then Failed, showing both reason codes and the reason', async () => {
    mock
      .on(GetFunctionCommand)
      .resolvesOnce(fn({ LastUpdateStatus: 'InProgress', LastUpdateStatusReasonCode: 'Creating' }))
      .resolves(
        fn({
          LastUpdateStatus: 'Failed',
          LastUpdateStatusReasonCode: 'ImageAccessDenied',
          LastUpdateStatusReason: 'Lambda does not have permission to access the ECR image.',
          StateReasonCode: 'Idle',
        }),
      );
    const deps = gateDeps(lambda);
    const error = await failureOf(
      waitForFunction(deps, 'orders', { deadlineAt: deps.clock.t + FIFTEEN_MIN }),
    );
    expect(error).toBeInstanceOf(GateFailedError);
    expect(error.message).toContain('LastUpdateStatusReasonCode ImageAccessDenied');
    expect(error.message).toContain('StateReasonCode Idle');
    expect(error.message).toContain('Lambda does not have permission to access the ECR image.');
    expect((error as GateFailedError).reasonCode).toBe('ImageAccessDenied');
    expect(mock.commandCalls(GetFunctionCommand)).toHaveLength(2);
  });

  it('stops on a function whose creation Failed, with StateReasonCode', async () => {
    mock.on(GetFunctionCommand).resolves(
      fn({
        State: 'Failed',
        StateReasonCode: 'SubnetOutOfIPAddresses',
        StateReason: 'No free IPs in subnet-1',
      }),
    );
    const deps = gateDeps(lambda);
    const error = await failureOf(
      waitForFunction(deps, 'orders', { deadlineAt: deps.clock.t + FIFTEEN_MIN }),
    );
    expect(error.message).toMatch(
      /State is Failed; StateReasonCode SubnetOutOfIPAddresses.*No free IPs in subnet-1/,
    );
    expect((error as GateFailedError).hint).toMatch(/delete/);
  });

  it('waits out throttling (TooManyRequestsException), backing off further, and counts it', async () => {
    mock
      .on(GetFunctionCommand)
      .rejectsOnce(awsError('TooManyRequestsException', 'Rate exceeded', 429))
      .rejectsOnce(awsError('TooManyRequestsException', 'Rate exceeded', 429))
      .resolves(fn());
    const deps = gateDeps(lambda);
    const result = await waitForFunction(deps, 'orders', { deadlineAt: deps.clock.t + FIFTEEN_MIN });
    expect(result).toMatchObject({ attempts: 3, throttles: 2 });
    // A throttle skips two steps ahead in the schedule: 450 ms, then 1519 ms, instead of 200, 300.
    expect(deps.clock.sleeps.filter((s) => s >= 200)).toEqual([450, 1519]);
  });

  it('says an Inactive function is Inactive and how to wake it, instead of waiting in silence', async () => {
    mock
      .on(GetFunctionCommand)
      .resolves(fn({ State: 'Inactive', StateReasonCode: 'Idle', StateReason: 'The function is idle.' }));
    const deps = gateDeps(lambda);
    const error = await failureOf(
      waitForFunction(deps, 'orders', { deadlineAt: deps.clock.t + FIFTEEN_MIN }),
    );
    expect(error).toBeInstanceOf(GateFailedError);
    expect(error.message).toBe('orders is Inactive (StateReasonCode Idle): The function is idle.');
    expect((error as GateFailedError).hint).toMatch(/aws lambda invoke --function-name orders/);
    expect((error as GateFailedError).hint).toMatch(/deploykit function deploy/);
    expect((error as GateFailedError).hint).toMatch(/never invokes/);
    expect(mock.commandCalls(GetFunctionCommand)).toHaveLength(1);
  });

  it('gives up at the deadline after a last look at it, naming the state it was stuck in', async () => {
    mock.on(GetFunctionCommand).resolves(fn({ LastUpdateStatus: 'InProgress' }));
    const deps = gateDeps(lambda);
    const deadlineAt = deps.clock.t + 10_000;
    const seenAt: number[] = [];
    mock.on(GetFunctionCommand).callsFake(() => {
      seenAt.push(deps.clock.t);
      return fn({ LastUpdateStatus: 'InProgress' });
    });
    const error = await failureOf(waitForFunction(deps, 'orders', { deadlineAt }));
    expect(error).toBeInstanceOf(DeadlineError);
    expect(error.message).toMatch(
      /orders was not ready after 10\.0s \(\d+ checks\): .*LastUpdateStatus is InProgress/,
    );
    expect(seenAt.at(-1)).toBe(deadlineAt);
  });

  it('reports success, not a timeout, when the update finished just before the deadline', async () => {
    const deps = gateDeps(lambda);
    const deadlineAt = deps.clock.t + 10_000;
    mock
      .on(GetFunctionCommand)
      .callsFake(() => fn({ LastUpdateStatus: deps.clock.t >= deadlineAt ? 'Successful' : 'InProgress' }));
    const result = await waitForFunction(deps, 'orders', { deadlineAt });
    expect(result.verdict.kind).toBe('ready');
  });

  it('fails at once, with the Region, for a function that does not exist', async () => {
    mock.on(GetFunctionCommand).rejects(awsError('ResourceNotFoundException', 'Function not found', 404));
    const deps = gateDeps(lambda);
    const error = await failureOf(waitForFunction(deps, 'nope', { deadlineAt: deps.clock.t + FIFTEEN_MIN }));
    expect(error.message).toBe('Function nope does not exist in eu-west-1');
    expect(mock.commandCalls(GetFunctionCommand)).toHaveLength(1);
  });
});

describe('waitForFunctions', () => {
  it('gates several functions in parallel under one request rate, and one failure hides no other', async () => {
    // Concurrent sleepers need a clock that interleaves them: the simulated one.
    const sim = createSimulatedClock(0);
    const deps = gateDeps(lambda, {
      now: sim.now,
      sleep: sim.sleep,
      limiter: createRateLimiter({ ratePerSecond: 8, now: sim.now, sleep: sim.sleep }),
    });
    const times: number[] = [];
    mock.on(GetFunctionCommand).callsFake((input: { FunctionName: string }) => {
      times.push(sim.now());
      if (input.FunctionName === 'broken') return fn({ State: 'Failed', StateReasonCode: 'InvalidImage' });
      // Each function becomes Active 3 s after the start.
      return fn({ State: sim.now() >= 3000 ? 'Active' : 'Pending' });
    });
    const settled = await sim.run(
      waitForFunctions(deps, ['a', 'b', 'c', 'broken'], { deadlineAt: FIFTEEN_MIN }),
    );
    expect(settled.map((s) => s.ok)).toEqual([true, true, true, false]);
    // 8 requests/s shared: no two GetFunction calls closer than 125 ms, whichever function.
    const sorted = [...times].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) {
      expect((sorted[i] as number) - (sorted[i - 1] as number)).toBeGreaterThanOrEqual(125 - 1e-9);
    }
    // Each noticed readiness on the first poll after 3 s: within one capped poll interval.
    for (const s of settled.slice(0, 3)) expect(s.ok && s.value.waitedMs).toBeLessThan(3000 + 2400 + 500);
    expect(settled[3]?.ok === false && String(settled[3].error)).toMatch(/InvalidImage/);
  });
});
