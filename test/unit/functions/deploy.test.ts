import {
  CreateAliasCommand,
  GetAliasCommand,
  GetFunctionCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ArtifactError, DeadlineError, GateFailedError } from '../../../src/core/errors.ts';
import { codeSha256Of } from '../../../src/core/lambdaPackage.ts';
import type { ResolvedCode } from '../../../src/functions/artifact.ts';
import {
  type DeployRequest,
  deployFunction,
  planDeploy,
  recordedPreviousVersion,
} from '../../../src/functions/deploy.ts';
import { awsError, fn, gateDeps } from './fakeTime.ts';

const lambda = new LambdaClient({ region: 'eu-west-1' });
const mock = mockClient(lambda);
beforeEach(() => mock.reset());

const ZIP = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]);
const NEW_SHA = codeSha256Of(ZIP);
const zip: ResolvedCode = { kind: 'zip', bytes: ZIP, codeSha256: NEW_SHA, source: 'fn.zip' };
const DEADLINE = 15 * 60_000;

function request(extra: Partial<DeployRequest> = {}): DeployRequest {
  return { functionName: 'orders', code: async () => zip, publish: false, ...extra };
}

async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('deployFunction', () => {
  it('does not touch a Pending function: it waits, then updates, then gates until Successful', async () => {
    const order: string[] = [];
    const seen = (label: string, answer: unknown) => {
      order.push(label);
      return answer as never;
    };
    mock
      .on(GetFunctionCommand)
      .callsFakeOnce(() => seen('get Pending', fn({ State: 'Pending' })))
      .callsFakeOnce(() => seen('get Active', fn()))
      .callsFakeOnce(() =>
        seen('get InProgress', fn({ LastUpdateStatus: 'InProgress', CodeSha256: NEW_SHA })),
      )
      .callsFake(() => seen('get Successful', fn({ CodeSha256: NEW_SHA })));
    mock.on(UpdateFunctionCodeCommand).callsFake(() => seen('update', { CodeSha256: NEW_SHA }));
    const deps = gateDeps(lambda);
    const result = await deployFunction(deps, request(), deps.clock.t + DEADLINE);
    expect(order).toEqual(['get Pending', 'get Active', 'update', 'get InProgress', 'get Successful']);
    expect(result).toMatchObject({
      status: 'updated',
      codeSha256: NEW_SHA,
      previousCodeSha256: 'old-sha',
      conflicts: 0,
    });
    expect(mock.commandCalls(UpdateFunctionCodeCommand)[0]?.args[0].input).toMatchObject({
      FunctionName: 'orders',
      ZipFile: ZIP,
      RevisionId: 'rev-1',
    });
  });

  it('retries ResourceConflictException with backoff, gating again before the retry, then succeeds', async () => {
    mock.on(GetFunctionCommand).resolves(fn());
    mock
      .on(UpdateFunctionCodeCommand)
      .rejectsOnce(
        awsError(
          'ResourceConflictException',
          'The operation cannot be performed at this time. An update is in progress',
          409,
        ),
      )
      .resolves({ CodeSha256: NEW_SHA });
    const deps = gateDeps(lambda);
    const result = await deployFunction(deps, request(), deps.clock.t + DEADLINE);
    expect(result).toMatchObject({ status: 'updated', conflicts: 1 });
    expect(mock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(2);
    // Gate, conflict, backoff (full jitter of min(5 s, 500 ms × 2) → 500 ms at random 0.5), gate, update, gate.
    expect(mock.commandCalls(GetFunctionCommand)).toHaveLength(3);
    expect(deps.clock.sleeps).toContain(500);
  });

  it('treats a RevisionId race (PreconditionFailedException) like a conflict', async () => {
    mock.on(GetFunctionCommand).resolves(fn());
    mock
      .on(UpdateFunctionCodeCommand)
      .rejectsOnce(awsError('PreconditionFailedException', 'The RevisionId provided does not match', 412))
      .resolves({ CodeSha256: NEW_SHA });
    const deps = gateDeps(lambda);
    expect(await deployFunction(deps, request(), deps.clock.t + DEADLINE)).toMatchObject({ conflicts: 1 });
  });

  it('skips unchanged code and uploads nothing', async () => {
    mock.on(GetFunctionCommand).resolves(fn({ CodeSha256: NEW_SHA }));
    const deps = gateDeps(lambda);
    const result = await deployFunction(deps, request(), deps.clock.t + DEADLINE);
    expect(result.status).toBe('unchanged');
    expect(mock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  });

  it('deploys unchanged code when the architecture changes', async () => {
    mock.on(GetFunctionCommand).resolves(fn({ CodeSha256: NEW_SHA, Architectures: ['x86_64'] }));
    mock.on(UpdateFunctionCodeCommand).resolves({ CodeSha256: NEW_SHA });
    const deps = gateDeps(lambda);
    await deployFunction(deps, request({ architectures: ['arm64'] }), deps.clock.t + DEADLINE);
    expect(mock.commandCalls(UpdateFunctionCodeCommand)[0]?.args[0].input.Architectures).toEqual(['arm64']);
  });

  it('fails with both reason codes when the update goes InProgress then Failed', async () => {
    mock
      .on(GetFunctionCommand)
      .resolvesOnce(fn())
      .resolvesOnce(fn({ LastUpdateStatus: 'InProgress' }))
      .resolves(
        fn({
          LastUpdateStatus: 'Failed',
          LastUpdateStatusReasonCode: 'InvalidZipFileException',
          LastUpdateStatusReason: 'Could not unzip uploaded file.',
        }),
      );
    mock.on(UpdateFunctionCodeCommand).resolves({ CodeSha256: NEW_SHA });
    const deps = gateDeps(lambda);
    const error = await failureOf(deployFunction(deps, request({ publish: true }), deps.clock.t + DEADLINE));
    expect(error).toBeInstanceOf(GateFailedError);
    expect(error.message).toMatch(
      /LastUpdateStatusReasonCode InvalidZipFileException: Could not unzip uploaded file\./,
    );
    expect((error as GateFailedError).hint).toMatch(/previous code/);
    expect(mock.commandCalls(PublishVersionCommand)).toHaveLength(0);
  });

  it('publishes with CodeSha256 and RevisionId guards, waits for the version, moves the alias and reports the previous version', async () => {
    mock
      .on(GetFunctionCommand, { FunctionName: 'orders', Qualifier: undefined })
      .resolvesOnce(fn())
      .resolves(fn({ CodeSha256: NEW_SHA, RevisionId: 'rev-2' }));
    mock
      .on(GetFunctionCommand, { FunctionName: 'orders', Qualifier: '4' })
      .resolvesOnce(fn({ Version: '4', State: 'Pending' }))
      .resolves(fn({ Version: '4' }));
    mock.on(UpdateFunctionCodeCommand).resolves({ CodeSha256: NEW_SHA });
    mock.on(PublishVersionCommand).resolves({ Version: '4' });
    mock.on(GetAliasCommand).resolves({ Name: 'live', FunctionVersion: '3', RevisionId: 'alias-rev' });
    mock.on(UpdateAliasCommand).resolves({});
    const deps = gateDeps(lambda);
    const result = await deployFunction(
      deps,
      request({ publish: true, alias: 'live', description: 'build 42' }),
      deps.clock.t + DEADLINE,
    );
    expect(mock.commandCalls(PublishVersionCommand)[0]?.args[0].input).toEqual({
      FunctionName: 'orders',
      CodeSha256: NEW_SHA,
      RevisionId: 'rev-2',
      Description: 'build 42',
    });
    expect(mock.commandCalls(UpdateAliasCommand)[0]?.args[0].input).toEqual({
      FunctionName: 'orders',
      Name: 'live',
      FunctionVersion: '4',
      Description: 'deploykit: previous version 3',
      RevisionId: 'alias-rev',
    });
    expect(result).toMatchObject({ version: '4', alias: 'live', previousVersion: '3', aliasAction: 'moved' });
  });

  it('retries an alias move that met a conflict, and deploys new code over a previous failed update', async () => {
    mock
      .on(GetFunctionCommand)
      .resolvesOnce(fn({ LastUpdateStatus: 'Failed', LastUpdateStatusReasonCode: 'InvalidImage' }))
      .resolves(fn({ CodeSha256: NEW_SHA }));
    mock.on(UpdateFunctionCodeCommand).resolves({ CodeSha256: NEW_SHA });
    mock.on(PublishVersionCommand).resolves({ Version: '9' });
    mock.on(GetAliasCommand).resolves({ Name: 'live', FunctionVersion: '8' });
    mock
      .on(UpdateAliasCommand)
      .rejectsOnce(awsError('ResourceConflictException', 'An update is in progress', 409))
      .resolves({});
    const deps = gateDeps(lambda);
    const result = await deployFunction(
      deps,
      request({ alias: 'live', publish: true }),
      deps.clock.t + DEADLINE,
    );
    expect(result).toMatchObject({ status: 'updated', version: '9', previousVersion: '8', conflicts: 1 });
    expect(mock.commandCalls(UpdateAliasCommand)).toHaveLength(2);
    expect(mock.commandCalls(PublishVersionCommand)).toHaveLength(1);
    expect(deps.reporter.lines.find((l) => l.level === 'warn')?.message).toMatch(
      /the last update Failed.*InvalidImage.*deploying new code over it/,
    );
  });

  it('creates a missing alias', async () => {
    mock.on(GetFunctionCommand).resolves(fn({ CodeSha256: NEW_SHA }));
    mock.on(PublishVersionCommand).resolves({ Version: '1' });
    mock.on(GetAliasCommand).rejects(awsError('ResourceNotFoundException', 'Alias not found', 404));
    mock.on(CreateAliasCommand).resolves({});
    const deps = gateDeps(lambda);
    const result = await deployFunction(
      deps,
      request({ publish: true, alias: 'live' }),
      deps.clock.t + DEADLINE,
    );
    expect(result).toMatchObject({ status: 'unchanged', version: '1', aliasAction: 'created' });
    expect(mock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  });

  it('refuses an image for a zip function before touching it', async () => {
    mock.on(GetFunctionCommand).resolves(fn());
    const image: ResolvedCode = {
      kind: 'image',
      imageUri: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders@sha256:${'a'.repeat(64)}`,
      digest: `sha256:${'a'.repeat(64)}`,
      source: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:v1',
    };
    const deps = gateDeps(lambda);
    const error = await failureOf(
      deployFunction(deps, request({ code: async () => image }), deps.clock.t + DEADLINE),
    );
    expect(error).toBeInstanceOf(ArtifactError);
    expect(error.message).toMatch(/orders is a zip function \(PackageType Zip\)/);
    expect(mock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  });

  it('wakes an Inactive function by deploying new code, but will not "deploy" unchanged code to it', async () => {
    mock
      .on(GetFunctionCommand)
      .resolvesOnce(fn({ State: 'Inactive', StateReasonCode: 'Idle' }))
      .resolves(fn({ CodeSha256: NEW_SHA }));
    mock.on(UpdateFunctionCodeCommand).resolves({ CodeSha256: NEW_SHA });
    const deps = gateDeps(lambda);
    expect((await deployFunction(deps, request(), deps.clock.t + DEADLINE)).status).toBe('updated');

    mock.reset();
    mock
      .on(GetFunctionCommand)
      .resolves(fn({ State: 'Inactive', StateReasonCode: 'Idle', CodeSha256: NEW_SHA }));
    const again = await failureOf(deployFunction(deps, request(), deps.clock.t + DEADLINE));
    expect(again.message).toMatch(/Inactive \(StateReasonCode Idle\)/);
    expect((again as GateFailedError).hint).toMatch(/invoke it once/);
  });

  it('stops at the deadline while the function stays Pending, having changed nothing', async () => {
    mock.on(GetFunctionCommand).resolves(fn({ State: 'Pending' }));
    const deps = gateDeps(lambda);
    const error = await failureOf(deployFunction(deps, request(), deps.clock.t + 30_000));
    expect(error).toBeInstanceOf(DeadlineError);
    expect((error as DeadlineError).hint).toMatch(/nothing was changed/);
    expect(mock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  });
});

describe('planDeploy', () => {
  it('shows current and new hash, the version that would be published and the alias move', async () => {
    mock.on(GetFunctionCommand).resolves(fn());
    mock.on(GetAliasCommand).resolves({ Name: 'live', FunctionVersion: '7' });
    const { ListVersionsByFunctionCommand } = await import('@aws-sdk/client-lambda');
    mock
      .on(ListVersionsByFunctionCommand)
      .resolves({ Versions: [{ Version: '$LATEST' }, { Version: '6' }, { Version: '7' }] });
    const plan = await planDeploy(gateDeps(lambda), request({ publish: true, alias: 'live' }));
    expect(plan.steps.map((s) => [s.resource, s.action, s.reason])).toEqual([
      ['code', 'update', `old-sha → ${NEW_SHA}`],
      ['version', 'create', 'would publish version 8'],
      ['alias live', 'update', 'version 7 → 8'],
    ]);
    expect(mock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  });
});

describe('recordedPreviousVersion', () => {
  it('reads the version a deploy recorded in the alias description', () => {
    expect(recordedPreviousVersion({ Description: 'deploykit: previous version 12' })).toBe('12');
    expect(recordedPreviousVersion({ Description: 'hand-made' })).toBeUndefined();
  });
});
