import {
  AddLayerVersionPermissionCommand,
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  type LambdaClient,
  type LayerVersionContentInput,
  PublishLayerVersionCommand,
  paginateListLayerVersions,
} from '@aws-sdk/client-lambda';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { callAws, toAwsCallError } from '../aws/awsErrors.ts';
import { AwsCallError, DeploykitError } from '../core/errors.ts';
import { fanOut } from '../core/fanout.ts';
import { codeSha256Of, formatBytes, MAX_DIRECT_UPLOAD_BYTES, sha256HexOf } from '../core/lambdaPackage.ts';
import { createPlan, type Plan, type PlanStep } from '../core/plan.ts';
import type { Reporter } from '../core/reporter.ts';
import { errorNameOf } from '../core/retry.ts';
import { describeGrant, type Grant, statementIdOf } from './options.ts';

/** The layer zip, read once and reused for every Region: nothing is read or hashed twice. */
export interface LayerContent {
  bytes: Buffer;
  /** base64 SHA-256, as Lambda reports it. */
  codeSha256: string;
  sha256Hex: string;
}

export function layerContentOf(bytes: Buffer): LayerContent {
  return { bytes, codeSha256: codeSha256Of(bytes), sha256Hex: sha256HexOf(bytes) };
}

/** What to publish, where, and who may use it. */
export interface PublishRequest {
  name: string;
  regions: readonly string[];
  description?: string | undefined;
  compatibleRuntimes?: readonly string[] | undefined;
  compatibleArchitectures?: readonly string[] | undefined;
  licenseInfo?: string | undefined;
  grants?: readonly Grant[] | undefined;
  /** Bucket name, `{region}` replaced by each Region; needed for zips over 50 MB. */
  s3Bucket?: string | undefined;
  /** Publish a new version even when the latest has the same CodeSha256. */
  force?: boolean | undefined;
  /** Regions worked on at once. Default: all. */
  concurrency?: number | undefined;
  dryRun?: boolean | undefined;
}

export interface PublishDeps {
  lambda(region: string): LambdaClient;
  s3(region: string): S3Client;
  reporter: Reporter;
  now?: () => number;
}

/** The latest version of the layer in one Region. */
export interface LatestVersion {
  version: number;
  arn: string;
  codeSha256: string | undefined;
}

/** What one Region will do, decided before anything is changed. */
export interface RegionPlan {
  region: string;
  action: 'publish' | 'unchanged';
  reason: string;
  latest: LatestVersion | undefined;
  /** Grants whose statement is missing on the version that will be current. */
  grantsToAdd: Grant[];
  /** Set when the zip goes through S3 (over 50 MB). */
  s3: { bucket: string; key: string; uploadNeeded: boolean } | undefined;
}

export type RegionStatus = 'published' | 'unchanged' | 'failed' | 'planned';

/** How one Region ended. A failure keeps the AWS error code and message. */
export interface RegionResult {
  region: string;
  status: RegionStatus;
  /** For `planned` (dry run): what would happen. */
  plannedAction?: 'publish' | 'unchanged';
  version?: number;
  arn?: string;
  /** Statement ids added in this run. */
  grantsAdded: string[];
  /** Bytes this run sent to S3 for this Region. */
  bytesUploaded: number;
  durationMs: number;
  error?: { code: string; message: string };
  /** The error itself, for entry points that report it further (never serialized). */
  cause?: unknown;
}

export interface PublishReport {
  name: string;
  codeSha256: string;
  plan: Plan;
  results: RegionResult[];
  dryRun: boolean;
}

/** Raised for a Region whose zip is over 50 MB when no `--s3-bucket` was given. */
export class S3BucketRequiredError extends DeploykitError {}

/** The S3 key of a layer zip: content-addressed, so the same bytes are never uploaded twice. */
export function s3KeyOf(name: string, content: LayerContent): string {
  return `deploykit/layers/${name}/${content.sha256Hex}.zip`;
}

export function bucketFor(template: string, region: string): string {
  return template.replaceAll('{region}', region);
}

/**
 * Publishes a layer to many Regions: plans every Region first (latest version and its
 * CodeSha256, missing permission statements), reports the plan, then executes it in parallel.
 * Each Region ends `published`, `unchanged` or `failed`; one Region's failure never stops the
 * others. Calls are paced by the clients (one budget per Region) and throttling is retried by
 * the SDK's retry strategy inside each call.
 */
