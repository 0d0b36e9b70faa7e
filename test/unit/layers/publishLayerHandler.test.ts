import { readFileSync } from 'node:fs';
import {
  CodePipelineClient,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import {
  GetLayerVersionCommand,
  LambdaClient,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
} from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ZipArchive } from 'archiver';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { publishLayerJob } from '../../../pipelines/handlers/publishLayer.ts';
import type { AwsClients } from '../../../src/aws/clients.ts';
import { codeSha256Of } from '../../../src/core/lambdaPackage.ts';
import { createReproducibleZip } from '../../../src/layers/layerZip.ts';
import { createJobHandler } from '../../../src/pipeline/jobHandler.ts';

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/events/publishLayerJob.json', import.meta.url), 'utf8'),
);
const SECRET = fixture['CodePipeline.job'].data.artifactCredentials.secretAccessKey as string;

async function zipOf(files: Record<string, Buffer | string>): Promise<Buffer> {
  const archive = new ZipArchive({});
  const chunks: Buffer[] = [];
  archive.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => archive.on('end', r));
  for (const [name, body] of Object.entries(files)) archive.append(body, { name });
  await archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

const layerZip = await createReproducibleZip([
  {
    type: 'file',
    name: 'nodejs/node_modules/x/index.js',
    path: new URL(import.meta.url).pathname,
    size: 1,
    executable: false,
  },
]);
const layerSha = codeSha256Of(layerZip);

const codepipeline = new CodePipelineClient({ region: 'us-east-1' });
const lambda = new LambdaClient({ region: 'eu-west-1' });
const artifacts = new S3Client({ region: 'us-east-1' });
const cpMock = mockClient(codepipeline);
const lambdaMock = mockClient(lambda);
const s3Mock = mockClient(artifacts);
const lambdaRegions: string[] = [];
const aws = {
  codepipeline: () => codepipeline,
  lambda: (region: string) => {
    lambdaRegions.push(region);
    return lambda;
  },
  s3: () => artifacts,
} as unknown as AwsClients;

/** A Lambda that remembers what was published, so a retried job sees the first job's version. */
function statefulLambda() {
  const versions: { Version: number; LayerVersionArn: string; sha: string }[] = [];
  lambdaMock.on(ListLayerVersionsCommand).callsFake(async () => ({
    LayerVersions: versions.map(({ Version, LayerVersionArn }) => ({ Version, LayerVersionArn })),
  }));
  lambdaMock.on(GetLayerVersionCommand).callsFake(async (input: { VersionNumber: number }) => {
    const v = versions.find((x) => x.Version === input.VersionNumber);
    return { Version: v?.Version, LayerVersionArn: v?.LayerVersionArn, Content: { CodeSha256: v?.sha } };
  });
  lambdaMock.on(PublishLayerVersionCommand).callsFake(async (input: { Content: { ZipFile: Uint8Array } }) => {
    const Version = versions.length + 1;
    const v = {
      Version,
      LayerVersionArn: `arn:aws:lambda:eu-west-1:111111111111:layer:shared-utils:${Version}`,
      sha: codeSha256Of(input.Content.ZipFile),
    };
    versions.push(v);
    return { Version, LayerVersionArn: v.LayerVersionArn, Content: { CodeSha256: v.sha } };
  });
  return versions;
}

function artifact(bytes: Buffer) {
  s3Mock
    .on(GetObjectCommand)
    .resolves({ Body: { transformToByteArray: async () => new Uint8Array(bytes) } } as never);
}

function invoke(params?: Record<string, unknown>) {
  const event = structuredClone(fixture);
  if (params)
    event['CodePipeline.job'].data.actionConfiguration.configuration.UserParameters = JSON.stringify(params);
  const logs: string[] = [];
  const handler = createJobHandler(publishLayerJob, {
    aws,
    artifactS3: () => artifacts,
    log: (l) => logs.push(l),
    region: 'us-east-1',
  });
  return { logs, done: handler(event, { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'req-1' }) };
}

