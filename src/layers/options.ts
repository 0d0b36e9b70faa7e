import { z } from 'zod';
import { booleanish, listOf, positiveInt, regionSchema, regionsSchema } from '../core/input.ts';

/**
 * The options of `deploykit layer build` / `layer publish`, the publish-layer action and the
 * publishLayer CodePipeline handler: one schema per surface, shared keys, so a message names
 * the flag, the action input or the UserParameters key the user actually wrote.
 */

/** Who may use a layer version: one account, every account of an organization, or everyone. */
export type Grant =
  | { kind: 'account'; accountId: string }
  | { kind: 'org'; orgId: string }
  | { kind: 'public' };

/** AddLayerVersionPermission's OrganizationId pattern. */
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT_ID = /^\d{12}$/;

/** Parses `account:123456789012`, `org:o-xxxxxxxxxx` or `public`; undefined when it is none of them. */
export function parseGrant(text: string): Grant | undefined {
  const value = text.trim();
  if (value.toLowerCase() === 'public') return { kind: 'public' };
  const [kind, id, ...rest] = value.split(':');
  if (rest.length > 0 || id === undefined) return undefined;
  if (kind === 'account' && ACCOUNT_ID.test(id)) return { kind: 'account', accountId: id };
  if (kind === 'org' && ORG_ID.test(id)) return { kind: 'org', orgId: id };
  return undefined;
}

/**
 * The statement id deploykit gives a grant. Stable, so a re-run finds the statement it added
 * before and never adds a second one (Lambda allows `[a-zA-Z0-9-_]+`).
 */
export function statementIdOf(grant: Grant): string {
  switch (grant.kind) {
    case 'account':
      return `deploykit-account-${grant.accountId}`;
    case 'org':
      return `deploykit-org-${grant.orgId}`;
    case 'public':
      return 'deploykit-public';
  }
}

/** How a grant is written on the command line, for tables and messages. */
export function describeGrant(grant: Grant): string {
  switch (grant.kind) {
    case 'account':
      return `account:${grant.accountId}`;
    case 'org':
      return `org:${grant.orgId}`;
    case 'public':
      return 'public';
  }
}

const grantsSchema = listOf(z.string()).transform((items, ctx) => {
  const grants: Grant[] = [];
  for (const item of items) {
    const grant = parseGrant(item);
    if (!grant) {
      ctx.addIssue({
        code: 'custom',
        message: `has '${item}', which is not a grant: write account:123456789012 (12 digits), org:o-abcdef0123 (the organization id) or public`,
      });
      continue;
    }
    if (!grants.some((g) => statementIdOf(g) === statementIdOf(grant))) grants.push(grant);
  }
  return grants;
});

/** Layer names as Lambda accepts them (the name, not an ARN: deploykit publishes in many Regions). */
const layerNameSchema = z
  .string()
  .regex(/^[a-zA-Z0-9-_]+$/, {
    error: (issue) => `has '${String(issue.input)}': a layer name may only hold letters, digits, '-' and '_'`,
  })
  .max(140, { error: 'is longer than 140 characters, the most Lambda accepts' });

const RUNTIME =
  /^(nodejs(\d+\.x)?|python\d\.\d+|java\d+(\.al2)?|dotnet\d+|dotnetcore\d\.\d|ruby\d\.\d+|provided(\.al2(023)?)?|go1\.x)$/;

const runtimesSchema = listOf(z.string()).superRefine((items, ctx) => {
  for (const item of items) {
    if (!RUNTIME.test(item)) {
      ctx.addIssue({
        code: 'custom',
        message: `has '${item}', which is not a Lambda runtime identifier (e.g. nodejs22.x, python3.12, java21, provided.al2023)`,
      });
    }
  }
  if (items.length > 15)
    ctx.addIssue({ code: 'custom', message: 'lists more than 15 runtimes, the most Lambda accepts' });
});

const architecturesSchema = listOf(z.string()).superRefine((items, ctx) => {
  for (const item of items) {
    if (item !== 'x86_64' && item !== 'arm64') {
      ctx.addIssue({ code: 'custom', message: `has '${item}': use x86_64, arm64 or both` });
    }
  }
});

/** Lambda accepts a bucket in the layer's own Region only, so a multi-Region publish needs `{region}`. */
const s3BucketSchema = z.string().regex(/^[a-z0-9.\-{}]+$/, {
  error: "must be a bucket name, optionally with '{region}', e.g. 'my-layers-{region}'",
});

/** Options shared by the CLI, the action and the handler. */
const layerContentOptions = {
  name: layerNameSchema,
  description: z
    .string()
    .max(256, { error: 'is longer than 256 characters, the most Lambda accepts' })
    .optional(),
  compatibleRuntimes: runtimesSchema.optional(),
  compatibleArchitectures: architecturesSchema.optional(),
  licenseInfo: z
    .string()
    .max(512, { error: 'is longer than 512 characters, the most Lambda accepts' })
    .optional(),
  grants: grantsSchema.optional(),
  s3Bucket: s3BucketSchema.optional(),
  force: booleanish.default(false),
};

/** `deploykit layer publish` and the publish-layer action. */
export const publishOptionsSchema = z
  .strictObject({
    zip: z.string().min(1, { error: 'is required: the path of the layer zip to publish' }),
    regions: regionsSchema,
    concurrency: positiveInt.optional(),
    ...layerContentOptions,
  })
  .superRefine((o, ctx) => {
    if (o.s3Bucket && o.regions.regions.length > 1 && !o.s3Bucket.includes('{region}')) {
      ctx.addIssue({
        code: 'custom',
        path: ['s3Bucket'],
        message: `has '${o.s3Bucket}' without '{region}': Lambda reads layer content from a bucket in the layer's own Region, so name one bucket per Region, e.g. '${o.s3Bucket}-{region}'`,
      });
    }
  });

export type PublishOptions = z.output<typeof publishOptionsSchema>;

/** The publishLayer CodePipeline handler: one Region per invocation. */
export const publishJobOptionsSchema = z.strictObject({
  /** The Region to publish to; default: the Region the handler runs in. */
  region: regionSchema.optional(),
  /** Which input artifact holds the layer (default: the only one). */
  artifact: z.string().min(1).optional(),
  /** The path of the layer zip inside the artifact, when the artifact is a zip of zips. */
  file: z.string().min(1).optional(),
  ...layerContentOptions,
});

export type PublishJobOptions = z.output<typeof publishJobOptionsSchema>;

/** The runtime families deploykit knows how to lay out. */
export const BUILD_RUNTIME = /^(nodejs\d+\.x|python3\.\d+)$/;

/** `deploykit layer build`. */
export const buildOptionsSchema = z.strictObject({
  dir: z.string().min(1, { error: 'is required: the directory to build the layer from' }),
  runtime: z
    .string()
    .regex(BUILD_RUNTIME, {
      error: (issue) =>
        `has '${String(issue.input)}': deploykit builds nodejs*.x and python3.* layers (e.g. nodejs22.x, python3.12)`,
    })
    .optional(),
  out: z.string().min(1).default('layer.zip'),
  install: booleanish.default(true),
});

export type BuildOptions = z.output<typeof buildOptionsSchema>;
