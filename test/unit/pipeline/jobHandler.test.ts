import { readFileSync } from 'node:fs';
import {
  CodePipelineClient,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AwsClients } from '../../../src/aws/clients.ts';
import { createJobHandler, type JobSpec } from '../../../src/pipeline/jobHandler.ts';

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/events/publishLayerJob.json', import.meta.url), 'utf8'),
);
const SECRET = fixture['CodePipeline.job'].data.artifactCredentials.secretAccessKey as string;
const TOKEN = fixture['CodePipeline.job'].data.artifactCredentials.sessionToken as string;
const JOB_ID = fixture['CodePipeline.job'].id as string;

const schema = z.object({ name: z.string(), region: z.string() }).strict();

const codepipeline = new CodePipelineClient({ region: 'us-east-1' });
const s3 = new S3Client({ region: 'us-east-1' });
const cpMock = mockClient(codepipeline);
const s3Mock = mockClient(s3);
const aws = { codepipeline: () => codepipeline } as unknown as AwsClients;

// biome-ignore lint/suspicious/noExplicitAny: tests reshape the documented event freely, including into invalid shapes
function event(mutate: (data: Record<string, any>) => void = () => {}) {
  const copy = structuredClone(fixture);
  mutate(copy['CodePipeline.job'].data);
  return copy;
}

function setup<S extends z.ZodType>(run: JobSpec<S>['run'], s: S, remainingMs = 60_000) {
  const logs: string[] = [];
  const handler = createJobHandler(
    { name: 'test', schema: s, run },
    { aws, artifactS3: () => s3, log: (l) => logs.push(l), safetyMarginMs: 1000, region: 'us-east-1' },
  );
  const context = { getRemainingTimeInMillis: () => remainingMs, awsRequestId: 'req-1' };
  return { logs, invoke: (e: unknown) => handler(e, context) };
}

function failure() {
  const calls = cpMock.commandCalls(PutJobFailureResultCommand);
  expect(calls).toHaveLength(1);
  expect(cpMock.commandCalls(PutJobSuccessResultCommand)).toHaveLength(0);
  return calls[0]?.args[0].input;
}

function expectNoSecrets(logs: string[]) {
  const all = logs.join('\n');
  expect(all).not.toContain(SECRET);
  expect(all).not.toContain(TOKEN);
  expect(logs.length).toBeGreaterThan(0);
}

beforeEach(() => {
  cpMock.reset();
  s3Mock.reset();
  cpMock.on(PutJobSuccessResultCommand).resolves({});
  cpMock.on(PutJobFailureResultCommand).resolves({});
});

