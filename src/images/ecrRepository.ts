import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  type Repository,
} from '@aws-sdk/client-ecr';
import { callAws, toAwsCallError } from '../aws/awsErrors.ts';
import { AwsCallError, EnvironmentError } from '../core/errors.ts';
import type { PlanStep } from '../core/plan.ts';
import type { Reporter } from '../core/reporter.ts';

/** The repository settings deploykit wants. */
export interface RepositorySettings {
  scanOnPush: boolean;
  tagMutability: 'MUTABLE' | 'IMMUTABLE';
  encryption: 'AES256' | 'KMS';
  kmsKey?: string | undefined;
  /** Expire untagged images this many days after push. */
  expireUntaggedDays?: number | undefined;
  /** Keep this many tagged images, expire older ones. */
  keepTagged?: number | undefined;
}

export type RepositoryChange = 'create' | 'scanOnPush' | 'tagMutability' | 'lifecyclePolicy';

/** What to do to the repository, and what is left alone (and why). */
export interface RepositoryPlan {
  repository: string;
  region: string;
  exists: boolean;
  uri?: string | undefined;
  changes: RepositoryChange[];
  lifecyclePolicyText?: string | undefined;
  /** Differences left alone (no --apply-settings, or not changeable like encryption). */
  drift: string[];
  steps: PlanStep[];
}

const ECR = 'ECR';

/**
 * The lifecycle policy text for the settings: untagged images expire N days after push, and
 * only the last N tagged images are kept (`tagStatus: any` must have the highest priority, and
 * with untagged images gone first it counts what is left: the tagged ones).
 */
export function lifecyclePolicyText(
  s: Pick<RepositorySettings, 'expireUntaggedDays' | 'keepTagged'>,
): string | undefined {
  const rules: unknown[] = [];
  if (s.expireUntaggedDays !== undefined) {
    rules.push({
      rulePriority: 1,
      description: `Expire untagged images ${s.expireUntaggedDays} days after push`,
      selection: {
        tagStatus: 'untagged',
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: s.expireUntaggedDays,
      },
      action: { type: 'expire' },
    });
  }
  if (s.keepTagged !== undefined) {
    rules.push({
      rulePriority: 2,
      description: `Keep the last ${s.keepTagged} images`,
      selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: s.keepTagged },
      action: { type: 'expire' },
    });
  }
  return rules.length > 0 ? JSON.stringify({ rules }) : undefined;
}

/** Compares two policy texts as JSON, so formatting and key order do not count as a change. */
function samePolicy(a: string, b: string): boolean {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .sort(([x], [y]) => (x < y ? -1 : 1))
          .map(([k, val]) => [k, canonical(val)]),
      );
    }
    return v;
  };
  try {
    return JSON.stringify(canonical(JSON.parse(a))) === JSON.stringify(canonical(JSON.parse(b)));
  } catch {
    return a === b;
  }
}

async function describeRepository(
  ecr: ECRClient,
  region: string,
  name: string,
): Promise<Repository | undefined> {
  try {
    const out = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    return out.repositories?.[0];
  } catch (error) {
    if ((error as { name?: string }).name === 'RepositoryNotFoundException') return undefined;
    throw toAwsCallError(error, { service: ECR, operation: 'DescribeRepositories', region });
  }
}

async function currentLifecyclePolicy(
  ecr: ECRClient,
  region: string,
  name: string,
): Promise<string | undefined> {
  try {
    const out = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name }));
    return out.lifecyclePolicyText;
  } catch (error) {
    if ((error as { name?: string }).name === 'LifecyclePolicyNotFoundException') return undefined;
    throw toAwsCallError(error, { service: ECR, operation: 'GetLifecyclePolicy', region });
  }
}

/**
 * Reads the repository and its lifecycle policy and plans what to change. A missing repository
 * is created with every setting; an existing one is left as it is unless `applySettings`
 * (encryption can never change after creation, so a difference there is only reported).
 */
