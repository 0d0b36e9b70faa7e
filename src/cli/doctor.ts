import { type LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import type Docker from 'dockerode';
import { describeError } from '../core/errors.ts';
import type { Outcome } from '../core/reporter.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  check: string;
  status: CheckStatus;
  detail: string;
  /** How to fix it, when status is not ok. */
  fix?: string;
}

export interface DoctorDeps {
  nodeVersion: string;
  docker: () => Docker;
  dockerHost: string | undefined;
  registry: string | undefined;
  fetch: typeof fetch;
  lambda: (region: string) => LambdaClient;
  region: string | undefined;
  endpoint: string | undefined;
}

const LOCAL_STACK_FIX =
  "run 'scripts/local-stack.sh start' and then 'eval \"$(scripts/local-stack.sh env)\"', or point the variable at your own";

export function checkNode(version: string): CheckResult {
  const major = Number(version.split('.')[0]);
  // The AWS SDK for JavaScript v3 announced that its releases after early January 2027 need Node 22.
  const note = major < 22 ? ' (AWS SDK releases from 2027 need Node.js 22: plan the upgrade)' : '';
  return major >= 20
    ? { check: 'node', status: 'ok', detail: `Node.js ${version}${note}` }
    : {
        check: 'node',
        status: 'fail',
        detail: `Node.js ${version} is too old`,
        fix: 'install Node.js 20 or newer',
      };
}

export async function checkContainerEngine(
  deps: Pick<DoctorDeps, 'docker' | 'dockerHost'>,
): Promise<CheckResult> {
  const where = deps.dockerHost ?? 'the default socket /var/run/docker.sock';
  try {
    const docker = deps.docker();
    await docker.ping();
    const v = await docker.version();
    const engine = v.Components?.find((c) => c.Name !== 'Engine')?.Name ?? 'Docker Engine';
    return {
      check: 'container engine',
      status: 'ok',
      detail: `${engine} ${v.Version} (API ${v.ApiVersion}) at ${where}`,
    };
  } catch (error) {
    return {
      check: 'container engine',
      status: 'fail',
      detail: `no Docker Engine API at ${where}: ${describeError(error)}`,
      fix: `set DOCKER_HOST to a Docker or podman API socket; ${LOCAL_STACK_FIX}`,
    };
  }
}

export async function checkRegistry(deps: Pick<DoctorDeps, 'registry' | 'fetch'>): Promise<CheckResult> {
  if (!deps.registry) {
    return {
      check: 'registry',
      status: 'warn',
      detail: 'DEPLOYKIT_REGISTRY is not set: images will go to the ECR registry of the account',
      fix: `set DEPLOYKIT_REGISTRY=host:port for a local registry; ${LOCAL_STACK_FIX}`,
    };
  }
  const scheme = /^(127\.|localhost)/.test(deps.registry) ? 'http' : 'https';
  const url = `${scheme}://${deps.registry}/v2/`;
  try {
    const res = await deps.fetch(url, { signal: AbortSignal.timeout(5000) });
    // 401 is a healthy registry that wants credentials.
    if (res.status === 200 || res.status === 401) {
      return { check: 'registry', status: 'ok', detail: `${url} answers ${res.status}` };
    }
    return {
      check: 'registry',
      status: 'fail',
      detail: `${url} answers ${res.status}`,
      fix: LOCAL_STACK_FIX,
    };
  } catch (error) {
    return {
      check: 'registry',
      status: 'fail',
      detail: `${url}: ${describeError(error)}`,
      fix: LOCAL_STACK_FIX,
    };
  }
}

export async function checkAws(
  deps: Pick<DoctorDeps, 'lambda' | 'region' | 'endpoint'>,
): Promise<CheckResult> {
  const where = deps.endpoint ? `endpoint ${deps.endpoint}` : 'AWS';
  if (!deps.region) {
    return {
      check: 'aws',
      status: 'fail',
      detail: 'no Region: --region, AWS_REGION and AWS_DEFAULT_REGION are all unset',
      fix: 'pass --region or set AWS_REGION',
    };
  }
  const lambda = deps.lambda(deps.region);
  try {
    await lambda.config.credentials();
  } catch (error) {
    return {
      check: 'aws',
      status: 'fail',
      detail: `no AWS credentials: ${describeError(error)}`,
      fix: 'set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the local stack uses dummy ones)',
    };
  }
  try {
    await lambda.send(new ListFunctionsCommand({ MaxItems: 1 }));
    return { check: 'aws', status: 'ok', detail: `${where} answers lambda:ListFunctions in ${deps.region}` };
  } catch (error) {
    return {
      check: 'aws',
      status: 'fail',
      detail: `${where} refused lambda:ListFunctions in ${deps.region}: ${describeError(error)}`,
      fix: deps.endpoint
        ? `check that ${deps.endpoint} is up; ${LOCAL_STACK_FIX}`
        : 'check the credentials and that they allow lambda:ListFunctions',
    };
  }
}

/** Runs every check (in parallel) and returns them in a fixed order. */
export async function runDoctor(deps: DoctorDeps): Promise<CheckResult[]> {
  return Promise.all([
    checkNode(deps.nodeVersion),
    checkContainerEngine(deps),
    checkRegistry(deps),
    checkAws(deps),
  ]);
}

export function doctorOutcome(results: CheckResult[]): Outcome {
  const failed = results.filter((r) => r.status === 'fail');
  return {
    ok: failed.length === 0,
    table: {
      title:
        failed.length === 0 ? 'deploykit doctor: ready' : `deploykit doctor: ${failed.length} problem(s)`,
      columns: ['Check', 'Status', 'Detail'],
      rows: results.map((r) => [r.check, r.status, r.detail]),
    },
    json: { ok: failed.length === 0, checks: results },
    notes: results.filter((r) => r.fix).map((r) => `${r.check}: ${r.fix}`),
  };
}
