import {
  type CodePipelineClient,
  type FailureType,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { z } from 'zod';
import { type AwsClients, createAwsClients } from '../aws/clients.ts';
import {
  ArtifactError,
  AwsCallError,
  DeadlineError,
  DeploykitError,
  describeError,
  InputError,
} from '../core/errors.ts';
import { parseInput } from '../core/input.ts';
import { createRedactor } from '../core/redact.ts';
import type { Reporter } from '../core/reporter.ts';
import { errorNameOf } from '../core/retry.ts';
import { type Artifact, type JobData, jobEventSchema, jobIdOf, selectArtifact } from './jobEvent.ts';
import { createLambdaReporter } from './lambdaReporter.ts';

/** The part of the Lambda context the framework reads. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

export interface JobContext<P> {
  jobId: string;
  /** UserParameters, parsed by the capability's schema. */
  params: P;
  /** The state carried by the previous invocation's continuation token, if this is a continuation. */
  continuation: unknown;
  reporter: Reporter;
  aws: AwsClients;
  /** The Region the handler runs in (CodePipeline actions are regional). */
  region: string;
  /** Milliseconds left before the framework must report; work should stop before this reaches 0. */
  remainingMs(): number;
  /** Aborted when the deadline is reached. */
  signal: AbortSignal;
  inputArtifacts: readonly Artifact[];
  /** Downloads an input artifact (by name, or the only one) with the job's artifact credentials. */
  downloadArtifact(name?: string): Promise<Buffer>;
}

export type JobResult =
  | { status: 'succeeded'; outputVariables?: Record<string, string>; summary?: string }
  /** Work goes on: CodePipeline invokes the handler again with this state in the token. */
  | { status: 'continue'; state: unknown; summary?: string };

export interface JobSpec<S extends z.ZodType> {
  /** The capability's name, for logs (`publish-layer`). */
  name: string;
  /** The UserParameters schema (the same one the CLI and the action parse through). */
  schema: S;
  run(ctx: JobContext<z.output<S>>): Promise<JobResult>;
}

export interface JobHandlerDeps {
  aws?: AwsClients;
  /** Builds the S3 client for artifacts from the job's temporary credentials. */
  artifactS3?: (credentials: NonNullable<JobData['artifactCredentials']>, region: string) => S3Client;
  /** Where log lines go (console.log in Lambda). */
  log?: (line: string) => void;
  /** Time kept back to report before Lambda's own timeout. Default 5 s. */
  safetyMarginMs?: number;
  region?: string;
}

/** CodePipeline caps a continuation token at 2048 characters and failure messages at 5000. */
const MAX_TOKEN = 2048;
const MAX_MESSAGE = 5000;

/**
 * Wraps a capability as a CodePipeline Lambda-invoke handler: validates the event and the
 * UserParameters, gives the capability its artifacts and deadline, and always reports the job
 * (success, continuation or failure), even when the event itself is malformed.
 */
