import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import { parseInput } from '../../../src/core/input.ts';
import {
  parseGrant,
  publishJobOptionsSchema,
  publishOptionsSchema,
  statementIdOf,
} from '../../../src/layers/options.ts';

function problems(raw: unknown, naming: 'flag' | 'input' | 'json' = 'flag') {
  try {
    parseInput(publishOptionsSchema, raw, naming);
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  return [];
}

const valid = { zip: 'layer.zip', name: 'utils', regions: 'us-east-1,eu-west-1' };

describe('publishOptionsSchema', () => {
  it('parses flags as strings: lists, grants, booleans and numbers', () => {
    const o = parseInput(
      publishOptionsSchema,
      {
        ...valid,
        compatibleRuntimes: 'nodejs20.x, nodejs22.x',
        compatibleArchitectures: 'arm64',
        grants: ['account:123456789012', 'org:o-abcdef0123', 'public', 'public'],
        concurrency: '4',
        force: 'true',
        s3Bucket: 'layers-{region}',
      },
      'flag',
    );
    expect(o.regions.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(o.compatibleRuntimes).toEqual(['nodejs20.x', 'nodejs22.x']);
    expect(o.grants).toEqual([
      { kind: 'account', accountId: '123456789012' },
      { kind: 'org', orgId: 'o-abcdef0123' },
      { kind: 'public' },
    ]);
    expect(o.concurrency).toBe(4);
    expect(o.force).toBe(true);
  });

  it('collects every problem, each naming the flag and saying how to fix it', () => {
    const found = problems({
      zip: 'layer.zip',
      name: 'bad name!',
      regions: 'us-east-1,eu-west-9',
      grants: ['account:12345', 'public'],
      compatibleArchitectures: 'x86',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        {
          input: '--regions',
          message: "has 'eu-west-9', which is not an AWS Region (did you mean 'eu-west-1'?)",
        },
        {
          input: '--grants',
          message: expect.stringMatching(
            /has 'account:12345', which is not a grant: write account:123456789012/,
          ),
        },
        { input: '--name', message: expect.stringMatching(/may only hold letters, digits/) },
        { input: '--compatible-architectures', message: "has 'x86': use x86_64, arm64 or both" },
      ]),
    );
    expect(found).toHaveLength(4);
  });

  it('names action inputs in kebab case', () => {
    expect(problems({ ...valid, licenseInfo: 'x'.repeat(600) }, 'input')).toEqual([
      { input: 'license-info', message: 'is longer than 512 characters, the most Lambda accepts' },
    ]);
  });

  it("asks for '{region}' in the bucket when publishing to several Regions", () => {
    expect(problems({ ...valid, s3Bucket: 'my-layers' })).toEqual([
      {
        input: '--s3-bucket',
        message: expect.stringMatching(/without '\{region\}'.*'my-layers-\{region\}'/),
      },
    ]);
    expect(problems({ ...valid, regions: 'us-east-1', s3Bucket: 'my-layers' })).toEqual([]);
  });

  it('requires zip, name and regions', () => {
    expect(
      problems({})
        .map((p) => p.input)
        .sort(),
    ).toEqual(['--name', '--regions', '--zip']);
  });
});

describe('publishJobOptionsSchema', () => {
  it('takes one region and rejects unknown keys in UserParameters', () => {
    expect(() =>
      parseInput(publishJobOptionsSchema, { name: 'x', region: 'us-east-1,eu-west-1', colour: 1 }, 'json'),
    ).toThrow(
      /'region' has 'us-east-1,eu-west-1': give exactly one Region here[\s\S]*'colour' is not an option/,
    );
    expect(parseInput(publishJobOptionsSchema, { name: 'x', grants: 'public' }, 'json')).toMatchObject({
      name: 'x',
      grants: [{ kind: 'public' }],
      force: false,
    });
  });
});

describe('grants', () => {
  it('parse strictly and get stable statement ids', () => {
    expect(parseGrant('account:123456789012')).toEqual({ kind: 'account', accountId: '123456789012' });
    expect(parseGrant('org:o-ABC')).toBeUndefined();
    expect(parseGrant('org:o-abc')).toBeUndefined(); // under 10 characters after o-
    expect(parseGrant('account:123456789012:extra')).toBeUndefined();
    expect(statementIdOf({ kind: 'account', accountId: '123456789012' })).toBe(
      'deploykit-account-123456789012',
    );
    expect(statementIdOf({ kind: 'org', orgId: 'o-abcdef0123' })).toBe('deploykit-org-o-abcdef0123');
    expect(statementIdOf({ kind: 'public' })).toBe('deploykit-public');
  });
});
