import { z } from 'zod';
import { parseDuration } from '../core/duration.ts';
import { InputError } from '../core/errors.ts';
import { booleanish, listOf, positiveInt, regionSchema } from '../core/input.ts';

/**
 * The options of `deploykit function wait|deploy|rollback`, shared by the CLI flags, the
 * actions' inputs and the gateFunction handler's UserParameters (camelCase keys).
 */

/** A function name, a partial ARN or a full ARN, without a qualifier (the API's own pattern). */
const FUNCTION_NAME =
  /^(arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:function:|\d{12}:function:)?[a-zA-Z0-9_-]{1,64}$/;

export const functionNameSchema = z
  .string()
  .trim()
  .refine((v) => FUNCTION_NAME.test(v), {
    error: (issue) =>
      `has '${String(issue.input)}', which is not a Lambda function name: use letters, digits, '-' and '_' (at most 64), or the function's ARN without a version`,
  });

/** A duration such as `90s` or `15m`, kept as milliseconds. */
export const durationSchema = z.union([z.string(), z.number()]).transform((raw, ctx) => {
  try {
    const ms = typeof raw === 'number' ? raw * 1000 : parseDuration(raw);
    if (!(ms > 0)) throw InputError.single('timeout', `has '${raw}': give a duration above 0, e.g. '15m'`);
    return ms;
  } catch (error) {
    const message =
      error instanceof InputError ? (error.problems[0]?.message ?? error.message) : String(error);
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  }
});

const ALIAS_NAME = /^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/;
export const aliasNameSchema = z
  .string()
  .trim()
  .refine((v) => ALIAS_NAME.test(v), {
    error: (issue) =>
      `has '${String(issue.input)}', which is not an alias name: use letters, digits, '-' and '_', not only digits (at most 128)`,
  });

const architectureSchema = z.enum(['x86_64', 'arm64'], {
  error: (issue) => `has '${String(issue.input)}': Lambda accepts 'x86_64' or 'arm64'`,
});

const S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;
export const s3UrlSchema = z.string().transform((raw, ctx) => {
  const m = S3_URL.exec(raw.trim());
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `has '${raw}': write it as s3://bucket/key` });
    return z.NEVER;
  }
  return { bucket: m[1] as string, key: m[2] as string };
});

/** 15 minutes: a VPC function's ENIs can take minutes; Lambda's own limit is the job's. */
export const DEFAULT_TIMEOUT_MS = 15 * 60_000;

/** What to gate, shared by `function wait` and the gateFunction handler. */
const waitFields = {
  function: listOf(functionNameSchema).refine((l) => l.length > 0, {
    error: 'is required: name at least one function',
  }),
  region: regionSchema.optional(),
  timeout: durationSchema.default(DEFAULT_TIMEOUT_MS),
  /** A version number or alias to gate instead of $LATEST. */
  qualifier: z.string().trim().min(1).optional(),
};

export const waitOptionsSchema = z.object(waitFields).strict();
export type WaitOptions = z.output<typeof waitOptionsSchema>;

/** The code to deploy: exactly one of these. */
const codeSourceFields = {
  imageUri: z.string().trim().min(1).optional(),
  zip: z.string().trim().min(1).optional(),
  s3: s3UrlSchema.optional(),
};

const deployFields = {
  ...codeSourceFields,
  publish: booleanish.default(false),
  alias: aliasNameSchema.optional(),
  architectures: listOf(architectureSchema)
    .refine((l) => l.length <= 1, { error: 'takes one architecture: x86_64 or arm64' })
    .optional(),
  description: z
    .string()
    .max(256, { error: 'is longer than 256 characters (the version description limit)' })
    .optional(),
};

const SOURCE_WORDS: Record<string, string> = {
  imageUri: 'an image URI',
  zip: 'a zip file',
  s3: 'an S3 object',
  artifact: 'an input artifact',
};

/**
 * Exactly one code source. Runs even when other fields failed (`when`), so the problem is
 * reported together with every other one.
 */
function exactlyOneSource(names: string[]) {
  return [
    (v: unknown, ctx: z.RefinementCtx) => {
      if (typeof v !== 'object' || v === null) return;
      const given = names.filter((n) => (v as Record<string, unknown>)[n] !== undefined);
      if (given.length === 1) return;
      const choices = names.map((n) => SOURCE_WORDS[n] ?? n).join(', ');
      ctx.addIssue({
        code: 'custom',
        path: [given[1] ?? names[0] ?? ''],
        message:
          given.length === 0
            ? `is required: give exactly one code source (${choices})`
            : `conflicts with the other code source given: give exactly one (${choices})`,
      });
    },
    { when: () => true },
  ] as const;
}

export const deployOptionsSchema = z
  .object({
    function: functionNameSchema,
    region: regionSchema.optional(),
    timeout: durationSchema.default(DEFAULT_TIMEOUT_MS),
    ...deployFields,
  })
  .strict()
  .superRefine(...exactlyOneSource(['imageUri', 'zip', 's3']));
export type DeployOptions = z.output<typeof deployOptionsSchema>;

export const rollbackOptionsSchema = z
  .object({
    function: functionNameSchema,
    alias: aliasNameSchema,
    toVersion: positiveInt.optional(),
    region: regionSchema.optional(),
    timeout: durationSchema.default(DEFAULT_TIMEOUT_MS),
  })
  .strict();
export type RollbackOptions = z.output<typeof rollbackOptionsSchema>;

/**
 * The gateFunction handler's UserParameters: a wait, or (with `deploy`) a gated deploy. In a
 * pipeline the package usually is the action's input artifact (`artifact`: its name, or true
 * for the only one); an image URI can come from a previous action's output variable.
 */
export const gateParamsSchema = z
  .object({
    ...waitFields,
    deploy: z
      .object({
        ...deployFields,
        zip: z.never({ error: 'cannot be read in CodePipeline: use artifact or s3' }).optional(),
        artifact: z.union([z.string().min(1), z.literal(true)]).optional(),
      })
      .strict()
      .superRefine(...exactlyOneSource(['imageUri', 's3', 'artifact']))
      .optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.deploy && v.function.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['function'],
        message: 'names one function when deploy is given',
      });
    }
  });
export type GateParams = z.output<typeof gateParamsSchema>;