describe('createJobHandler', () => {
  it('reports success with output variables, after reading the artifact with the job credentials', async () => {
    // The SDK's streaming body; the handler only reads it whole.
    const Body = { transformToByteArray: async () => new Uint8Array(Buffer.from('zip-bytes')) };
    s3Mock.on(GetObjectCommand).resolves({ Body } as never);
    const { invoke, logs } = setup(async (ctx) => {
      const bytes = await ctx.downloadArtifact();
      ctx.reporter.info(`read ${bytes.length} bytes; key ${SECRET}`);
      return { status: 'succeeded', outputVariables: { LayerVersion: '3', Name: ctx.params.name } };
    }, schema);
    await invoke(event());
    const calls = cpMock.commandCalls(PutJobSuccessResultCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({
      jobId: JOB_ID,
      outputVariables: { LayerVersion: '3', Name: 'shared-utils' },
    });
    expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'codepipeline-us-east-1-1234567890',
      Key: 'layer-pipeline/LayerZip/Wx72Yz1',
    });
    expect(logs.join('\n')).toContain('read 9 bytes');
    expectNoSecrets(logs);
  });

  it('reports a continuation token carrying the state, and hands it back on the next call', async () => {
    const seen: unknown[] = [];
    const { invoke } = setup(async (ctx) => {
      seen.push(ctx.continuation);
      return ctx.continuation
        ? { status: 'succeeded' }
        : { status: 'continue', state: { startedAt: 1000, attempts: 1 } };
    }, schema);
    await invoke(event());
    const token = cpMock.commandCalls(PutJobSuccessResultCommand)[0]?.args[0].input.continuationToken;
    expect(JSON.parse(token ?? '')).toEqual({ startedAt: 1000, attempts: 1 });
    await invoke(event((d) => Object.assign(d, { continuationToken: token })));
    expect(seen).toEqual([undefined, { startedAt: 1000, attempts: 1 }]);
    expect(
      cpMock.commandCalls(PutJobSuccessResultCommand)[1]?.args[0].input.continuationToken,
    ).toBeUndefined();
  });

  it('reports a thrown error as JobFailed, without leaking the artifact secret', async () => {
    const { invoke, logs } = setup(async () => {
      throw new Error(`boom with ${SECRET}`);
    }, schema);
    await invoke(event());
    const input = failure();
    expect(input?.failureDetails).toMatchObject({ type: 'JobFailed', externalExecutionId: 'req-1' });
    expect(input?.failureDetails?.message).toContain('boom with ***');
    expect(input?.failureDetails?.message).not.toContain(SECRET);
    expectNoSecrets(logs);
  });

  it('reports bad UserParameters as a ConfigurationError naming every bad parameter', async () => {
    let ran = false;
    const { invoke, logs } = setup(async () => {
      ran = true;
      return { status: 'succeeded' };
    }, schema);
    await invoke(
      event((d) => {
        d.actionConfiguration.configuration.UserParameters = '{"region":7,"colour":"blue"}';
      }),
    );
    expect(ran).toBe(false);
    const input = failure();
    expect(input?.failureDetails?.type).toBe('ConfigurationError');
    expect(input?.failureDetails?.message).toMatch(/'name' is required/);
    expect(input?.failureDetails?.message).toMatch(/'region'/);
    expect(input?.failureDetails?.message).toMatch(/'colour' is not an option/);
    expectNoSecrets(logs);
  });

  it('reports UserParameters that are not JSON', async () => {
    const { invoke } = setup(async () => ({ status: 'succeeded' }), schema);
    await invoke(event((d) => (d.actionConfiguration.configuration.UserParameters = 'name=x')));
    expect(failure()?.failureDetails?.message).toMatch(/'UserParameters' is not valid JSON/);
  });

  it('reports a missing artifact with its S3 location', async () => {
    s3Mock
      .on(GetObjectCommand)
      .rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
    const { invoke, logs } = setup(async (ctx) => {
      await ctx.downloadArtifact('LayerZip');
      return { status: 'succeeded' };
    }, schema);
    await invoke(event());
    const message = failure()?.failureDetails?.message;
    expect(message).toMatch(
      /Input artifact 'LayerZip' is missing: s3:\/\/codepipeline-us-east-1-1234567890\//,
    );
    expectNoSecrets(logs);
  });

  it('reports an artifact name that is not among the inputs', async () => {
    const { invoke } = setup(async (ctx) => {
      await ctx.downloadArtifact('Other');
      return { status: 'succeeded' };
    }, schema);
    await invoke(event());
    expect(failure()?.failureDetails?.message).toMatch(
      /no input artifact named 'Other' \(it has: LayerZip\)/,
    );
  });

  it('stops before the Lambda deadline and reports a failure', async () => {
    let aborted = false;
    const { invoke, logs } = setup(
      (ctx) =>
        new Promise((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
          });
          setTimeout(() => resolve({ status: 'succeeded' }), 5_000);
        }),
      schema,
      1_050, // 50 ms of budget once the 1 s safety margin is kept back
    );
    await invoke(event());
    expect(aborted).toBe(true);
    const input = failure();
    expect(input?.failureDetails?.type).toBe('JobFailed');
    expect(input?.failureDetails?.message).toMatch(/before the Lambda function's timeout/);
    expectNoSecrets(logs);
  });

  it('answers a malformed job event with a failure when it has a job id', async () => {
    const { invoke } = setup(async () => ({ status: 'succeeded' }), schema);
    await invoke({ 'CodePipeline.job': { id: JOB_ID, data: { inputArtifacts: 'nope' } } });
    expect(failure()?.failureDetails?.type).toBe('ConfigurationError');
  });

  it('refuses an event that is not a CodePipeline job', async () => {
    const { invoke } = setup(async () => ({ status: 'succeeded' }), schema);
    await expect(invoke({ hello: 'world' })).rejects.toThrow(/CodePipeline.job.id/);
    expect(cpMock.calls()).toHaveLength(0);
  });
});
