import {
  type AliasConfiguration,
  CreateAliasCommand,
  GetAliasCommand,
  GetFunctionCommand,
  type GetFunctionCommandOutput,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { toAwsCallError } from '../aws/awsErrors.ts';
import { formatDuration } from '../core/duration.ts';
import { ArtifactError, DeadlineError, GateFailedError } from '../core/errors.ts';
import { createPlan, type Plan, type PlanStep } from '../core/plan.ts';
import { backoffDelay, errorNameOf, isConflictError, isThrottlingError } from '../core/retry.ts';
import { currentImageDigest, type ResolvedCode } from './artifact.ts';
import { checkFunction, DEFAULT_SCHEDULE, type GateDeps, pollDelay, verdictError } from './gate.ts';
import { describeVerdict } from './state.ts';

/**
 * The gated deploy, as a small state machine so that two drivers share it: the CLI/action
 * driver (`deployFunction`) sleeps between steps; the CodePipeline handler runs one step per
 * check and carries the state in its continuation token (it must stay small and JSON-safe).
 *
 *   gate-before ── ready, code changed ──▶ UpdateFunctionCode ──▶ gate-update
 *        │  └──── ready, code unchanged ─▶ (publish? PublishVersion) ─▶ done `unchanged`
 *   gate-update ── Successful ──▶ (publish? PublishVersion ─▶ gate-version) ─▶ done
 *   gate-version ── Active ──▶ (alias? create/update alias) ─▶ done
 */

export type DeployPhase = 'gate-before' | 'gate-update' | 'gate-version';

export interface DeployState {
  phase: DeployPhase;
  startedAt: number;
  /** GetFunction checks so far. */
  attempts: number;
  /** ResourceConflictException (and RevisionId races) met so far. */
  conflicts: number;
  previousCode?: string;
  /** The CodeSha256 (or image digest) the function runs after the update. */
  codeSha256?: string;
  unchanged?: boolean;
  version?: string;
}

export interface DeployRequest {
  functionName: string;
  /** Resolved lazily: only the first phase needs the package (the handler re-reads it then). */
  code: () => Promise<ResolvedCode>;
  publish: boolean;
  alias?: string;
  architectures?: ('x86_64' | 'arm64')[];
  description?: string;
}

export interface DeployResult {
  function: string;
  status: 'updated' | 'unchanged';
  /** Lambda's CodeSha256 after the deploy (image functions: the image digest's hex). */
  codeSha256: string;
  previousCodeSha256?: string;
  imageUri?: string;
  version?: string;
  alias?: string;
  previousVersion?: string;
  aliasAction?: 'created' | 'moved' | 'unchanged';
  checks: number;
  conflicts: number;
  elapsedMs: number;
}

export type StepResult =
  | { kind: 'progress'; state: DeployState }
  | { kind: 'wait'; state: DeployState; why: string; delayMs?: number }
  | { kind: 'done'; state: DeployState; result: DeployResult };

/** Where deploykit records the version an alias pointed at before a deploy moved it. */
const PREVIOUS_MARK = /deploykit: previous version (\d+)/;

/**
 * The alias Description carries the previous version ("deploykit: previous version 3").
 * It is written by the same UpdateAlias call that moves the alias, so the record can never
 * disagree with the move; it travels with the alias (per alias, unlike function tags, which
 * would need TagResource permission and a key per alias); and rollback needs only GetAlias.
 */
export function aliasDescription(previousVersion: string | undefined): string {
  return previousVersion ? `deploykit: previous version ${previousVersion}` : 'deploykit: created';
}

export function recordedPreviousVersion(
  alias: Pick<AliasConfiguration, 'Description'> | undefined,
): string | undefined {
  return PREVIOUS_MARK.exec(alias?.Description ?? '')?.[1];
}

export function initialDeployState(now: number): DeployState {
  return { phase: 'gate-before', startedAt: now, attempts: 0, conflicts: 0 };
}

function codeIdentity(code: ResolvedCode): string {
  return code.kind === 'image' ? code.digest : code.codeSha256;
}

function currentIdentity(code: ResolvedCode, fn: GetFunctionCommandOutput): string | undefined {
  return code.kind === 'image' ? currentImageDigest(fn.Code) : fn.Configuration?.CodeSha256;
}

function checkPackageType(name: string, code: ResolvedCode, fn: GetFunctionCommandOutput): void {
  const type = fn.Configuration?.PackageType ?? 'Zip';
  const wants = code.kind === 'image' ? 'Image' : 'Zip';
  if (type !== wants) {
    throw new ArtifactError(
      `${name} is ${type === 'Image' ? 'an image' : 'a zip'} function (PackageType ${type}), and ${code.source} is ${wants === 'Image' ? 'an image' : 'a zip package'}`,
      {
        hint:
          type === 'Image'
            ? 'deploy it with --image-uri (Lambda cannot change a function between image and zip)'
            : 'deploy it with --zip or --s3 (Lambda cannot change a function between zip and image)',
      },
    );
  }
}

function architectureChanged(req: DeployRequest, fn: GetFunctionCommandOutput): boolean {
  const wanted = req.architectures?.[0];
  return wanted !== undefined && (fn.Configuration?.Architectures?.[0] ?? 'x86_64') !== wanted;
}

function conflictWait(state: DeployState, error: unknown, random: () => number): StepResult {
  const conflicts = state.conflicts + 1;
  return {
    kind: 'wait',
    state: { ...state, conflicts },
    why: `${errorNameOf(error)}: another update is in progress or the function changed; gating again`,
    // Exponential backoff with full jitter, at least one poll step, at most 5 s.
    delayMs: Math.max(DEFAULT_SCHEDULE.initialMs, backoffDelay(conflicts, 500, 5000, random)),
  };
}

function isRaceError(error: unknown): boolean {
  return isConflictError(error) || errorNameOf(error) === 'PreconditionFailedException';
}

/**
 * Runs one step: exactly one GetFunction check, then the action it allows. Never sleeps.
 * Throws GateFailedError (Failed, missing, wrong package type), AwsCallError (refused calls).
 */
export async function stepDeploy(
  deps: GateDeps,
  req: DeployRequest,
  state: DeployState,
): Promise<StepResult> {
  const name = req.functionName;
  const random = deps.random ?? Math.random;
  const where = (operation: string) => ({ service: 'Lambda', operation, region: deps.region });
  const qualifier = state.phase === 'gate-version' ? state.version : undefined;
  const check = await checkFunction(deps, name, qualifier);
  const s: DeployState = { ...state, attempts: state.attempts + 1 };
  if (check.kind === 'retry') return { kind: 'wait', state: s, why: `GetFunction: ${check.why}` };
  const { verdict, response } = check;

  if (s.phase === 'gate-before') {
    if (verdict.kind === 'wait') return { kind: 'wait', state: s, why: verdict.why };
    // Read only once the function can be acted on (the handler downloads its artifact here).
    const code = await req.code();
    checkPackageType(name, code, response);
    const current = currentIdentity(code, response);
    const wanted = codeIdentity(code);
    const unchanged = current === wanted && !architectureChanged(req, response);
    if (verdict.kind === 'failed' && verdict.failed === 'state') throw verdictError(name, verdict);
    if (verdict.kind === 'failed') {
      // A previous update failed; the function still runs the code before it. A new update
      // replaces the failed one, so it is allowed; unchanged code would not fix anything.
      if (unchanged) throw verdictError(name, verdict);
      deps.reporter.warn(`${describeVerdict(name, verdict)}; deploying new code over it`);
    }
    if (verdict.kind === 'inactive') {
      if (unchanged) throw verdictError(name, verdict);
      deps.reporter.info(`${name} is Inactive; the update re-activates it`);
    }
    const base: DeployState = { ...s, ...(current ? { previousCode: current } : {}) };
    if (unchanged) {
      deps.reporter.info(`${name}: code unchanged (${wanted}); nothing uploaded`);
      const next: DeployState = {
        ...base,
        unchanged: true,
        codeSha256: response.Configuration?.CodeSha256 ?? wanted,
      };
      if (!req.publish) return { kind: 'done', state: next, result: resultOf(deps, req, next, response) };
      return publish(deps, req, next, response, where);
    }
    try {
      const res = await deps.lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: name,
          ...(code.kind === 'zip' ? { ZipFile: code.bytes } : {}),
          ...(code.kind === 's3' ? { S3Bucket: code.bucket, S3Key: code.key } : {}),
          ...(code.kind === 'image' ? { ImageUri: code.imageUri } : {}),
          ...(req.architectures ? { Architectures: req.architectures } : {}),
          // Fails with PreconditionFailedException if the function changed since the check.
          ...(response.Configuration?.RevisionId ? { RevisionId: response.Configuration.RevisionId } : {}),
        }),
      );
      deps.reporter.info(`${name}: UpdateFunctionCode sent (${code.source}); gating until it is Successful`);
      return {
        kind: 'progress',
        state: { ...base, phase: 'gate-update', codeSha256: res.CodeSha256 ?? wanted },
      };
    } catch (error) {
      if (isRaceError(error)) return conflictWait(base, error, random);
      throw toAwsCallError(error, where('UpdateFunctionCode'), updateHint(error));
    }
  }

  if (verdict.kind === 'wait') return { kind: 'wait', state: s, why: verdict.why };
  if (verdict.kind !== 'ready') throw verdictError(qualifier ? `${name}:${qualifier}` : name, verdict);

  if (s.phase === 'gate-update') {
    if (!req.publish) return { kind: 'done', state: s, result: resultOf(deps, req, s, response) };
    return publish(deps, req, s, response, where);
  }

  // gate-version: the published version is Active; point the alias at it.
  if (!req.alias) return { kind: 'done', state: s, result: resultOf(deps, req, s, response) };
  try {
    const moved = await moveAlias(deps, name, req.alias, s.version as string);
    return { kind: 'done', state: s, result: { ...resultOf(deps, req, s, response), ...moved } };
  } catch (error) {
    if (isRaceError(error) || isThrottlingError(error)) return conflictWait(s, error, random);
    throw error;
  }
}

