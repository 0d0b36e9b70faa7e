import {
  AddLayerVersionPermissionCommand,
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  LambdaClient,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryReporter } from '../../../src/core/reporter.ts';
import {
  layerContentOf,
  type PublishRequest,
  publishLayer,
  s3KeyOf,
  statementGrants,
} from '../../../src/layers/publishLayer.ts';
import { publishOutcome } from '../../../src/layers/publishOutcome.ts';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-south-1'] as const;
const content = layerContentOf(Buffer.from('PK-a-layer-zip'));
const other = layerContentOf(Buffer.from('PK-an-older-zip'));
const arn = (region: string, v: number) => `arn:aws:lambda:${region}:123456789012:layer:utils:${v}`;

function awsError(name: string, message: string, status: number) {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status, requestId: 'r-1' },
  });
}

let lambdas: Map<string, LambdaClient>;
let mocks: Map<string, AwsClientStub<LambdaClient>>;
let s3: S3Client;
let s3Mock: AwsClientStub<S3Client>;

beforeEach(() => {
  lambdas = new Map(REGIONS.map((r) => [r, new LambdaClient({ region: r })]));
  mocks = new Map(REGIONS.map((r) => [r, mockClient(lambdas.get(r) as LambdaClient)]));
  for (const [region, m] of mocks) {
    m.on(ListLayerVersionsCommand).resolves({ LayerVersions: [] });
    m.on(GetLayerVersionPolicyCommand).rejects(
      new ResourceNotFoundException({
        message: 'No policy is associated with the given resource.',
        $metadata: {},
      }),
    );
    m.on(PublishLayerVersionCommand).resolves({
      Version: 1,
      LayerVersionArn: arn(region, 1),
      Content: { CodeSha256: content.codeSha256 },
    });
    m.on(AddLayerVersionPermissionCommand).resolves({ Statement: '{}', RevisionId: 'x' });
  }
  s3 = new S3Client({ region: 'us-east-1' });
  s3Mock = mockClient(s3);
});

function mock(region: string): AwsClientStub<LambdaClient> {
  return mocks.get(region) as AwsClientStub<LambdaClient>;
}

/** The Region already holds `version`, whose CodeSha256 is that of `zip`. */
function existing(region: string, version: number, zip = content, statements: unknown[] = []) {
  mock(region)
    .on(ListLayerVersionsCommand)
    .resolves({ LayerVersions: [{ Version: version, LayerVersionArn: arn(region, version) }] });
  mock(region)
    .on(GetLayerVersionCommand, { LayerName: 'utils', VersionNumber: version })
    .resolves({
      Version: version,
      LayerVersionArn: arn(region, version),
      Content: { CodeSha256: zip.codeSha256 },
    });
  if (statements.length > 0) {
    mock(region)
      .on(GetLayerVersionPolicyCommand, { LayerName: 'utils', VersionNumber: version })
      .resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) });
  }
}

function run(request: Partial<PublishRequest> = {}, zip = content) {
  const reporter = createMemoryReporter();
  const promise = publishLayer({ name: 'utils', regions: REGIONS, ...request }, zip, {
    lambda: (r) => lambdas.get(r) as LambdaClient,
    s3: () => s3,
    reporter,
  });
  return { reporter, promise };
}