export async function publishLayer(
  request: PublishRequest,
  content: LayerContent,
  deps: PublishDeps,
): Promise<PublishReport> {
  const now = deps.now ?? Date.now;
  const regions = [...request.regions];
  const fan = { concurrency: request.concurrency ?? regions.length, now };

  const planned = await fanOut(regions, (region) => planRegion(region, request, content, deps), fan);
  const plan = toPlan(request, content, planned);
  deps.reporter.plan(plan, Boolean(request.dryRun));

  // A Region's time is its own planning plus its own execution, not the wait between the two.
  const planMs = new Map(planned.map((p) => [p.target, p.durationMs]));
  const results = new Map<string, RegionResult>();
  for (const p of planned) {
    if (!p.ok) results.set(p.target, failedResult(p.target, p.error, p.durationMs));
    else if (request.dryRun) {
      results.set(p.target, {
        region: p.target,
        status: 'planned',
        plannedAction: p.value.action,
        ...(p.value.latest ? { version: p.value.latest.version, arn: p.value.latest.arn } : {}),
        grantsAdded: [],
        bytesUploaded: 0,
        durationMs: p.durationMs,
      });
    }
  }

  if (!request.dryRun) {
    const ready = planned.flatMap((p) => (p.ok ? [p.value] : []));
    const executed = await fanOut(
      ready.map((p) => p.region),
      (_region, i) => executeRegion(ready[i] as RegionPlan, request, content, deps),
      fan,
    );
    for (const e of executed) {
      const ms = (planMs.get(e.target) ?? 0) + e.durationMs;
      results.set(e.target, e.ok ? { ...e.value, durationMs: ms } : failedResult(e.target, e.error, ms));
    }
  }
  return {
    name: request.name,
    codeSha256: content.codeSha256,
    plan,
    results: regions.map((r) => results.get(r) as RegionResult),
    dryRun: Boolean(request.dryRun),
  };
}

/** Finds the latest version of the layer in a Region, with its CodeSha256. */
export async function findLatestVersion(
  lambda: LambdaClient,
  region: string,
  name: string,
): Promise<LatestVersion | undefined> {
  let latest: { version: number; arn: string } | undefined;
  await callAws({ service: 'lambda', operation: 'ListLayerVersions', region }, async () => {
    // Lambda lists newest first, but the order is not documented: look at every page.
    for await (const page of paginateListLayerVersions({ client: lambda }, { LayerName: name })) {
      for (const v of page.LayerVersions ?? []) {
        if (v.Version !== undefined && v.LayerVersionArn && (!latest || v.Version > latest.version)) {
          latest = { version: v.Version, arn: v.LayerVersionArn };
        }
      }
    }
  });
  if (!latest) return undefined;
  const found = latest;
  // ListLayerVersions does not return the CodeSha256; GetLayerVersion does.
  const detail = await callAws({ service: 'lambda', operation: 'GetLayerVersion', region }, () =>
    lambda.send(new GetLayerVersionCommand({ LayerName: name, VersionNumber: found.version })),
  );
  return { ...found, codeSha256: detail.Content?.CodeSha256 };
}

interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  Principal?: string | { AWS?: string | string[] };
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** The statements of a layer version's policy; none when it has no policy yet. */
export async function readLayerPolicy(
  lambda: LambdaClient,
  region: string,
  name: string,
  version: number,
): Promise<PolicyStatement[]> {
  try {
    const res = await lambda.send(
      new GetLayerVersionPolicyCommand({ LayerName: name, VersionNumber: version }),
    );
    const doc = JSON.parse(res.Policy ?? '{}') as { Statement?: PolicyStatement[] | PolicyStatement };
    return Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  } catch (error) {
    // A version nobody was granted yet has no policy: Lambda answers ResourceNotFoundException.
    if (errorNameOf(error) === 'ResourceNotFoundException') return [];
    throw toAwsCallError(error, { service: 'lambda', operation: 'GetLayerVersionPolicy', region });
  }
}

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/**
 * True when a statement already grants what `grant` asks for: ours by its stable id, or one
 * written by hand that gives the same principal (so deploykit never adds a duplicate).
 */
export function statementGrants(statement: PolicyStatement, grant: Grant): boolean {
  if (statement.Sid === statementIdOf(grant)) return true;
  if ((statement.Effect ?? 'Allow') !== 'Allow') return false;
  if (!asList(statement.Action).includes('lambda:GetLayerVersion')) return false;
  const principals =
    typeof statement.Principal === 'string' ? [statement.Principal] : asList(statement.Principal?.AWS);
  const orgIds = Object.values(statement.Condition ?? {}).flatMap((c) =>
    Object.entries(c)
      .filter(([k]) => k.toLowerCase() === 'aws:principalorgid')
      .flatMap(([, v]) => asList(v)),
  );
  switch (grant.kind) {
    case 'account':
      return principals.some((p) => p === grant.accountId || p.endsWith(`::${grant.accountId}:root`));
    case 'org':
      return principals.includes('*') && orgIds.includes(grant.orgId);
    case 'public':
      return principals.includes('*') && orgIds.length === 0;
  }
}

