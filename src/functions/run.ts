import type { AwsClients } from '../aws/clients.ts';
import { formatDuration } from '../core/duration.ts';
import { describeError, GateFailedError, InputError } from '../core/errors.ts';
import { type Plan, planTable } from '../core/plan.ts';
import type { Outcome, Reporter } from '../core/reporter.ts';
import { parseImageUri, type ResolvedCode, readZip, resolveImage, resolveS3Code } from './artifact.ts';
import { type DeployRequest, type DeployResult, deployFunction, planDeploy } from './deploy.ts';
import { createGateDeps, type GateDeps, type GateResult, waitForFunctions } from './gate.ts';
import type { DeployOptions, RollbackOptions, WaitOptions } from './options.ts';
import { planRollback, resolveRollback, rollbackAlias } from './rollback.ts';

/** What the CLI and the actions give the function commands. */
export interface FunctionContext {
  reporter: Reporter;
  aws: AwsClients;
  region: string | undefined;
  dryRun: boolean;
  /** Test seams: a fake clock and sleep. */
  gate?: Partial<GateDeps>;
}

function regionOf(ctx: FunctionContext, option: string | undefined): string {
  const region = option ?? ctx.region;
  if (!region) throw InputError.single('region', 'is required: pass --region or set AWS_REGION');
  return region;
}

function gateDepsOf(ctx: FunctionContext, region: string): GateDeps {
  return createGateDeps(ctx.aws.lambda(region), region, ctx.reporter, ctx.gate ?? {});
}

/** `deploykit function wait`: gates every named function in parallel under one request budget. */
export async function runWait(ctx: FunctionContext, options: WaitOptions): Promise<Outcome> {
  const region = regionOf(ctx, options.region);
  const deps = gateDepsOf(ctx, region);
  const deadlineAt = deps.now() + options.timeout;
  const settled = await waitForFunctions(deps, options.function, {
    deadlineAt,
    ...(options.qualifier ? { qualifier: options.qualifier } : {}),
  });
  type Row =
    | {
        function: string;
        ok: true;
        state: string;
        lastUpdateStatus: string;
        version: string;
        codeSha256: string;
        checks: number;
        throttles: number;
        waitedMs: number;
      }
    | { function: string; ok: false; error: string; reasonCode?: string; waitedMs: number };
  const rows = settled.map((s): Row => {
    if (s.ok) {
      const c = s.value.response.Configuration;
      return {
        function: s.target,
        ok: true,
        state: s.value.verdict.state,
        lastUpdateStatus: s.value.verdict.lastUpdateStatus,
        version: c?.Version ?? '$LATEST',
        codeSha256: c?.CodeSha256 ?? '',
        checks: s.value.attempts,
        throttles: s.value.throttles,
        waitedMs: s.value.waitedMs,
      };
    }
    const e = s.error;
    return {
      function: s.target,
      ok: false,
      error: describeError(e),
      ...(e instanceof GateFailedError && e.reasonCode ? { reasonCode: e.reasonCode } : {}),
      waitedMs: s.durationMs,
    };
  });
  const ok = rows.every((r) => r.ok);
  const done = rows.filter((r): r is Extract<Row, { ok: true }> => r.ok);
  return {
    ok,
    table: {
      title: `function wait (${region})`,
      columns: ['Function', 'Result', 'Checks', 'Waited'],
      rows: rows.map((r) => [
        r.function,
        r.ok
          ? `ready: ${r.state}/${r.lastUpdateStatus}, version ${r.version}`
          : (r.error.split('\n')[0] ?? ''),
        r.ok ? String(r.checks) : '',
        formatDuration(r.waitedMs),
      ]),
    },
    json: { region, ok, functions: rows },
    outputs: {
      version: done.map((r) => r.version).join(','),
      'previous-version': '',
      'code-sha256': done.map((r) => r.codeSha256).join(','),
    },
    notes: rows.filter((r) => !r.ok).map((r) => (r.ok ? '' : `${r.function}: ${r.error}`)),
  };
}

/** Resolves the code to deploy before anything in Lambda is touched (memoized). */
export function codeSourceOf(
  ctx: FunctionContext,
  options: DeployOptions,
  region: string,
): () => Promise<ResolvedCode> {
  let resolved: Promise<ResolvedCode> | undefined;
  return () => {
    resolved ??= options.imageUri
      ? resolveImage(ctx.aws.ecr, options.imageUri)
      : options.s3
        ? resolveS3Code(ctx.aws.s3(region), options.s3.bucket, options.s3.key, region)
        : readZip(options.zip as string);
    return resolved;
  };
}