export function createJobHandler<S extends z.ZodType>(spec: JobSpec<S>, deps: JobHandlerDeps = {}) {
  const safetyMarginMs = deps.safetyMarginMs ?? 5000;
  return async (event: unknown, context: LambdaContextLike): Promise<void> => {
    const region = deps.region ?? process.env.AWS_REGION ?? 'us-east-1';
    const aws = deps.aws ?? createAwsClients();
    const codepipeline: CodePipelineClient = aws.codepipeline(region);
    const redactor = createRedactor();
    const jobId = jobIdOf(event);
    const reporter = createLambdaReporter(
      redactor,
      { capability: spec.name, ...(jobId ? { jobId } : {}) },
      deps.log,
    );
    if (!jobId) {
      // Without a job id there is nobody to report to; this is not a CodePipeline invocation.
      reporter.error('The event is not a CodePipeline job: it has no CodePipeline.job.id');
      throw new InputError([{ input: 'CodePipeline.job.id', message: 'is missing from the event' }]);
    }
    const creds = (event as { 'CodePipeline.job'?: { data?: JobData } })['CodePipeline.job']?.data
      ?.artifactCredentials;
    redactor.addSecret(creds?.secretAccessKey);
    redactor.addSecret(creds?.sessionToken);
    redactor.addSecret(creds?.accessKeyId);

    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const budget = context.getRemainingTimeInMillis() - safetyMarginMs;
    const deadlineAt = Date.now() + budget;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          controller.abort();
          reject(
            new DeadlineError(
              `Stopped ${safetyMarginMs} ms before the Lambda function's timeout, with the work unfinished`,
              {
                hint: 'raise the handler function timeout, or let the capability continue with a continuation token',
              },
            ),
          );
        },
        Math.max(0, budget),
      );
    });

    try {
      const parsed = jobEventSchema.safeParse(event);
      if (!parsed.success) {
        throw new InputError(
          parsed.error.issues.map((i) => ({
            input: i.path.join('.'),
            message: `is malformed: ${i.message}`,
          })),
        );
      }
      const data = parsed.data['CodePipeline.job'].data;
      const params = parseUserParameters(spec.schema, data.actionConfiguration.configuration.UserParameters);
      const continuation = data.continuationToken ? decodeToken(data.continuationToken) : undefined;
      reporter.info(continuation === undefined ? 'Job started' : 'Job continued');
      const ctx: JobContext<z.output<S>> = {
        jobId,
        params,
        continuation,
        reporter,
        aws,
        region,
        remainingMs: () => deadlineAt - Date.now(),
        signal: controller.signal,
        inputArtifacts: data.inputArtifacts,
        downloadArtifact: (name) => {
          if (!data.artifactCredentials) {
            throw new ArtifactError('The job carries no artifactCredentials to read its input artifacts');
          }
          const s3 = (deps.artifactS3 ?? defaultArtifactS3)(data.artifactCredentials, region);
          return downloadArtifact(s3, selectArtifact(data.inputArtifacts, name));
        },
      };
      const result = await Promise.race([spec.run(ctx), deadline]);
      if (result.status === 'continue') {
        const token = JSON.stringify(result.state);
        if (token.length > MAX_TOKEN) {
          throw new DeploykitError(
            `The continuation state is ${token.length} characters, over CodePipeline's 2048`,
          );
        }
        await codepipeline.send(
          new PutJobSuccessResultCommand({
            jobId,
            continuationToken: token,
            ...(result.summary ? { executionDetails: { summary: truncate(result.summary, 2048) } } : {}),
          }),
        );
        reporter.info('Job continues: reported a continuation token');
      } else {
        await codepipeline.send(
          new PutJobSuccessResultCommand({
            jobId,
            ...(result.outputVariables ? { outputVariables: result.outputVariables } : {}),
            ...(result.summary ? { executionDetails: { summary: truncate(result.summary, 2048) } } : {}),
          }),
        );
        reporter.info('Job succeeded');
      }
    } catch (error) {
      const message = truncate(redactor.redact(describeError(error)), MAX_MESSAGE);
      reporter.error(message);
      await codepipeline.send(
        new PutJobFailureResultCommand({
          jobId,
          failureDetails: {
            type: failureTypeOf(error),
            message,
            ...(context.awsRequestId ? { externalExecutionId: context.awsRequestId } : {}),
          },
        }),
      );
    } finally {
      clearTimeout(timer);
    }
  };
}

function parseUserParameters<S extends z.ZodType>(schema: S, text: string | undefined): z.output<S> {
  let raw: unknown = {};
  if (text !== undefined && text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw InputError.single(
        'UserParameters',
        `is not valid JSON (${(error as Error).message}): write it as a JSON object, e.g. {"regions":"us-east-1"}`,
      );
    }
  }
  return parseInput(schema, raw, 'json');
}

function decodeToken(token: string): unknown {
  try {
    return JSON.parse(token);
  } catch {
    throw InputError.single(
      'continuationToken',
      'was not written by deploykit (not JSON): re-run the action',
    );
  }
}

/** Maps an error to the CodePipeline failure type a pipeline operator would expect. */
export function failureTypeOf(error: unknown): FailureType {
  if (error instanceof InputError) return 'ConfigurationError';
  const name = error instanceof AwsCallError ? error.errorName : errorNameOf(error);
  if (name && /AccessDenied|Unauthorized|Forbidden|NotAuthorized/i.test(name)) return 'PermissionError';
  if (error instanceof ArtifactError && /AccessDenied/.test(error.message)) return 'PermissionError';
  return 'JobFailed';
}

function defaultArtifactS3(creds: NonNullable<JobData['artifactCredentials']>, region: string): S3Client {
  return new S3Client({
    region,
    credentials: {
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}),
    },
    forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL),
  });
}

/** Reads one artifact object; a missing object or a refused read becomes an ArtifactError. */
export async function downloadArtifact(s3: S3Client, artifact: Artifact): Promise<Buffer> {
  const loc = artifact.location.s3Location;
  if (!loc) throw new ArtifactError(`Input artifact '${artifact.name}' has no S3 location`);
  const where = `s3://${loc.bucketName}/${loc.objectKey}`;
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: loc.bucketName, Key: loc.objectKey }));
    if (!res.Body) throw new ArtifactError(`Input artifact '${artifact.name}' at ${where} is empty`);
    return Buffer.from(await res.Body.transformToByteArray());
  } catch (error) {
    if (error instanceof ArtifactError) throw error;
    const name = errorNameOf(error) ?? 'Error';
    if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound') {
      throw new ArtifactError(`Input artifact '${artifact.name}' is missing: ${where} (${name})`, {
        hint: 'check that the previous stage produced the artifact and that it has not expired',
        cause: error,
      });
    }
    const denied = /AccessDenied|Forbidden/.test(name);
    throw new ArtifactError(`Input artifact '${artifact.name}' could not be read from ${where}: ${name}`, {
      cause: error,
      ...(denied ? { hint: "the artifact bucket refused the job's artifactCredentials" } : {}),
    });
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