async function publish(
  deps: GateDeps,
  req: DeployRequest,
  s: DeployState,
  response: GetFunctionCommandOutput,
  where: (op: string) => { service: string; operation: string; region: string },
): Promise<StepResult> {
  try {
    const res = await deps.lambda.send(
      new PublishVersionCommand({
        FunctionName: req.functionName,
        // Guards: publish exactly the code we deployed and the revision we saw Successful.
        ...(response.Configuration?.CodeSha256 ? { CodeSha256: response.Configuration.CodeSha256 } : {}),
        ...(response.Configuration?.RevisionId ? { RevisionId: response.Configuration.RevisionId } : {}),
        ...(req.description ? { Description: req.description } : {}),
      }),
    );
    const version = res.Version as string;
    deps.reporter.info(`${req.functionName}: version ${version}; gating until it is Active`);
    return { kind: 'progress', state: { ...s, phase: 'gate-version', version } };
  } catch (error) {
    if (isConflictError(error)) return conflictWait(s, error, deps.random ?? Math.random);
    if (errorNameOf(error) === 'PreconditionFailedException') {
      throw new GateFailedError(
        req.functionName,
        `${req.functionName} changed after deploykit updated it, before it could publish a version`,
        {
          hint: 'another deploy ran at the same time; run this deploy again once the other one finished',
          reasonCode: 'PreconditionFailedException',
          cause: toAwsCallError(error, where('PublishVersion')),
        },
      );
    }
    throw toAwsCallError(error, where('PublishVersion'));
  }
}