describe('publishLayer', () => {
  it('publishes where the layer is missing or differs, and leaves the Region with the same CodeSha256 alone', async () => {
    existing('eu-west-1', 4, content);
    existing('ap-south-1', 7, other);
    mock('ap-south-1')
      .on(PublishLayerVersionCommand)
      .resolves({ Version: 8, LayerVersionArn: arn('ap-south-1', 8) });
    const { promise, reporter } = run({ description: 'v2', compatibleRuntimes: ['nodejs22.x'] });
    const report = await promise;
    expect(report.results.map((r) => [r.region, r.status, r.version, r.arn])).toEqual([
      ['us-east-1', 'published', 1, arn('us-east-1', 1)],
      ['eu-west-1', 'unchanged', 4, arn('eu-west-1', 4)],
      ['ap-south-1', 'published', 8, arn('ap-south-1', 8)],
    ]);
    expect(mock('eu-west-1').commandCalls(PublishLayerVersionCommand)).toHaveLength(0);
    const sent = mock('us-east-1').commandCalls(PublishLayerVersionCommand)[0]?.args[0].input;
    expect(sent).toMatchObject({ LayerName: 'utils', Description: 'v2', CompatibleRuntimes: ['nodejs22.x'] });
    // The same bytes, read once, go to every Region.
    expect(sent?.Content?.ZipFile).toBe(content.bytes);
    expect(
      mock('ap-south-1').commandCalls(PublishLayerVersionCommand)[0]?.args[0].input.Content?.ZipFile,
    ).toBe(content.bytes);
    // The plan came first, and said why.
    expect(reporter.plans[0]?.steps.map((s) => [s.target, s.action, s.reason])).toEqual([
      ['us-east-1', 'create', 'the layer has no version in this Region'],
      ['eu-west-1', 'skip', 'version 4 has the same CodeSha256'],
      ['ap-south-1', 'create', `version 7 has another CodeSha256 (${other.codeSha256})`],
    ]);
    const outcome = publishOutcome(report);
    expect(outcome.ok).toBe(true);
    expect(outcome.outputs).toEqual({
      'layer-arns': JSON.stringify({
        'us-east-1': arn('us-east-1', 1),
        'eu-west-1': arn('eu-west-1', 4),
        'ap-south-1': arn('ap-south-1', 8),
      }),
      'changed-regions': 'us-east-1,ap-south-1',
    });
    expect(outcome.notes?.[0]).toMatch(
      /version numbers differ across Regions \(version 1 in us-east-1; version 4 in eu-west-1; version 8 in ap-south-1\)/,
    );
  });

  it('adds only the missing permission statements, with stable ids, and never duplicates one', async () => {
    existing('us-east-1', 2, content, [
      { Sid: 'deploykit-public', Effect: 'Allow', Action: 'lambda:GetLayerVersion', Principal: '*' },
      // Written by hand, another id, same grant: counts as present.
      {
        Sid: 'by-hand',
        Effect: 'Allow',
        Action: 'lambda:GetLayerVersion',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      },
    ]);
    existing('eu-west-1', 2, content);
    existing('ap-south-1', 2, content);
    const grants = [
      { kind: 'public' as const },
      { kind: 'account' as const, accountId: '111122223333' },
      { kind: 'org' as const, orgId: 'o-abcdef0123' },
    ];
    const report = await run({ grants }).promise;
    expect(report.results.map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(
      mock('us-east-1')
        .commandCalls(AddLayerVersionPermissionCommand)
        .map((c) => c.args[0].input),
    ).toEqual([
      {
        LayerName: 'utils',
        VersionNumber: 2,
        StatementId: 'deploykit-org-o-abcdef0123',
        Action: 'lambda:GetLayerVersion',
        Principal: '*',
        OrganizationId: 'o-abcdef0123',
      },
    ]);
    expect(
      mock('eu-west-1')
        .commandCalls(AddLayerVersionPermissionCommand)
        .map((c) => c.args[0].input.StatementId),
    ).toEqual(['deploykit-public', 'deploykit-account-111122223333', 'deploykit-org-o-abcdef0123']);
    expect(report.results[0]?.grantsAdded).toEqual(['deploykit-org-o-abcdef0123']);
  });

  it('publishes anyway with force', async () => {
    for (const r of REGIONS) existing(r, 3, content);
    const report = await run({ force: true, regions: ['us-east-1'] }).promise;
    expect(report.results[0]?.status).toBe('published');
    expect(report.plan.steps[0]?.reason).toBe('--force (version 3 has the same CodeSha256)');
  });

  it('gives every Region its own result when one is denied and another cannot even be planned', async () => {
    mock('us-east-1')
      .on(PublishLayerVersionCommand)
      .rejects(
        awsError(
          'AccessDeniedException',
          'User is not authorized to perform: lambda:PublishLayerVersion',
          403,
        ),
      );
    mock('ap-south-1')
      .on(ListLayerVersionsCommand)
      .rejects(
        awsError(
          'UnrecognizedClientException',
          'The security token included in the request is invalid.',
          403,
        ),
      );
    const report = await run().promise;
    expect(report.results.map((r) => [r.region, r.status, r.error?.code])).toEqual([
      ['us-east-1', 'failed', 'AccessDeniedException'],
      ['eu-west-1', 'published', undefined],
      ['ap-south-1', 'failed', 'UnrecognizedClientException'],
    ]);
    expect(report.results[0]?.error?.message).toBe(
      'lambda.PublishLayerVersion in us-east-1 failed: AccessDeniedException: User is not authorized to perform: lambda:PublishLayerVersion',
    );
    expect(mock('ap-south-1').commandCalls(PublishLayerVersionCommand)).toHaveLength(0);
    const outcome = publishOutcome(report);
    expect(outcome.ok).toBe(false);
    expect(outcome.table.rows.map((r) => r.slice(0, 4))).toEqual([
      ['us-east-1', 'failed', '-', 'AccessDeniedException'],
      ['eu-west-1', 'published', '1', arn('eu-west-1', 1)],
      ['ap-south-1', 'failed', '-', 'UnrecognizedClientException'],
    ]);
    expect(outcome.outputs?.['changed-regions']).toBe('eu-west-1');
  });

  it('reports a Region as failed when the permission fails after publishing, saying a re-run only adds it', async () => {
    mock('eu-west-1')
      .on(AddLayerVersionPermissionCommand)
      .rejects(awsError('AccessDeniedException', 'not allowed to AddLayerVersionPermission', 403));
    const report = await run({ grants: [{ kind: 'public' }], regions: ['eu-west-1'] }).promise;
    expect(report.results[0]).toMatchObject({ status: 'failed', error: { code: 'AccessDeniedException' } });
    expect(report.results[0]?.error?.message).toMatch(
      /that version was published, and a re-run adds only the permission/,
    );
  });

  it('treats a statement another run added meanwhile as present', async () => {
    mock('us-east-1')
      .on(AddLayerVersionPermissionCommand)
      .rejects(
        awsError(
          'ResourceConflictException',
          'The statement id (deploykit-public) provided already exists.',
          409,
        ),
      );
    const report = await run({ grants: [{ kind: 'public' }], regions: ['us-east-1'] }).promise;
    expect(report.results[0]).toMatchObject({ status: 'published', grantsAdded: [] });
  });

  it('changes nothing in a dry run', async () => {
    existing('eu-west-1', 4, content);
    const { promise, reporter } = run({ dryRun: true, grants: [{ kind: 'public' }] });
    const report = await promise;
    expect(report.results.map((r) => [r.status, r.plannedAction])).toEqual([
      ['planned', 'publish'],
      ['planned', 'unchanged'],
      ['planned', 'publish'],
    ]);
    for (const m of mocks.values()) {
      expect(m.commandCalls(PublishLayerVersionCommand)).toHaveLength(0);
      expect(m.commandCalls(AddLayerVersionPermissionCommand)).toHaveLength(0);
    }
    expect(reporter.plans).toHaveLength(1);
    expect(publishOutcome(report).outputs?.['layer-arns']).toBe('{}');
  });
});

describe('publishLayer over 50 MB', () => {
  const big = layerContentOf(Buffer.alloc(50 * 1024 * 1024 + 1, 7));

  it('fails only the Regions that must upload, saying which flag to pass', async () => {
    existing('eu-west-1', 2, big);
    const report = await run({}, big).promise;
    expect(report.results.map((r) => r.status)).toEqual(['failed', 'unchanged', 'failed']);
    expect(report.results[0]?.error).toEqual({
      code: 'S3BucketRequiredError',
      message: expect.stringMatching(
        /over the 50 MB Lambda accepts uploaded directly, and no S3 bucket was given \(how to fix: pass --s3-bucket 'my-bucket-\{region\}'/,
      ),
    });
    for (const m of mocks.values()) expect(m.commandCalls(PublishLayerVersionCommand)).toHaveLength(0);
  });

  it("uploads to each Region's bucket once, content-addressed, then publishes from S3", async () => {
    const key = s3KeyOf('utils', big);
    s3Mock
      .on(HeadObjectCommand, { Bucket: 'layers-us-east-1' })
      .rejects(awsError('NotFound', 'Not Found', 404));
    s3Mock
      .on(HeadObjectCommand, { Bucket: 'layers-eu-west-1' })
      .resolves({ ContentLength: big.bytes.length, Metadata: { codesha256: big.codeSha256 } });
    s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    s3Mock.on(UploadPartCommand).resolves({ ETag: '"e"' });
    s3Mock.on(CompleteMultipartUploadCommand).resolves({});
    s3Mock.on(PutObjectCommand).resolves({});
    const report = await run({ s3Bucket: 'layers-{region}', regions: ['us-east-1', 'eu-west-1'] }, big)
      .promise;
    expect(report.results.map((r) => [r.status, r.bytesUploaded])).toEqual([
      ['published', big.bytes.length],
      ['published', 0],
    ]);
    expect(s3Mock.commandCalls(CreateMultipartUploadCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        Bucket: 'layers-us-east-1',
        Key: key,
        Metadata: { codesha256: big.codeSha256 },
      }),
    ]);
    expect(mock('us-east-1').commandCalls(PublishLayerVersionCommand)[0]?.args[0].input.Content).toEqual({
      S3Bucket: 'layers-us-east-1',
      S3Key: key,
    });
    expect(mock('eu-west-1').commandCalls(PublishLayerVersionCommand)[0]?.args[0].input.Content).toEqual({
      S3Bucket: 'layers-eu-west-1',
      S3Key: key,
    });
  });
});

describe('statementGrants', () => {
  const org = { kind: 'org' as const, orgId: 'o-abcdef0123' };
  const orgStatement = {
    Sid: 'by-hand-org',
    Effect: 'Allow',
    Action: 'lambda:GetLayerVersion',
    Principal: '*',
    Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef0123' } },
  };

  it('reads the policy shapes Lambda returns: org condition, account root ARN, public', () => {
    expect(statementGrants(orgStatement, org)).toBe(true);
    // A statement for one organization is not a public grant, nor a grant to another organization.
    expect(statementGrants(orgStatement, { kind: 'public' })).toBe(false);
    expect(statementGrants(orgStatement, { kind: 'org', orgId: 'o-zzzzzzzzzz' })).toBe(false);
    expect(
      statementGrants(
        {
          Sid: 'x',
          Effect: 'Allow',
          Action: 'lambda:GetLayerVersion',
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
        },
        { kind: 'account', accountId: '123456789012' },
      ),
    ).toBe(true);
    expect(
      statementGrants(
        { Sid: 'x', Effect: 'Deny', Action: 'lambda:GetLayerVersion', Principal: '*' },
        { kind: 'public' },
      ),
    ).toBe(false);
  });
});