export async function planRepository(
  ecr: ECRClient,
  region: string,
  repository: string,
  wanted: RepositorySettings,
  applySettings: boolean,
): Promise<RepositoryPlan> {
  const current = await describeRepository(ecr, region, repository);
  const policy = lifecyclePolicyText(wanted);
  const target = `ecr ${region}`;
  const resource = `repository ${repository}`;
  const steps: PlanStep[] = [];
  const changes: RepositoryChange[] = [];
  const drift: string[] = [];
  if (!current) {
    changes.push('create');
    steps.push({
      target,
      resource,
      action: 'create',
      reason: 'it does not exist',
      details: {
        scanOnPush: String(wanted.scanOnPush),
        tagMutability: wanted.tagMutability,
        encryption: wanted.kmsKey ? `KMS ${wanted.kmsKey}` : wanted.encryption,
      },
    });
    if (policy) {
      changes.push('lifecyclePolicy');
      steps.push({
        target,
        resource: `lifecycle policy ${repository}`,
        action: 'create',
        reason: describePolicy(wanted),
      });
    }
    return { repository, region, exists: false, changes, lifecyclePolicyText: policy, drift, steps };
  }

  const currentScan = current.imageScanningConfiguration?.scanOnPush ?? false;
  const currentMutability = current.imageTagMutability ?? 'MUTABLE';
  const currentEncryption = current.encryptionConfiguration?.encryptionType ?? 'AES256';
  const settingSteps: string[] = [];
  const note = (what: string, have: string, want: string, change: RepositoryChange) => {
    if (applySettings) {
      changes.push(change);
      settingSteps.push(`${what} ${have} -> ${want}`);
    } else {
      drift.push(`${what} is ${have} (wanted ${want}); left alone: pass --apply-settings to change it`);
    }
  };
  if (currentScan !== wanted.scanOnPush)
    note('scan-on-push', String(currentScan), String(wanted.scanOnPush), 'scanOnPush');
  if (currentMutability !== wanted.tagMutability)
    note('tag mutability', currentMutability, wanted.tagMutability, 'tagMutability');
  if (currentEncryption !== wanted.encryption && !String(currentEncryption).startsWith(wanted.encryption)) {
    drift.push(
      `encryption is ${currentEncryption} (wanted ${wanted.encryption}); ECR cannot change it after creation`,
    );
  }
  steps.push(
    settingSteps.length > 0
      ? { target, resource, action: 'update', reason: settingSteps.join('; ') }
      : {
          target,
          resource,
          action: 'skip',
          reason:
            drift.length > 0
              ? `exists; settings differ, left alone (${drift.length})`
              : 'exists with the wanted settings',
        },
  );

  let lifecycle: string | undefined;
  if (policy) {
    const existing = await currentLifecyclePolicy(ecr, region, repository);
    const policyResource = `lifecycle policy ${repository}`;
    if (existing === undefined) {
      changes.push('lifecyclePolicy');
      lifecycle = policy;
      steps.push({ target, resource: policyResource, action: 'create', reason: describePolicy(wanted) });
    } else if (samePolicy(existing, policy)) {
      steps.push({ target, resource: policyResource, action: 'skip', reason: 'the same policy is in place' });
    } else if (applySettings) {
      changes.push('lifecyclePolicy');
      lifecycle = policy;
      steps.push({
        target,
        resource: policyResource,
        action: 'update',
        reason: `replace with: ${describePolicy(wanted)}`,
      });
    } else {
      drift.push('a different lifecycle policy is in place; left alone: pass --apply-settings to replace it');
      steps.push({
        target,
        resource: policyResource,
        action: 'skip',
        reason: 'a different policy is in place (--apply-settings replaces it)',
      });
    }
  }
  return {
    repository,
    region,
    exists: true,
    uri: current.repositoryUri,
    changes,
    lifecyclePolicyText: lifecycle,
    drift,
    steps,
  };
}

function describePolicy(s: RepositorySettings): string {
  const parts: string[] = [];
  if (s.expireUntaggedDays !== undefined) parts.push(`expire untagged after ${s.expireUntaggedDays} days`);
  if (s.keepTagged !== undefined) parts.push(`keep the last ${s.keepTagged} images`);
  return parts.join(', ');
}

