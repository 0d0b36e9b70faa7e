import { z } from 'zod';
import { booleanish, listOf, positiveInt, regionSchema } from '../core/input.ts';

/**
 * The options of `deploykit image build`, shared by the CLI flags, the build-image action's
 * inputs and any JSON caller. Keys are camelCase; each input surface spells them its own way.
 */

/** Lambda runtimes that have an AWS base image, mapped to `public.ecr.aws/lambda/<image>`. */
export const LAMBDA_BASE_IMAGES: Readonly<Record<string, string>> = {
  'python3.9': 'python:3.9',
  'python3.10': 'python:3.10',
  'python3.11': 'python:3.11',
  'python3.12': 'python:3.12',
  'python3.13': 'python:3.13',
  'nodejs18.x': 'nodejs:18',
  'nodejs20.x': 'nodejs:20',
  'nodejs22.x': 'nodejs:22',
  java11: 'java:11',
  java17: 'java:17',
  java21: 'java:21',
  'ruby3.3': 'ruby:3.3',
  dotnet8: 'dotnet:8',
  'provided.al2': 'provided:al2',
  'provided.al2023': 'provided:al2023',
};

/** The architectures Lambda runs, as build platforms. */
export const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;
export type Platform = (typeof PLATFORMS)[number];

// ECR's repository name pattern (CreateRepository API reference), 2-256 characters.
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
// The Docker/OCI tag grammar.
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
// host, host:port, or an IPv6 literal in brackets; no scheme, no path.
const REGISTRY_HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;

/** `K=V` pairs (repeatable flags, or one per line in an action input) into a record. */
function keyValues(what: string) {
  return listOf(z.string()).transform((items, ctx) => {
    const out: Record<string, string> = {};
    for (const item of items) {
      const eq = item.indexOf('=');
      if (eq <= 0) {
        ctx.addIssue({
          code: 'custom',
          message: `has '${item}', which is not ${what} in the form KEY=VALUE`,
        });
        continue;
      }
      out[item.slice(0, eq).trim()] = item.slice(eq + 1);
    }
    return out;
  });
}

/** Like listOf, but splits on newlines only: build args and labels may contain commas. */
function keyValueLines(what: string) {
  return z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split('\n')
            .map((s) => s.trim())
            .filter((s) => s.length > 0)
        : v,
    keyValues(what),
  );
}

export const imageBuildSchema = z
  .object({
    context: z.string().min(1).default('.'),
    preset: z
      .enum(['lambda', 'flink', 'none'], { error: "must be 'lambda', 'flink' or 'none'" })
      .default('none'),
    /** Path of the Dockerfile, relative to the context. */
    dockerfile: z.string().min(1).default('Dockerfile'),
    repository: z
      .string({ error: 'is required: the ECR repository name, e.g. my-team/my-function' })
      .regex(
        REPOSITORY_NAME,
        "must be an ECR repository name: lowercase letters, digits, '.', '_', '-' and '/' between parts",
      ),
    tags: listOf(
      z.string().regex(TAG, 'must be a tag: letters, digits, _ . - (up to 128, not starting with . or -)'),
    ).default([]),
    platform: z
      .enum(PLATFORMS, { error: "must be 'linux/amd64' or 'linux/arm64' (the architectures Lambda runs)" })
      .default('linux/amd64'),
    buildArgs: keyValueLines('a build argument').default({}),
    target: z.string().min(1).optional(),
    baseImage: z.string().min(1).optional(),
    labels: keyValueLines('a label').default({}),
    push: booleanish.default(false),
    /** Registry host[:port] that replaces the ECR registry (the local stack, or another registry). */
    registry: z
      .string()
      .regex(
        REGISTRY_HOST,
        "must be a registry host such as 'registry.example.com' or '127.0.0.1:5000' (no scheme)",
      )
      .optional(),
    region: regionSchema.optional(),
    /** Manage the ECR repository (create, settings, lifecycle) before pushing. */
    ecr: booleanish.default(true),
    // Lambda preset
    runtime: z.string().optional(),
    handler: z.string().min(1).optional(),
    /** Directory (in the context) whose contents go to the Lambda task root. */
    code: z.string().min(1).default('.'),
    // Flink preset
    flinkVersion: z
      .string()
      .regex(/^\d+\.\d+(?:\.\d+)?$/, "must be a Flink version such as '1.20'")
      .default('1.20'),
    javaVersion: z
      .enum(['8', '11', '17', '21'], { error: "must be '11', '17' or '21' (or '8')" })
      .default('17'),
    /** The job jar (in the context), copied to /opt/flink/usrlib/. */
    jobJar: z.string().min(1).optional(),
    /** A Flink configuration file (config.yaml or flink-conf.yaml) copied to /opt/flink/conf/. */
    flinkConf: z.string().min(1).optional(),
    // ECR repository settings
    scanOnPush: booleanish.default(true),
    tagMutability: z
      .enum(['MUTABLE', 'IMMUTABLE'], { error: "must be 'MUTABLE' or 'IMMUTABLE'" })
      .default('MUTABLE'),
    encryption: z.enum(['AES256', 'KMS'], { error: "must be 'AES256' or 'KMS'" }).default('AES256'),
    kmsKey: z.string().min(1).optional(),
    expireUntaggedDays: positiveInt.optional(),
    keepTagged: positiveInt.optional(),
    /** Change an existing repository's settings to the ones given (otherwise they are left alone). */
    applySettings: booleanish.default(false),
    /** Build without the engine's layer cache. */
    noCache: booleanish.default(false),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.preset === 'lambda' && o.runtime !== undefined && !(o.runtime in LAMBDA_BASE_IMAGES)) {
      ctx.addIssue({
        code: 'custom',
        path: ['runtime'],
        message: `has '${o.runtime}', which is not a Lambda runtime with a base image: use one of ${Object.keys(LAMBDA_BASE_IMAGES).join(', ')}`,
      });
    }
    if (o.kmsKey !== undefined && o.encryption !== 'KMS') {
      ctx.addIssue({
        code: 'custom',
        path: ['kmsKey'],
        message: "is only used with encryption 'KMS': add --encryption KMS or drop it",
      });
    }
    if (o.runtime !== undefined && o.preset !== 'lambda') {
      ctx.addIssue({ code: 'custom', path: ['runtime'], message: "is only used with preset 'lambda'" });
    }
    if ((o.jobJar !== undefined || o.flinkConf !== undefined) && o.preset !== 'flink') {
      ctx.addIssue({
        code: 'custom',
        path: [o.jobJar !== undefined ? 'jobJar' : 'flinkConf'],
        message: "is only used with preset 'flink'",
      });
    }
  });

export type ImageBuildOptions = z.output<typeof imageBuildSchema>;

/** The options of `deploykit image verify`: check an already pushed image as Lambda would. */
export const imageVerifySchema = z
  .object({
    image: z
      .string({
        error: 'is required: the image reference, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:tag',
      })
      .regex(
        /^[^/\s]+\/[^\s@:]+(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$/,
        'must be a fully qualified reference: host/repository:tag or host/repository@sha256:<digest>',
      ),
    platform: z
      .enum(PLATFORMS, { error: "must be 'linux/amd64' or 'linux/arm64' (the architectures Lambda runs)" })
      .default('linux/amd64'),
    region: regionSchema.optional(),
  })
  .strict();

export type ImageVerifyOptions = z.output<typeof imageVerifySchema>;