beforeEach(() => {
  cpMock.reset();
  lambdaMock.reset();
  s3Mock.reset();
  lambdaRegions.length = 0;
  cpMock.on(PutJobSuccessResultCommand).resolves({});
  cpMock.on(PutJobFailureResultCommand).resolves({});
});

describe('publishLayer handler', () => {
  it('publishes the layer zip found inside a zip artifact to the Region of its UserParameters', async () => {
    const versions = statefulLambda();
    artifact(await zipOf({ 'buildspec-output.txt': 'log', 'out/layer.zip': layerZip }));
    const { logs, done } = invoke();
    await done;
    expect(cpMock.commandCalls(PutJobFailureResultCommand)).toHaveLength(0);
    expect(cpMock.commandCalls(PutJobSuccessResultCommand)[0]?.args[0].input.outputVariables).toEqual({
      LayerVersionArn: 'arn:aws:lambda:eu-west-1:111111111111:layer:shared-utils:1',
      LayerVersion: '1',
    });
    expect(versions.map((v) => v.sha)).toEqual([layerSha]);
    expect(new Set(lambdaRegions)).toEqual(new Set(['eu-west-1']));
    expect(logs.join('\n')).not.toContain(SECRET);
  });

  it('does not publish a second version when CodePipeline retries the job', async () => {
    const versions = statefulLambda();
    artifact(layerZip); // the artifact is the layer zip itself
    await invoke().done;
    await invoke().done;
    expect(lambdaMock.commandCalls(PublishLayerVersionCommand)).toHaveLength(1);
    expect(versions).toHaveLength(1);
    const successes = cpMock
      .commandCalls(PutJobSuccessResultCommand)
      .map((c) => c.args[0].input.outputVariables);
    expect(successes).toEqual([
      { LayerVersionArn: versions[0]?.LayerVersionArn, LayerVersion: '1' },
      { LayerVersionArn: versions[0]?.LayerVersionArn, LayerVersion: '1' },
    ]);
  });

  it('reports AccessDenied as a PermissionError carrying the AWS error code', async () => {
    lambdaMock.on(ListLayerVersionsCommand).resolves({ LayerVersions: [] });
    lambdaMock.on(PublishLayerVersionCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: lambda:PublishLayerVersion'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    artifact(layerZip);
    await invoke().done;
    const failure = cpMock.commandCalls(PutJobFailureResultCommand)[0]?.args[0].input.failureDetails;
    expect(failure?.type).toBe('PermissionError');
    expect(failure?.message).toMatch(
      /lambda\.PublishLayerVersion in eu-west-1 failed: AccessDeniedException/,
    );
  });

  it("asks for 'file' when the artifact holds several zips, before any AWS call", async () => {
    statefulLambda();
    artifact(await zipOf({ 'a.zip': layerZip, 'b.zip': layerZip }));
    await invoke().done;
    expect(cpMock.commandCalls(PutJobFailureResultCommand)[0]?.args[0].input.failureDetails?.message).toMatch(
      /holds 2 zips \(a\.zip, b\.zip\)[\s\S]*name the layer zip with 'file' in UserParameters/,
    );
    expect(lambdaMock.commandCalls(ListLayerVersionsCommand)).toHaveLength(0);
  });

  it("picks the zip named by 'file'", async () => {
    const versions = statefulLambda();
    artifact(await zipOf({ 'a.zip': 'not this one', 'dist/layer.zip': layerZip }));
    await invoke({ name: 'shared-utils', region: 'eu-west-1', file: 'dist/layer.zip' }).done;
    expect(versions.map((v) => v.sha)).toEqual([layerSha]);
  });

  it('rejects an invalid grant as a ConfigurationError, before reading the artifact', async () => {
    statefulLambda();
    await invoke({ name: 'shared-utils', region: 'eu-west-1', grants: 'account:42' }).done;
    const failure = cpMock.commandCalls(PutJobFailureResultCommand)[0]?.args[0].input.failureDetails;
    expect(failure?.type).toBe('ConfigurationError');
    expect(failure?.message).toMatch(/'grants' has 'account:42', which is not a grant/);
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });
});
