import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { ECRClient } from '@aws-sdk/client-ecr';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { createRateLimiter, type RateLimiter } from '../core/rateLimit.ts';
import { VERSION } from '../version.ts';

/**
 * The one place AWS clients are built. Every client gets:
 * - its Region;
 * - the SDK's adaptive retry mode (client-side rate limiting that backs off on throttling);
 * - the user agent `deploykit/<version>`;
 * - a pacer that keeps each (service, Region) under its control-plane quota, shared by every
 *   task that uses the client, so parallel work in one Region stays under one budget.
 * Endpoints are left to the SDK, which honours `AWS_ENDPOINT_URL` and
 * `AWS_ENDPOINT_URL_<SERVICE>` itself (that is how the local stack's moto is reached).
 */

/** Lambda's control-plane quota is 15 requests/s per Region; stay below it by default. */
export const DEFAULT_REQUESTS_PER_SECOND = 10;

export interface ClientFactoryOptions {
  /** Requests per second per (service, Region). Default 10. */
  requestsPerSecond?: number;
  /** Total attempts per call, including the first (SDK `maxAttempts`). Default 6. */
  maxAttempts?: number;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

export interface AwsClients {
  lambda(region: string): LambdaClient;
  ecr(region: string): ECRClient;
  s3(region: string): S3Client;
  codepipeline(region: string): CodePipelineClient;
}

interface StackHolder {
  middlewareStack: {
    add: (
      mw: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
      options: { step: 'finalizeRequest'; priority: 'low'; name: string },
    ) => void;
  };
}

/** Paces every attempt (retries included) of every call made by this client. */
export function addRateLimit<C>(client: C, limiter: RateLimiter): C {
  (client as unknown as StackHolder).middlewareStack.add(
    (next) => async (args) => {
      await limiter.acquire();
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'deploykitRateLimit' },
  );
  return client;
}

function endpointIsCustom(service: string): boolean {
  return Boolean(process.env[`AWS_ENDPOINT_URL_${service}`] ?? process.env.AWS_ENDPOINT_URL);
}

export function createAwsClients(options: ClientFactoryOptions = {}): AwsClients {
  const rps = options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND;
  const common = {
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 6,
    customUserAgent: `deploykit/${VERSION}`,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  } as const;
  const cache = new Map<string, unknown>();
  const get = <C>(service: string, region: string, build: () => C): C => {
    const key = `${service}/${region}`;
    let client = cache.get(key) as C | undefined;
    if (!client) {
      client = addRateLimit(build(), createRateLimiter({ ratePerSecond: rps, burst: Math.ceil(rps / 2) }));
      cache.set(key, client);
    }
    return client;
  };
  return {
    lambda: (region) => get('lambda', region, () => new LambdaClient({ ...common, region })),
    ecr: (region) => get('ecr', region, () => new ECRClient({ ...common, region })),
    // A custom endpoint (moto, MinIO) serves buckets by path, not by virtual host name.
    s3: (region) =>
      get('s3', region, () => new S3Client({ ...common, region, forcePathStyle: endpointIsCustom('S3') })),
    codepipeline: (region) =>
      get('codepipeline', region, () => new CodePipelineClient({ ...common, region })),
  };
}

/** The Region to use when none is given: `--region`, then AWS_REGION, then AWS_DEFAULT_REGION. */
export function defaultRegion(explicit?: string): string | undefined {
  return explicit ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
}
