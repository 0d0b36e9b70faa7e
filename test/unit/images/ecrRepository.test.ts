import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  LifecyclePolicyNotFoundException,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsCallError } from '../../../src/core/errors.ts';
import { createMemoryReporter } from '../../../src/core/reporter.ts';
import {
  applyRepositoryPlan,
  lifecyclePolicyText,
  loginToEcr,
  planRepository,
  type RepositorySettings,
} from '../../../src/images/ecrRepository.ts';

const ecrMock = mockClient(ECRClient);
const ecr = new ECRClient({ region: 'eu-west-1' });
const wanted: RepositorySettings = {
  scanOnPush: true,
  tagMutability: 'IMMUTABLE',
  encryption: 'AES256',
  expireUntaggedDays: 7,
  keepTagged: 20,
};
const notFound = () => new RepositoryNotFoundException({ message: 'not found', $metadata: {} });

beforeEach(() => ecrMock.reset());

describe('lifecyclePolicyText', () => {
  it('expires untagged images after N days and keeps the last N, the any-rule last', () => {
    const policy = JSON.parse(lifecyclePolicyText({ expireUntaggedDays: 7, keepTagged: 20 }) as string);
    expect(policy.rules).toEqual([
      expect.objectContaining({
        rulePriority: 1,
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: 7,
        },
      }),
      expect.objectContaining({
        rulePriority: 2,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 20 },
      }),
    ]);
    expect(lifecyclePolicyText({})).toBeUndefined();
  });
});