/** Decides what one Region needs. Reads only; changes nothing. */
export async function planRegion(
  region: string,
  request: PublishRequest,
  content: LayerContent,
  deps: Pick<PublishDeps, 'lambda' | 's3'>,
): Promise<RegionPlan> {
  const lambda = deps.lambda(region);
  const grants = request.grants ?? [];
  const latest = await findLatestVersion(lambda, region, request.name);
  const same = latest !== undefined && latest.codeSha256 === content.codeSha256;
  if (same && !request.force) {
    const statements =
      grants.length > 0 ? await readLayerPolicy(lambda, region, request.name, latest.version) : [];
    return {
      region,
      action: 'unchanged',
      reason: `version ${latest.version} has the same CodeSha256`,
      latest,
      grantsToAdd: grants.filter((g) => !statements.some((s) => statementGrants(s, g))),
      s3: undefined,
    };
  }
  const reason = !latest
    ? 'the layer has no version in this Region'
    : same
      ? `--force (version ${latest.version} has the same CodeSha256)`
      : `version ${latest.version} has another CodeSha256 (${latest.codeSha256 ?? 'unknown'})`;
  return {
    region,
    action: 'publish',
    reason,
    latest,
    grantsToAdd: [...grants],
    s3:
      content.bytes.length > MAX_DIRECT_UPLOAD_BYTES
        ? await planS3(region, request, content, deps)
        : undefined,
  };
}

async function planS3(
  region: string,
  request: PublishRequest,
  content: LayerContent,
  deps: Pick<PublishDeps, 's3'>,
): Promise<RegionPlan['s3']> {
  if (!request.s3Bucket) {
    throw new S3BucketRequiredError(
      `The zip is ${formatBytes(content.bytes.length)}, over the 50 MB Lambda accepts uploaded directly, and no S3 bucket was given`,
      {
        hint: "pass --s3-bucket 'my-bucket-{region}' (action input s3-bucket): a bucket in each Region, '{region}' replaced by the Region name",
      },
    );
  }
  const bucket = bucketFor(request.s3Bucket, region);
  const key = s3KeyOf(request.name, content);
  try {
    const head = await deps.s3(region).send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const same =
      head.ContentLength === content.bytes.length && head.Metadata?.codesha256 === content.codeSha256;
    return { bucket, key, uploadNeeded: !same };
  } catch (error) {
    const name = errorNameOf(error);
    if (name === 'NotFound' || name === 'NoSuchKey') return { bucket, key, uploadNeeded: true };
    throw toAwsCallError(
      error,
      { service: 's3', operation: 'HeadObject', region },
      `check that s3://${bucket} exists in ${region} and that you may read it`,
    );
  }
}

