import { readFileSync } from 'node:fs';
import {
  CodePipelineClient,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import {
  GetFunctionCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../src/aws/clients.ts';
import { runGateJob } from '../../../src/functions/gateJob.ts';
import { gateParamsSchema } from '../../../src/functions/options.ts';
import { createJobHandler } from '../../../src/pipeline/jobHandler.ts';
import { awsError, fn } from './fakeTime.ts';

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/functions/gateFunctionJob.json', import.meta.url), 'utf8'),
);

const codepipeline = new CodePipelineClient({ region: 'eu-west-1' });
const lambda = new LambdaClient({ region: 'eu-west-1' });
const cp = mockClient(codepipeline);
const lm = mockClient(lambda);
const aws = { codepipeline: () => codepipeline, lambda: () => lambda } as unknown as AwsClients;

let t = 1_000_000;
const ZIP = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 9]);

function setup(remainingMs = 60_000) {
  const logs: string[] = [];
  const handler = createJobHandler(
    {
      name: 'gate-function',
      schema: gateParamsSchema,
      run: (ctx) =>
        runGateJob(
          // The artifact download is faked: the zip is the job's input artifact.
          { ...ctx, downloadArtifact: async () => Buffer.from(ZIP) },
          { now: () => t, gate: { sleep: async () => {} } },
        ),
    },
    { aws, log: (l) => logs.push(l), safetyMarginMs: 1000, region: 'eu-west-1' },
  );
  const context = { getRemainingTimeInMillis: () => remainingMs, awsRequestId: 'req-1' };
  return { logs, invoke: (e: unknown) => handler(e, context) };
}

function event(params: unknown, token?: string) {
  const copy = structuredClone(fixture);
  const data = copy['CodePipeline.job'].data;
  data.actionConfiguration.configuration.UserParameters = JSON.stringify(params);
  if (token !== undefined) data.continuationToken = token;
  return copy;
}

function lastSuccess() {
  const calls = cp.commandCalls(PutJobSuccessResultCommand);
  return calls[calls.length - 1]?.args[0].input;
}

beforeEach(() => {
  cp.reset();
  lm.reset();
  cp.on(PutJobSuccessResultCommand).resolves({});
  cp.on(PutJobFailureResultCommand).resolves({});
  t = 1_000_000;
});

describe('gateFunction handler: wait', () => {
  it('continues with a token carrying startedAt, attempts and phase, then succeeds when the function is ready', async () => {
    const { invoke } = setup();
    lm.on(GetFunctionCommand)
      .resolvesOnce(fn({ State: 'Pending', StateReasonCode: 'Creating' }))
      .resolves(fn());
    await invoke(event({ function: 'orders', timeout: '10m' }));
    const first = lastSuccess();
    expect(JSON.parse(first?.continuationToken ?? '')).toEqual({
      phase: 'wait',
      startedAt: 1_000_000,
      attempts: 1,
      pending: ['orders'],
    });
    expect(first?.executionDetails?.summary).toBe('waiting: orders: State is Pending (Creating)');

    t += 60_000;
    await invoke(event({ function: 'orders', timeout: '10m' }, first?.continuationToken));
    const second = lastSuccess();
    expect(second?.continuationToken).toBeUndefined();
    expect(second?.executionDetails?.summary).toMatch(/orders ready after 1m00s \(2 checks\)/);
    expect(cp.commandCalls(PutJobFailureResultCommand)).toHaveLength(0);
  });

  it('only re-checks the functions not seen ready yet', async () => {
    const { invoke } = setup();
    lm.on(GetFunctionCommand, { FunctionName: 'a' }).resolves(fn());
    lm.on(GetFunctionCommand, { FunctionName: 'b' })
      .resolvesOnce(fn({ LastUpdateStatus: 'InProgress' }))
      .resolves(fn());
    await invoke(event({ function: 'a,b' }));
    const token = lastSuccess()?.continuationToken;
    expect(JSON.parse(token ?? '')).toMatchObject({ pending: ['b'], attempts: 2 });
    await invoke(event({ function: 'a,b' }, token));
    expect(lm.commandCalls(GetFunctionCommand).map((c) => c.args[0].input.FunctionName)).toEqual([
      'a',
      'b',
      'b',
    ]);
  });

  it('fails the job with the reason codes when the function is Failed', async () => {
    const { invoke } = setup();
    lm.on(GetFunctionCommand).resolves(
      fn({
        LastUpdateStatus: 'Failed',
        LastUpdateStatusReasonCode: 'EniLimitExceeded',
        LastUpdateStatusReason: 'ENI limit reached',
      }),
    );
    await invoke(event({ function: 'orders' }));
    const failure = cp.commandCalls(PutJobFailureResultCommand)[0]?.args[0].input;
    expect(failure?.failureDetails?.type).toBe('JobFailed');
    expect(failure?.failureDetails?.message).toMatch(
      /LastUpdateStatusReasonCode EniLimitExceeded: ENI limit reached/,
    );
  });

  it("fails the job once the user's deadline, counted from the first invocation, has passed", async () => {
    const { invoke } = setup();
    lm.on(GetFunctionCommand).resolves(fn({ State: 'Pending' }));
    const token = JSON.stringify({
      phase: 'wait',
      startedAt: t - 11 * 60_000,
      attempts: 40,
      pending: ['orders'],
    });
    await invoke(event({ function: 'orders', timeout: '10m' }, token));
    const message = cp.commandCalls(PutJobFailureResultCommand)[0]?.args[0].input.failureDetails?.message;
    expect(message).toMatch(/Gave up after 11m00s \(timeout 10m00s\): orders: State is Pending/);
    // It still looked once more before giving up.
    expect(lm.commandCalls(GetFunctionCommand)).toHaveLength(1);
  });

  it('never starts a check it has no time left for: it continues instead', async () => {
    const { invoke } = setup(4000); // 3 s once the 1 s safety margin is kept back
    lm.on(GetFunctionCommand).resolves(fn());
    await invoke(event({ function: 'orders' }));
    expect(lm.commandCalls(GetFunctionCommand)).toHaveLength(0);
    expect(JSON.parse(lastSuccess()?.continuationToken ?? '')).toMatchObject({ phase: 'wait', attempts: 0 });
  });

  it('rejects a continuation token it did not write', async () => {
    const { invoke } = setup();
    await invoke(event({ function: 'orders' }, JSON.stringify({ hello: 1 })));
    const failure = cp.commandCalls(PutJobFailureResultCommand)[0]?.args[0].input.failureDetails;
    expect(failure?.type).toBe('ConfigurationError');
    expect(failure?.message).toMatch(/continuationToken/);
  });
});