describe('planRepository and applyRepositoryPlan', () => {
  it('creates a missing repository with scan-on-push, mutability, encryption and the lifecycle policy', async () => {
    ecrMock.on(DescribeRepositoriesCommand).rejects(notFound());
    ecrMock
      .on(CreateRepositoryCommand)
      .resolves({ repository: { repositoryUri: '1.dkr.ecr.eu-west-1.amazonaws.com/app' } });
    ecrMock.on(PutLifecyclePolicyCommand).resolves({});
    const plan = await planRepository(
      ecr,
      'eu-west-1',
      'app',
      { ...wanted, encryption: 'KMS', kmsKey: 'alias/k' },
      false,
    );
    expect(plan.steps.map((s) => s.action)).toEqual(['create', 'create']);
    const uri = await applyRepositoryPlan(
      ecr,
      plan,
      { ...wanted, encryption: 'KMS', kmsKey: 'alias/k' },
      createMemoryReporter(),
    );
    expect(uri).toBe('1.dkr.ecr.eu-west-1.amazonaws.com/app');
    expect(ecrMock.commandCalls(CreateRepositoryCommand)[0]?.args[0].input).toEqual({
      repositoryName: 'app',
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: 'IMMUTABLE',
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'alias/k' },
    });
    expect(ecrMock.commandCalls(PutLifecyclePolicyCommand)).toHaveLength(1);
  });

  it('leaves an existing repository with other settings alone and reports the drift', async () => {
    ecrMock.on(DescribeRepositoriesCommand).resolves({
      repositories: [
        {
          repositoryName: 'app',
          imageScanningConfiguration: { scanOnPush: false },
          imageTagMutability: 'MUTABLE',
          encryptionConfiguration: { encryptionType: 'AES256' },
        },
      ],
    });
    ecrMock.on(GetLifecyclePolicyCommand).resolves({ lifecyclePolicyText: '{"rules":[]}' });
    const plan = await planRepository(ecr, 'eu-west-1', 'app', wanted, false);
    expect(plan.changes).toEqual([]);
    expect(plan.steps.map((s) => s.action)).toEqual(['skip', 'skip']);
    expect(plan.drift.join('\n')).toMatch(
      /scan-on-push is false \(wanted true\); left alone: pass --apply-settings/,
    );
    expect(plan.drift.join('\n')).toMatch(/tag mutability is MUTABLE/);
    expect(plan.drift.join('\n')).toMatch(/different lifecycle policy/);
    const reporter = createMemoryReporter();
    await applyRepositoryPlan(ecr, plan, wanted, reporter);
    expect(ecrMock.commandCalls(PutImageScanningConfigurationCommand)).toHaveLength(0);
    expect(ecrMock.commandCalls(PutLifecyclePolicyCommand)).toHaveLength(0);
    expect(reporter.lines.filter((l) => l.level === 'warn')).toHaveLength(3);
  });

  it('changes the settings with applySettings', async () => {
    ecrMock.on(DescribeRepositoriesCommand).resolves({
      repositories: [
        {
          repositoryName: 'app',
          imageScanningConfiguration: { scanOnPush: false },
          imageTagMutability: 'MUTABLE',
        },
      ],
    });
    ecrMock.on(GetLifecyclePolicyCommand).resolves({ lifecyclePolicyText: '{"rules":[]}' });
    const plan = await planRepository(ecr, 'eu-west-1', 'app', wanted, true);
    expect(plan.steps.map((s) => s.action)).toEqual(['update', 'update']);
    await applyRepositoryPlan(ecr, plan, wanted, createMemoryReporter());
    expect(
      ecrMock.commandCalls(PutImageScanningConfigurationCommand)[0]?.args[0].input.imageScanningConfiguration,
    ).toEqual({ scanOnPush: true });
    expect(ecrMock.commandCalls(PutImageTagMutabilityCommand)[0]?.args[0].input.imageTagMutability).toBe(
      'IMMUTABLE',
    );
    expect(ecrMock.commandCalls(PutLifecyclePolicyCommand)).toHaveLength(1);
  });

  it('adds a lifecycle policy where there is none, and skips the same policy written differently', async () => {
    ecrMock.on(DescribeRepositoriesCommand).resolves({
      repositories: [
        {
          repositoryName: 'app',
          imageScanningConfiguration: { scanOnPush: true },
          imageTagMutability: 'IMMUTABLE',
        },
      ],
    });
    ecrMock
      .on(GetLifecyclePolicyCommand)
      .rejects(new LifecyclePolicyNotFoundException({ message: 'none', $metadata: {} }));
    expect((await planRepository(ecr, 'eu-west-1', 'app', wanted, false)).steps.map((s) => s.action)).toEqual(
      ['skip', 'create'],
    );
    const same = JSON.stringify(JSON.parse(lifecyclePolicyText(wanted) as string), null, 4);
    ecrMock.on(GetLifecyclePolicyCommand).resolves({ lifecyclePolicyText: same });
    const plan = await planRepository(ecr, 'eu-west-1', 'app', wanted, false);
    expect(plan.steps.map((s) => `${s.action}: ${s.reason}`)).toEqual([
      'skip: exists with the wanted settings',
      'skip: the same policy is in place',
    ]);
  });

  it('names the operation and error of a failed call', async () => {
    ecrMock
      .on(DescribeRepositoriesCommand)
      .rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    const error = await planRepository(ecr, 'eu-west-1', 'app', wanted, false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as Error).message).toMatch(
      /ECR\.DescribeRepositories in eu-west-1 failed: AccessDeniedException/,
    );
  });
});

describe('loginToEcr', () => {
  it('registers the token and password as secrets and never logs them', async () => {
    const password = 'eyJwYXlsb2FkIjoidmVyeS1zZWNyZXQifQ';
    ecrMock.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        {
          authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
          proxyEndpoint: 'https://1.dkr.ecr.eu-west-1.amazonaws.com',
        },
      ],
    });
    const reporter = createMemoryReporter();
    const login = await loginToEcr(ecr, 'eu-west-1', reporter);
    expect(login).toEqual({ host: '1.dkr.ecr.eu-west-1.amazonaws.com', username: 'AWS', password });
    expect(reporter.secrets).toContain(password);
    expect(JSON.stringify(reporter.lines)).not.toContain(password);
  });
});