function updateHint(error: unknown): string | undefined {
  const name = errorNameOf(error);
  if (name === 'InvalidParameterValueException')
    return 'check that the package or image suits this function (runtime, architecture, package type)';
  if (name === 'CodeStorageExceededException')
    return 'delete old function versions or layer versions to free code storage';
  return undefined;
}

/** Creates the alias at `version`, or moves it there, recording where it pointed before. */
export async function moveAlias(
  deps: GateDeps,
  functionName: string,
  alias: string,
  version: string,
): Promise<Pick<DeployResult, 'alias' | 'previousVersion' | 'aliasAction'>> {
  // Each call's failure names its own operation; AwsCallError keeps the error name, so the
  // caller still recognises a conflict or a RevisionId race.
  const call = async <T>(operation: string, send: () => Promise<T>): Promise<T> => {
    try {
      return await send();
    } catch (error) {
      throw toAwsCallError(error, { service: 'Lambda', operation, region: deps.region });
    }
  };
  let current: AliasConfiguration | undefined;
  try {
    current = await deps.lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: alias }));
  } catch (error) {
    if (errorNameOf(error) !== 'ResourceNotFoundException') {
      throw toAwsCallError(error, { service: 'Lambda', operation: 'GetAlias', region: deps.region });
    }
  }
  if (!current) {
    await call('CreateAlias', () =>
      deps.lambda.send(
        new CreateAliasCommand({
          FunctionName: functionName,
          Name: alias,
          FunctionVersion: version,
          Description: aliasDescription(undefined),
        }),
      ),
    );
    deps.reporter.info(`${functionName}: alias ${alias} created at version ${version}`);
    return { alias, aliasAction: 'created' };
  }
  const previous = current.FunctionVersion;
  if (previous === version) {
    const recorded = recordedPreviousVersion(current);
    return { alias, aliasAction: 'unchanged', ...(recorded ? { previousVersion: recorded } : {}) };
  }
  await call('UpdateAlias', () =>
    deps.lambda.send(
      new UpdateAliasCommand({
        FunctionName: functionName,
        Name: alias,
        FunctionVersion: version,
        Description: aliasDescription(previous),
        ...(current.RevisionId ? { RevisionId: current.RevisionId } : {}),
      }),
    ),
  );
  deps.reporter.info(`${functionName}: alias ${alias} moved from version ${previous} to ${version}`);
  return { alias, aliasAction: 'moved', ...(previous ? { previousVersion: previous } : {}) };
}

