import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InputError } from '../../../src/core/errors.ts';
import {
  booleanish,
  inputName,
  listOf,
  parseInput,
  positiveInt,
  regionSchema,
  regionsSchema,
} from '../../../src/core/input.ts';

const schema = z
  .object({
    regions: regionsSchema,
    region: regionSchema.optional(),
    compatibleRuntimes: listOf(z.enum(['nodejs20.x', 'python3.12'])).optional(),
    concurrency: positiveInt.default(4),
    force: booleanish.default(false),
  })
  .strict();

function problemsOf(raw: unknown, naming: 'flag' | 'input' | 'json') {
  try {
    parseInput(schema, raw, naming);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems;
  }
  throw new Error('expected an InputError');
}

describe('parseInput', () => {
  it('parses strings from action inputs into typed options', () => {
    const options = parseInput(
      schema,
      {
        regions: 'us-east-1,eu-west-1',
        compatibleRuntimes: 'nodejs20.x\npython3.12',
        concurrency: '8',
        force: 'true',
      },
      'input',
    );
    expect(options).toEqual({
      regions: { regions: ['us-east-1', 'eu-west-1'], notes: [] },
      compatibleRuntimes: ['nodejs20.x', 'python3.12'],
      concurrency: 8,
      force: true,
    });
  });

  it('collects every problem, each named the way the surface spells it', () => {
    const raw = {
      regions: 'eu-west-9',
      concurrency: '0',
      force: 'maybe',
      colour: 'blue',
      compatibleRuntimes: 'java8',
    };
    const flags = problemsOf(raw, 'flag');
    expect(flags.map((p) => p.input).sort()).toEqual(
      ['--colour', '--compatible-runtimes.[0]', '--concurrency', '--force', '--regions'].sort(),
    );
    expect(flags.find((p) => p.input === '--regions')?.message).toMatch(
      /'eu-west-9', which is not an AWS Region/,
    );
    expect(flags.find((p) => p.input === '--concurrency')?.message).toBe('must be greater than 0');
    expect(flags.find((p) => p.input === '--force')?.message).toBe("must be 'true' or 'false'");
    expect(problemsOf(raw, 'json').map((p) => p.input)).toContain('compatibleRuntimes.[0]');
  });

  it('says a missing option is required', () => {
    expect(problemsOf({}, 'input')).toEqual([{ input: 'regions', message: 'is required' }]);
  });

  it('wants exactly one Region where one is expected', () => {
    const problems = problemsOf({ regions: 'us-east-1', region: 'us-east-1,eu-west-1' }, 'flag');
    expect(problems).toEqual([
      { input: '--region', message: "has 'us-east-1,eu-west-1': give exactly one Region here" },
    ]);
  });

  it('formats one problem on one line and many as a list', () => {
    expect(new InputError([{ input: 'zip', message: 'is required' }]).message).toBe("'zip' is required");
    const many = new InputError([
      { input: 'zip', message: 'is required' },
      { input: 'name', message: 'is required' },
    ]);
    expect(many.message).toBe("2 problems with the input:\n  - 'zip' is required\n  - 'name' is required");
  });

  it('spells names per surface', () => {
    expect(inputName(['compatibleRuntimes'], 'flag')).toBe('--compatible-runtimes');
    expect(inputName(['compatibleRuntimes'], 'input')).toBe('compatible-runtimes');
    expect(inputName(['compatibleRuntimes'], 'json')).toBe('compatibleRuntimes');
  });
});