export function deployRequestOf(
  options: Pick<DeployOptions, 'publish' | 'alias' | 'architectures' | 'description'>,
  functionName: string,
  code: () => Promise<ResolvedCode>,
): DeployRequest {
  return {
    functionName,
    code,
    // An alias needs a version to point at: --alias implies --publish.
    publish: options.publish || options.alias !== undefined,
    ...(options.alias ? { alias: options.alias } : {}),
    ...(options.architectures ? { architectures: options.architectures } : {}),
    ...(options.description ? { description: options.description } : {}),
  };
}

export function deployOutcome(region: string, r: DeployResult): Outcome {
  const alias = r.alias
    ? r.aliasAction === 'moved'
      ? `${r.alias}: ${r.previousVersion} → ${r.version}`
      : `${r.alias}: ${r.aliasAction} at ${r.version}`
    : '';
  return {
    ok: true,
    table: {
      title: `function deploy (${region})`,
      columns: ['Function', 'Result', 'CodeSha256', 'Version', 'Alias', 'Took'],
      rows: [[r.function, r.status, r.codeSha256, r.version ?? '', alias, formatDuration(r.elapsedMs)]],
    },
    json: { region, ...r },
    outputs: {
      version: r.version ?? '',
      'previous-version': r.previousVersion ?? '',
      'code-sha256': r.codeSha256,
      status: r.status,
    },
    notes: [
      ...(r.status === 'unchanged' ? ['code unchanged: nothing was uploaded'] : []),
      ...(r.conflicts > 0 ? [`waited out ${r.conflicts} ResourceConflictException(s)`] : []),
    ],
  };
}

/** `deploykit function deploy`: plan, then (unless dry run) the gated deploy. */
export async function runDeploy(ctx: FunctionContext, options: DeployOptions): Promise<Outcome> {
  const region = regionOf(ctx, options.region);
  if (options.imageUri) {
    const imageRegion = parseImageUri(options.imageUri).region;
    if (imageRegion !== region) {
      throw InputError.single(
        'image-uri',
        `is in ${imageRegion} and the function in ${region}: Lambda runs images from its own Region's ECR; push the image there (ECR replication can) or pass the function's --region`,
      );
    }
  }
  const deps = gateDepsOf(ctx, region);
  const req = deployRequestOf(options, options.function, codeSourceOf(ctx, options, region));
  const plan = await planDeploy(deps, req);
  ctx.reporter.plan(plan, ctx.dryRun);
  if (ctx.dryRun) return dryRunOutcome(plan);
  const result = await deployFunction(deps, req, deps.now() + options.timeout);
  return deployOutcome(region, result);
}

/** `deploykit function rollback`: moves the alias back to the recorded (or given) version. */
export async function runRollback(ctx: FunctionContext, options: RollbackOptions): Promise<Outcome> {
  const region = regionOf(ctx, options.region);
  const deps = gateDepsOf(ctx, region);
  const req = {
    functionName: options.function,
    alias: options.alias,
    ...(options.toVersion ? { toVersion: String(options.toVersion) } : {}),
  };
  const target = await resolveRollback(deps, req);
  const plan = planRollback(req, target);
  ctx.reporter.plan(plan, ctx.dryRun);
  if (ctx.dryRun) return dryRunOutcome(plan);
  const done = await rollbackAlias(deps, req, target, deps.now() + options.timeout);
  return {
    ok: true,
    table: {
      title: `function rollback (${region})`,
      columns: ['Function', 'Alias', 'From', 'To', 'Result'],
      rows: [[options.function, options.alias, done.from, done.to, done.moved ? 'moved' : 'already there']],
    },
    json: {
      region,
      function: options.function,
      alias: options.alias,
      from: done.from,
      to: done.to,
      moved: done.moved,
    },
    outputs: { version: done.to, 'previous-version': done.from, 'code-sha256': '' },
  };
}

/** A dry run's result: the plan itself (the CLI prints it through reporter.plan instead). */
export function dryRunOutcome(plan: Plan): Outcome {
  const find = (key: string) => plan.steps.find((s) => s.details?.[key] !== undefined)?.details?.[key] ?? '';
  return {
    ok: true,
    table: { ...planTable(plan), title: `${planTable(plan).title} (dry run: nothing was changed)` },
    json: { dryRun: true, plan },
    outputs: { version: find('version'), 'previous-version': find('from'), 'code-sha256': find('new') },
  };
}

export type { GateResult };