function resultOf(
  deps: GateDeps,
  req: DeployRequest,
  s: DeployState,
  fn: GetFunctionCommandOutput,
): DeployResult {
  const sha = s.codeSha256 ?? fn.Configuration?.CodeSha256 ?? '';
  return {
    function: req.functionName,
    status: s.unchanged ? 'unchanged' : 'updated',
    codeSha256: sha,
    ...(s.previousCode ? { previousCodeSha256: s.previousCode } : {}),
    ...(fn.Code?.ImageUri ? { imageUri: fn.Code.ImageUri } : {}),
    ...(s.version ? { version: s.version } : {}),
    checks: s.attempts,
    conflicts: s.conflicts,
    elapsedMs: deps.now() - s.startedAt,
  };
}

/**
 * The gated deploy for the CLI and the action: steps until done, sleeping between checks on
 * the poll schedule (or the conflict backoff), and gives up at the deadline after a last look.
 */
export async function deployFunction(
  deps: GateDeps,
  req: DeployRequest,
  deadlineAt: number,
): Promise<DeployResult> {
  let state = initialDeployState(deps.now());
  let step = 0;
  let lastWhy = '';
  for (;;) {
    if (deps.signal?.aborted)
      throw new DeadlineError(`Stopped deploying ${req.functionName} in phase ${state.phase}`);
    const r = await stepDeploy(deps, req, state);
    state = r.state;
    if (r.kind === 'done') return r.result;
    if (r.kind === 'progress') {
      step = 0;
      continue;
    }
    if (r.why !== lastWhy) deps.reporter.info(`${req.functionName}: ${r.why}; waiting`);
    lastWhy = r.why;
    const now = deps.now();
    if (now >= deadlineAt) {
      throw new DeadlineError(
        `${req.functionName} did not get through '${state.phase}' in ${formatDuration(now - state.startedAt)} (${state.attempts} checks): ${r.why}`,
        {
          hint:
            state.phase === 'gate-before'
              ? 'nothing was changed; raise --timeout or find what keeps the function busy'
              : 'the update was sent; run `deploykit function wait` to see how it ends, or raise --timeout',
        },
      );
    }
    const delay = Math.max(
      r.delayMs ?? 0,
      pollDelay(step, deps.schedule ?? DEFAULT_SCHEDULE, deps.random ?? Math.random),
    );
    await deps.sleep(Math.min(delay, deadlineAt - now));
    step += 1;
  }
}