/** Carries out one Region's plan. Returns how it ended; throws when a call failed. */
export async function executeRegion(
  plan: RegionPlan,
  request: PublishRequest,
  content: LayerContent,
  deps: Pick<PublishDeps, 'lambda' | 's3' | 'reporter'>,
): Promise<RegionResult> {
  const { region } = plan;
  const lambda = deps.lambda(region);
  let version: number;
  let arn: string;
  let bytesUploaded = 0;
  if (plan.action === 'publish') {
    let code: LayerVersionContentInput;
    if (plan.s3) {
      const { bucket, key } = plan.s3;
      if (plan.s3.uploadNeeded) {
        await callAws({ service: 's3', operation: 'PutObject', region }, () =>
          new Upload({
            client: deps.s3(region),
            params: {
              Bucket: bucket,
              Key: key,
              Body: content.bytes,
              Metadata: { codesha256: content.codeSha256 },
            },
          }).done(),
        );
        bytesUploaded = content.bytes.length;
      }
      code = { S3Bucket: bucket, S3Key: key };
    } else {
      code = { ZipFile: content.bytes };
    }
    const published = await callAws({ service: 'lambda', operation: 'PublishLayerVersion', region }, () =>
      lambda.send(
        new PublishLayerVersionCommand({
          LayerName: request.name,
          Content: code,
          ...(request.description !== undefined ? { Description: request.description } : {}),
          ...(request.compatibleRuntimes?.length
            ? { CompatibleRuntimes: [...request.compatibleRuntimes] as never }
            : {}),
          ...(request.compatibleArchitectures?.length
            ? { CompatibleArchitectures: [...request.compatibleArchitectures] as never }
            : {}),
          ...(request.licenseInfo !== undefined ? { LicenseInfo: request.licenseInfo } : {}),
        }),
      ),
    );
    if (published.Version === undefined || !published.LayerVersionArn) {
      throw new DeploykitError(`Lambda published the layer in ${region} without a version number or ARN`);
    }
    version = published.Version;
    arn = published.LayerVersionArn;
    const reported = published.Content?.CodeSha256;
    if (reported && reported !== content.codeSha256) {
      deps.reporter.warn(
        `${region}: Lambda reports CodeSha256 ${reported} for version ${version}, not ${content.codeSha256} as built`,
      );
    }
  } else {
    // An unchanged Region reuses its latest version; planRegion set `latest`.
    const latest = plan.latest as LatestVersion;
    version = latest.version;
    arn = latest.arn;
  }
  const grantsAdded: string[] = [];
  for (const grant of plan.grantsToAdd) {
    const statementId = statementIdOf(grant);
    try {
      await lambda.send(
        new AddLayerVersionPermissionCommand({
          LayerName: request.name,
          VersionNumber: version,
          StatementId: statementId,
          Action: 'lambda:GetLayerVersion',
          Principal: grant.kind === 'account' ? grant.accountId : '*',
          ...(grant.kind === 'org' ? { OrganizationId: grant.orgId } : {}),
        }),
      );
      grantsAdded.push(statementId);
    } catch (error) {
      // Another run added the same statement id in between: what we wanted is there.
      if (errorNameOf(error) === 'ResourceConflictException') continue;
      throw toAwsCallError(
        error,
        { service: 'lambda', operation: 'AddLayerVersionPermission', region },
        `granting ${describeGrant(grant)} on version ${version} failed` +
          (plan.action === 'publish'
            ? '; that version was published, and a re-run adds only the permission'
            : ''),
      );
    }
  }
  return {
    region,
    status: plan.action === 'publish' ? 'published' : 'unchanged',
    version,
    arn,
    grantsAdded,
    bytesUploaded,
    durationMs: 0,
  };
}

function failedResult(region: string, error: unknown, durationMs: number): RegionResult {
  const code =
    error instanceof AwsCallError
      ? error.errorName
      : (errorNameOf(error) ?? (error instanceof Error ? error.name : 'Error'));
  const base = error instanceof Error ? error.message : String(error);
  const hint = error instanceof DeploykitError && error.hint ? ` (how to fix: ${error.hint})` : '';
  return {
    region,
    status: 'failed',
    grantsAdded: [],
    bytesUploaded: 0,
    durationMs,
    error: { code, message: `${base}${hint}` },
    cause: error,
  };
}

function toPlan(
  request: PublishRequest,
  content: LayerContent,
  planned: Awaited<ReturnType<typeof fanOut<RegionPlan>>>,
): Plan {
  const steps: PlanStep[] = [];
  const resource = `layer ${request.name}`;
  for (const p of planned) {
    if (!p.ok) {
      const code = p.error instanceof AwsCallError ? p.error.errorName : errorNameOf(p.error);
      steps.push({
        target: p.target,
        resource,
        action: 'skip',
        reason: `cannot plan: ${code ? `${code}: ` : ''}${(p.error as Error)?.message ?? String(p.error)}`,
      });
      continue;
    }
    const r = p.value;
    const details: Record<string, string> = { codeSha256: content.codeSha256 };
    if (r.latest) {
      details.latestVersion = String(r.latest.version);
      if (r.latest.codeSha256) details.latestCodeSha256 = r.latest.codeSha256;
    }
    if (r.s3) {
      details.s3 = `s3://${r.s3.bucket}/${r.s3.key}${r.s3.uploadNeeded ? '' : ' (already there)'}`;
    }
    steps.push({
      target: r.region,
      resource,
      action: r.action === 'publish' ? 'create' : 'skip',
      reason: r.reason,
      details,
    });
    const grants = request.grants ?? [];
    for (const g of grants) {
      const missing = r.grantsToAdd.includes(g);
      steps.push({
        target: r.region,
        resource: `permission ${statementIdOf(g)}`,
        action: missing ? 'create' : 'skip',
        reason: missing
          ? r.action === 'publish'
            ? `grant ${describeGrant(g)} on the new version`
            : `grant ${describeGrant(g)} on version ${r.latest?.version}`
          : 'already granted',
      });
    }
  }
  return createPlan(`layer publish ${request.name}`, steps);
}
