import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../src/aws/clients.ts';
import { parseInput } from '../../../src/core/input.ts';
import { createMemoryReporter } from '../../../src/core/reporter.ts';
import { waitOptionsSchema } from '../../../src/functions/options.ts';
import { runWait } from '../../../src/functions/run.ts';
import { fakeTime, fn } from './fakeTime.ts';

const lambda = new LambdaClient({ region: 'eu-west-1' });
const mock = mockClient(lambda);
const aws = { lambda: () => lambda } as unknown as AwsClients;
beforeEach(() => mock.reset());

describe('runWait', () => {
  it('reports every function: the ready ones with version and CodeSha256, the Inactive one with how to wake it', async () => {
    mock.on(GetFunctionCommand, { FunctionName: 'a' }).resolves(fn({ CodeSha256: 'sha-a' }));
    mock
      .on(GetFunctionCommand, { FunctionName: 'b' })
      .resolves(fn({ State: 'Inactive', StateReasonCode: 'Idle' }));
    const { now, sleep } = fakeTime();
    const outcome = await runWait(
      { reporter: createMemoryReporter(), aws, region: 'eu-west-1', dryRun: false, gate: { now, sleep } },
      parseInput(waitOptionsSchema, { function: 'a,b', timeout: '1m' }, 'flag'),
    );
    expect(outcome.ok).toBe(false);
    // The last column (time waited) depends on the shared limiter's pacing.
    expect(outcome.table.rows.map((r) => r.slice(0, 3))).toEqual([
      ['a', 'ready: Active/Successful, version $LATEST', '1'],
      [
        'b',
        'b is Inactive (StateReasonCode Idle): the function was idle and Lambda reclaimed its resources',
        '',
      ],
    ]);
    expect(outcome.outputs).toEqual({ version: '$LATEST', 'previous-version': '', 'code-sha256': 'sha-a' });
    expect(outcome.notes?.[0]).toMatch(/How to fix: invoke it once/);
  });

  it('asks for a Region when none is given', async () => {
    await expect(
      runWait(
        { reporter: createMemoryReporter(), aws, region: undefined, dryRun: false },
        parseInput(waitOptionsSchema, { function: 'a' }, 'flag'),
      ),
    ).rejects.toThrow("'region' is required: pass --region or set AWS_REGION");
    expect(mock.calls()).toHaveLength(0);
  });
});