/** Reads what the plan needs: current code, latest version, alias target. Changes nothing. */
export async function planDeploy(deps: GateDeps, req: DeployRequest): Promise<Plan> {
  const name = req.functionName;
  const where = (operation: string) => ({ service: 'Lambda', operation, region: deps.region });
  const code = await req.code();
  let fn: GetFunctionCommandOutput;
  try {
    fn = await deps.lambda.send(new GetFunctionCommand({ FunctionName: name }));
  } catch (error) {
    if (errorNameOf(error) === 'ResourceNotFoundException') {
      throw new GateFailedError(name, `Function ${name} does not exist in ${deps.region}`, {
        hint: 'check the function name and --region (deploykit deploys code to existing functions; create the function first)',
        reasonCode: 'ResourceNotFoundException',
      });
    }
    throw toAwsCallError(error, where('GetFunction'));
  }
  checkPackageType(name, code, fn);
  const current = currentIdentity(code, fn) ?? 'none';
  const wanted = codeIdentity(code);
  const unchanged = current === wanted && !architectureChanged(req, fn);
  const steps: PlanStep[] = [
    {
      target: name,
      resource: code.kind === 'image' ? 'image' : 'code',
      action: unchanged ? 'skip' : 'update',
      reason: unchanged
        ? `same ${code.kind === 'image' ? 'digest' : 'CodeSha256'} as deployed`
        : `${current} → ${wanted}${architectureChanged(req, fn) ? ` (architecture → ${req.architectures?.[0]})` : ''}`,
      details: {
        current,
        new: wanted,
        source: code.source,
        ...(code.kind === 'image' ? { imageUri: code.imageUri } : {}),
        state: `${fn.Configuration?.State ?? 'Active'}/${fn.Configuration?.LastUpdateStatus ?? 'Successful'}`,
      },
    },
  ];
  let nextVersion: string | undefined;
  if (req.publish) {
    const latest = await latestVersion(deps, name);
    nextVersion = unchanged && latest ? String(latest) : String((latest ?? 0) + 1);
    steps.push({
      target: name,
      resource: 'version',
      action: unchanged ? 'skip' : 'create',
      reason: unchanged
        ? `code unchanged: PublishVersion returns version ${latest ?? 1} unless the configuration changed`
        : `would publish version ${nextVersion}${req.description ? ` ("${req.description}")` : ''}`,
      details: { version: nextVersion, latest: latest ? String(latest) : 'none' },
    });
  }
  if (req.alias) {
    let alias: AliasConfiguration | undefined;
    try {
      alias = await deps.lambda.send(new GetAliasCommand({ FunctionName: name, Name: req.alias }));
    } catch (error) {
      if (errorNameOf(error) !== 'ResourceNotFoundException') throw toAwsCallError(error, where('GetAlias'));
    }
    const from = alias?.FunctionVersion;
    steps.push({
      target: name,
      resource: `alias ${req.alias}`,
      action: !alias ? 'create' : from === nextVersion ? 'skip' : 'update',
      reason: !alias ? `would create it at version ${nextVersion}` : `version ${from} → ${nextVersion}`,
      details: { from: from ?? 'none', to: nextVersion ?? '' },
    });
  }
  return createPlan(`function deploy ${name}`, steps);
}

async function latestVersion(deps: GateDeps, name: string): Promise<number | undefined> {
  let marker: string | undefined;
  let latest: number | undefined;
  do {
    const page = await deps.lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName: name, ...(marker ? { Marker: marker } : {}) }),
    );
    for (const v of page.Versions ?? []) {
      const n = Number(v.Version);
      if (Number.isInteger(n) && (latest === undefined || n > latest)) latest = n;
    }
    marker = page.NextMarker;
  } while (marker);
  return latest;
}