/** Carries out a repository plan; returns the repository URI. */
export async function applyRepositoryPlan(
  ecr: ECRClient,
  plan: RepositoryPlan,
  wanted: RepositorySettings,
  reporter: Reporter,
): Promise<string | undefined> {
  const where = (operation: string) => ({ service: ECR, operation, region: plan.region });
  const name = plan.repository;
  let uri = plan.uri;
  if (plan.changes.includes('create')) {
    const out = await callAws(where('CreateRepository'), () =>
      ecr.send(
        new CreateRepositoryCommand({
          repositoryName: name,
          imageScanningConfiguration: { scanOnPush: wanted.scanOnPush },
          imageTagMutability: wanted.tagMutability,
          encryptionConfiguration:
            wanted.encryption === 'KMS'
              ? { encryptionType: 'KMS', ...(wanted.kmsKey ? { kmsKey: wanted.kmsKey } : {}) }
              : { encryptionType: 'AES256' },
        }),
      ),
    ).catch((error: unknown) => {
      // Someone created it between our read and now (parallel jobs): fine, use it.
      if (error instanceof AwsCallError && error.errorName === 'RepositoryAlreadyExistsException')
        return undefined;
      throw error;
    });
    uri = out?.repository?.repositoryUri ?? uri;
    reporter.info(`created ECR repository ${name} in ${plan.region}`);
  }
  if (plan.changes.includes('scanOnPush')) {
    await callAws(where('PutImageScanningConfiguration'), () =>
      ecr.send(
        new PutImageScanningConfigurationCommand({
          repositoryName: name,
          imageScanningConfiguration: { scanOnPush: wanted.scanOnPush },
        }),
      ),
    );
    reporter.info(`set scan-on-push of ${name} to ${wanted.scanOnPush}`);
  }
  if (plan.changes.includes('tagMutability')) {
    await callAws(where('PutImageTagMutability'), () =>
      ecr.send(
        new PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: wanted.tagMutability }),
      ),
    );
    reporter.info(`set tag mutability of ${name} to ${wanted.tagMutability}`);
  }
  if (plan.changes.includes('lifecyclePolicy') && plan.lifecyclePolicyText) {
    const text = plan.lifecyclePolicyText;
    await callAws(where('PutLifecyclePolicy'), () =>
      ecr.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: text })),
    );
    reporter.info(`set the lifecycle policy of ${name}`);
  }
  for (const d of plan.drift) reporter.warn(`ECR repository ${name}: ${d}`);
  return uri;
}

/** Registry login for ECR: the registry host and the credentials the push and the checks use. */
export interface EcrLogin {
  host: string;
  username: string;
  password: string;
}

/**
 * Logs in to the account's ECR registry with GetAuthorizationToken. The token decodes to
 * `AWS:<password>`; the password is registered as a secret before anything else happens, so
 * no later message (or error) can print it.
 */
export async function loginToEcr(ecr: ECRClient, region: string, reporter: Reporter): Promise<EcrLogin> {
  const out = await callAws({ service: ECR, operation: 'GetAuthorizationToken', region }, () =>
    ecr.send(new GetAuthorizationTokenCommand({})),
  );
  const data = out.authorizationData?.[0];
  if (data?.authorizationToken) reporter.secret(data.authorizationToken);
  const decoded = data?.authorizationToken
    ? Buffer.from(data.authorizationToken, 'base64').toString('utf8')
    : '';
  const colon = decoded.indexOf(':');
  if (colon > 0) reporter.secret(decoded.slice(colon + 1));
  if (!data?.proxyEndpoint || colon <= 0) {
    throw new EnvironmentError(`ECR.GetAuthorizationToken in ${region} returned no usable token`, {
      hint: 'check the credentials have ecr:GetAuthorizationToken',
    });
  }
  return {
    host: data.proxyEndpoint.replace(/^https?:\/\//, '').replace(/\/+$/, ''),
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
  };
}