describe('gateFunction handler: deploy', () => {
  it('updates once, continues while InProgress, then publishes and reports output variables', async () => {
    const { invoke } = setup();
    const params = { function: 'orders', deploy: { artifact: true, publish: true } };
    lm.on(GetFunctionCommand, { FunctionName: 'orders', Qualifier: undefined })
      .resolvesOnce(fn())
      .resolvesOnce(fn({ LastUpdateStatus: 'InProgress' }))
      .resolves(fn({ CodeSha256: 'new-sha' }));
    lm.on(GetFunctionCommand, { FunctionName: 'orders', Qualifier: '5' }).resolves(fn({ Version: '5' }));
    lm.on(UpdateFunctionCodeCommand).resolves({ CodeSha256: 'new-sha' });
    lm.on(PublishVersionCommand).resolves({ Version: '5' });

    await invoke(event(params));
    const token = lastSuccess()?.continuationToken;
    expect(JSON.parse(token ?? '')).toEqual({
      phase: 'gate-update',
      startedAt: 1_000_000,
      attempts: 2,
      conflicts: 0,
      previousCode: 'old-sha',
      codeSha256: 'new-sha',
    });
    expect(lm.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(1);

    await invoke(event(params, token));
    const done = lastSuccess();
    expect(done?.continuationToken).toBeUndefined();
    expect(done?.outputVariables).toEqual({
      version: '5',
      previousVersion: '',
      codeSha256: 'new-sha',
      status: 'updated',
    });
    // The update call happened once in all.
    expect(lm.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(1);
    expect(Buffer.from(lm.commandCalls(UpdateFunctionCodeCommand)[0]?.args[0].input.ZipFile ?? [])).toEqual(
      Buffer.from(ZIP),
    );
  });

  it('continues through ResourceConflictException without failing the job', async () => {
    const { invoke } = setup();
    const params = { function: 'orders', deploy: { artifact: 'BuildOutput' } };
    lm.on(GetFunctionCommand).resolves(fn());
    lm.on(UpdateFunctionCodeCommand).rejectsOnce(
      awsError('ResourceConflictException', 'An update is in progress', 409),
    );
    await invoke(event(params));
    const token = lastSuccess()?.continuationToken;
    expect(JSON.parse(token ?? '')).toMatchObject({ phase: 'gate-before', conflicts: 1 });
    expect(cp.commandCalls(PutJobFailureResultCommand)).toHaveLength(0);
  });

  it('refuses a zip path in UserParameters, naming the input', async () => {
    const { invoke } = setup();
    await invoke(event({ function: 'orders', deploy: { zip: 'x.zip' } }));
    const failure = cp.commandCalls(PutJobFailureResultCommand)[0]?.args[0].input.failureDetails;
    expect(failure?.type).toBe('ConfigurationError');
    expect(failure?.message).toMatch(/deploy\.zip/);
    expect(lm.calls()).toHaveLength(0);
  });
});
