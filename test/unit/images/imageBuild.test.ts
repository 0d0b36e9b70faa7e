import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import type Docker from 'dockerode';
import { beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import { parseInput } from '../../../src/core/input.ts';
import { createMemoryReporter } from '../../../src/core/reporter.ts';
import { registryCredentialsFromEnv, runImageBuild } from '../../../src/images/imageBuild.ts';
import { imageBuildSchema } from '../../../src/images/options.ts';

const ecrMock = mockClient(ECRClient);
beforeEach(() => ecrMock.reset());

const noDocker = () => {
  throw new Error('the engine must not be used in a dry run');
};

function lambdaContext(): string {
  const root = mkdtempSync(join(tmpdir(), 'dk-build-'));
  writeFileSync(join(root, 'app.py'), 'def handler(e, c): return 1\n');
  mkdirSync(join(root, 'data'));
  writeFileSync(join(root, 'data', 'big.bin'), Buffer.alloc(4096));
  writeFileSync(join(root, '.dockerignore'), 'data\n');
  return root;
}

const parse = (raw: Record<string, unknown>) => parseInput(imageBuildSchema, raw, 'flag');

describe('imageBuildSchema', () => {
  it('collects every problem and names each flag', () => {
    const error = (() => {
      try {
        parse({ repository: 'Bad_Name', platform: 'linux/386', buildArgs: ['NOEQUALS'], preset: 'php' });
      } catch (e) {
        return e as InputError;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect(error?.problems.map((p) => p.input).sort()).toEqual([
      '--build-args',
      '--platform',
      '--preset',
      '--repository',
    ]);
  });

  it('reads K=V lists from repeated flags and from newline separated action inputs', () => {
    expect(parse({ repository: 'a', buildArgs: ['A=1', 'B=x=y'] }).buildArgs).toEqual({ A: '1', B: 'x=y' });
    expect(parse({ repository: 'a', labels: 'team=x,y\nowner=z' }).labels).toEqual({
      team: 'x,y',
      owner: 'z',
    });
  });

  it('refuses preset options with another preset', () => {
    expect(() => parse({ repository: 'a', preset: 'lambda', jobJar: 'x.jar' })).toThrow(
      /'--job-jar' is only used with preset 'flink'/,
    );
    expect(() => parse({ repository: 'a', preset: 'lambda', runtime: 'cobol' })).toThrow(
      /not a Lambda runtime/,
    );
  });
});

describe('registryCredentialsFromEnv', () => {
  it('reads both variables and registers the password as a secret', () => {
    const reporter = createMemoryReporter();
    expect(
      registryCredentialsFromEnv(
        { DEPLOYKIT_REGISTRY_USERNAME: 'u', DEPLOYKIT_REGISTRY_PASSWORD: 'hunter22' },
        reporter,
      ),
    ).toEqual({
      username: 'u',
      password: 'hunter22',
    });
    expect(reporter.secrets).toEqual(['hunter22']);
    expect(registryCredentialsFromEnv({}, reporter)).toBeUndefined();
    expect(() => registryCredentialsFromEnv({ DEPLOYKIT_REGISTRY_PASSWORD: 'x' }, reporter)).toThrow(
      /only one of/,
    );
  });
});

describe('runImageBuild --dry-run', () => {
  it('plans the build, the repository and the pushes, and touches neither the engine nor ECR', async () => {
    ecrMock
      .on(DescribeRepositoriesCommand)
      .rejects(new RepositoryNotFoundException({ message: 'no', $metadata: {} }));
    const reporter = createMemoryReporter();
    const outcome = await runImageBuild(
      {
        docker: noDocker as unknown as () => Docker,
        ecr: () => new ECRClient({ region: 'us-east-1' }),
        reporter,
        region: 'us-east-1',
        dryRun: true,
        env: {},
        readSource: async () => ({ revision: 'a'.repeat(40) }),
      },
      parse({
        context: lambdaContext(),
        preset: 'lambda',
        handler: 'app.handler',
        repository: 'team/fn',
        tags: ['latest'],
        push: true,
        registry: '127.0.0.1:5000',
        expireUntaggedDays: 3,
      }),
    );
    const plan = reporter.plans[0];
    expect(plan?.steps.map((s) => `${s.action} ${s.resource}`)).toEqual([
      'create image team/fn',
      'create repository team/fn',
      'create lifecycle policy team/fn',
      `create tag team/fn:${'a'.repeat(40)}`,
      'create tag team/fn:latest',
    ]);
    expect(plan?.steps[0]?.details).toMatchObject({ contextFiles: '3', ignored: '1' });
    expect(outcome.outputs?.tags).toBe(
      `127.0.0.1:5000/team/fn:${'a'.repeat(40)},127.0.0.1:5000/team/fn:latest`,
    );
    expect(ecrMock.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeRepositoriesCommand']);
  });

  it('logs in to ECR first when no --registry is given, and tags for the ECR host', async () => {
    ecrMock.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        {
          authorizationToken: Buffer.from('AWS:pw-secret-123').toString('base64'),
          proxyEndpoint: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com',
        },
      ],
    });
    const reporter = createMemoryReporter();
    const outcome = await runImageBuild(
      {
        docker: noDocker as unknown as () => Docker,
        ecr: () => new ECRClient({ region: 'us-east-1' }),
        reporter,
        region: 'us-east-1',
        dryRun: true,
        env: {},
        readSource: async () => ({}),
      },
      parse({
        context: lambdaContext(),
        preset: 'lambda',
        handler: 'app.handler',
        repository: 'fn',
        tags: ['v1'],
      }),
    );
    expect(reporter.secrets).toContain('pw-secret-123');
    expect(outcome.outputs?.['image-uri']).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/fn:v1');
  });

  it('asks for a Dockerfile or a preset', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dk-empty-'));
    await expect(
      runImageBuild(
        {
          docker: noDocker as unknown as () => Docker,
          ecr: () => new ECRClient({ region: 'us-east-1' }),
          reporter: createMemoryReporter(),
          region: 'us-east-1',
          dryRun: true,
          env: {},
          readSource: async () => ({}),
        },
        parse({ context: root, repository: 'fn', tags: ['v1'], registry: '127.0.0.1:5000' }),
      ),
    ).rejects.toThrow(/pass --preset lambda\|flink/);
  });
});
