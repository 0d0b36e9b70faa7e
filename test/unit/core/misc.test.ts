import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/core/duration.ts';
import { AwsCallError, describeError, GateFailedError, InputError } from '../../../src/core/errors.ts';
import { planTable, summarizePlan } from '../../../src/core/plan.ts';
import { createRedactor } from '../../../src/core/redact.ts';
import {
  backoffDelay,
  isConflictError,
  isRetryableError,
  isThrottlingError,
} from '../../../src/core/retry.ts';
import { splitArgs } from '../../../src/core/splitArgs.ts';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['30', 30_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it('names the input when the value is not a duration', () => {
    expect(() => parseDuration('15 minutes', 'timeout')).toThrow(
      "'timeout' has '15 minutes', which is not a duration",
    );
  });

  it('formats for people', () => {
    expect([formatDuration(850), formatDuration(12_340), formatDuration(245_000)]).toEqual([
      '850ms',
      '12.3s',
      '4m05s',
    ]);
  });
});

describe('errors', () => {
  it('AwsCallError says service, operation, Region and code', () => {
    const e = new AwsCallError(
      {
        service: 'lambda',
        operation: 'PublishLayerVersion',
        region: 'eu-west-1',
        errorName: 'AccessDeniedException',
      },
      'not allowed',
    );
    expect(e.message).toBe(
      'lambda.PublishLayerVersion in eu-west-1 failed: AccessDeniedException: not allowed',
    );
    expect(e.name).toBe('AwsCallError');
  });

  it('describeError adds the hint', () => {
    const e = new GateFailedError('fn', 'fn is Failed', {
      hint: 'fix the image',
      reasonCode: 'ImageAccessDenied',
    });
    expect(describeError(e)).toBe('fn is Failed\nHow to fix: fix the image');
    expect(describeError(InputError.single('zip', 'is required'))).toBe("'zip' is required");
  });
});

describe('retry classification', () => {
  const sdkError = (name: string, status = 400, fault: 'client' | 'server' = 'client') =>
    Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } });

  it('knows throttling, conflicts and server faults', () => {
    expect(isThrottlingError(sdkError('TooManyRequestsException', 429))).toBe(true);
    expect(isThrottlingError(sdkError('ThrottlingException'))).toBe(true);
    expect(isConflictError(sdkError('ResourceConflictException', 409))).toBe(true);
    expect(isRetryableError(sdkError('ServiceException', 500, 'server'))).toBe(true);
    expect(isRetryableError(sdkError('AccessDeniedException', 403))).toBe(false);
    expect(isRetryableError(sdkError('ResourceNotFoundException', 404))).toBe(false);
  });

  it('backs off exponentially with full jitter under a cap', () => {
    expect(backoffDelay(0, 100, 5000, () => 0.999)).toBe(99);
    expect(backoffDelay(3, 100, 5000, () => 0.5)).toBe(400);
    expect(backoffDelay(20, 100, 5000, () => 0.999)).toBe(4995);
  });
});

describe('redactor', () => {
  it('masks registered values and secret-looking keys, deeply', () => {
    const r = createRedactor();
    r.addSecret('s3cr3t-value');
    r.addSecret('ab'); // too short to be a real secret: ignored
    expect(r.redact('password is s3cr3t-value, ab')).toBe('password is ***, ab');
    expect(
      r.redactValue({
        artifactCredentials: { accessKeyId: 'AKIA' },
        list: ['x s3cr3t-value'],
        sessionToken: 'tok',
      }),
    ).toEqual({ artifactCredentials: '***', list: ['x ***'], sessionToken: '***' });
  });
});

describe('splitArgs', () => {
  it('splits like a shell without expanding anything', () => {
    expect(splitArgs(`layer publish --name 'my layer' --description "a \\"b\\" $HOME" x\\ y`)).toEqual([
      'layer',
      'publish',
      '--name',
      'my layer',
      '--description',
      'a "b" $HOME',
      'x y',
    ]);
    expect(splitArgs("--x '' $(rm -rf /)")).toEqual(['--x', '', '$(rm', '-rf', '/)']);
  });

  it('refuses an unclosed quote', () => {
    expect(() => splitArgs("layer 'oops")).toThrow(/unclosed ' quote/);
  });
});

describe('plan', () => {
  it('summarises and tabulates', () => {
    const plan = {
      title: 'layer publish x',
      steps: [
        { target: 'us-east-1', resource: 'layer x', action: 'create' as const, reason: 'no version yet' },
        {
          target: 'eu-west-1',
          resource: 'layer x',
          action: 'skip' as const,
          reason: 'same CodeSha256 as version 3',
        },
      ],
    };
    expect(summarizePlan(plan)).toEqual({ create: 1, update: 0, skip: 1 });
    expect(planTable(plan).rows[1]).toEqual(['eu-west-1', 'layer x', 'skip', 'same CodeSha256 as version 3']);
  });
});
