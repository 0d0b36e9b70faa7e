import { z } from 'zod';
import { formatDuration } from '../core/duration.ts';
import { DeadlineError, InputError } from '../core/errors.ts';
import type { JobContext, JobResult } from '../pipeline/jobHandler.ts';
import { type ResolvedCode, resolveImage, resolveS3Code, zipCode } from './artifact.ts';
import { type DeployState, initialDeployState, stepDeploy } from './deploy.ts';
import { checkFunction, createGateDeps, type GateDeps, verdictError } from './gate.ts';
import type { GateParams } from './options.ts';
import { deployRequestOf } from './run.ts';
import { describeVerdict } from './state.ts';

/**
 * The gateFunction CodePipeline job: one look per function per invocation, never a sleep.
 * While a function is not ready the job succeeds with a continuation token carrying its
 * progress, and CodePipeline invokes it again; the user's deadline (timeout, counted from the
 * first invocation) and Lambda's own remaining time are both respected.
 */

/** What the continuation token carries (CodePipeline caps it at 2048 characters). */
export const gateTokenSchema = z.union([
  z.object({
    phase: z.literal('wait'),
    startedAt: z.number(),
    attempts: z.number().int().nonnegative(),
    /** Functions not seen ready yet. */
    pending: z.array(z.string()),
  }),
  z.object({
    phase: z.enum(['gate-before', 'gate-update', 'gate-version']),
    startedAt: z.number(),
    attempts: z.number().int().nonnegative(),
    conflicts: z.number().int().nonnegative(),
    previousCode: z.string().optional(),
    codeSha256: z.string().optional(),
    unchanged: z.boolean().optional(),
    version: z.string().optional(),
  }),
]);
export type GateToken = z.output<typeof gateTokenSchema>;

/** Time kept for one more GetFunction (and the deploy call after it) before Lambda's timeout. */
export const STEP_BUDGET_MS = 5000;

export interface GateJobDeps {
  now?: () => number;
  gate?: Partial<GateDeps>;
}

function readToken(raw: unknown): GateToken | undefined {
  if (raw === undefined) return undefined;
  const parsed = gateTokenSchema.safeParse(raw);
  if (!parsed.success) {
    throw InputError.single(
      'continuationToken',
      'was not written by this version of gateFunction: re-run the action',
    );
  }
  return parsed.data;
}

function stripUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Runs one invocation of the gate job. */
export async function runGateJob(ctx: JobContext<GateParams>, deps: GateJobDeps = {}): Promise<JobResult> {
  const p = ctx.params;
  const now = deps.now ?? Date.now;
  const region = p.region ?? ctx.region;
  const gate = createGateDeps(ctx.aws.lambda(region), region, ctx.reporter, {
    now,
    signal: ctx.signal,
    ...deps.gate,
  });
  const token = readToken(ctx.continuation);
  const startedAt = token?.startedAt ?? now();
  const deadlineAt = startedAt + p.timeout;
  const overdue = (why: string) =>
    new DeadlineError(
      `Gave up after ${formatDuration(now() - startedAt)} (timeout ${formatDuration(p.timeout)}): ${why}`,
      {
        hint: "raise 'timeout' in UserParameters, or look at the function in the Lambda console",
      },
    );

  if (!p.deploy) {
    let pending = token?.phase === 'wait' ? token.pending : p.function;
    let attempts = token?.attempts ?? 0;
    const notReady: string[] = [];
    const notes = new Map<string, string>();
    for (const name of pending) {
      if (ctx.remainingMs() < STEP_BUDGET_MS) {
        notReady.push(name);
        continue;
      }
      const check = await checkFunction(gate, name, p.qualifier);
      attempts += 1;
      if (check.kind === 'retry') {
        notReady.push(name);
        notes.set(name, `GetFunction ${check.why}`);
      } else if (check.verdict.kind === 'ready') {
        ctx.reporter.info(describeVerdict(name, check.verdict));
      } else if (check.verdict.kind === 'wait') {
        notReady.push(name);
        notes.set(name, check.verdict.why);
      } else {
        throw verdictError(name, check.verdict);
      }
    }
    pending = notReady;
    if (pending.length === 0) {
      return {
        status: 'succeeded',
        summary: `${p.function.join(', ')} ready after ${formatDuration(now() - startedAt)} (${attempts} checks)`,
      };
    }
    const why = pending.map((n) => `${n}: ${notes.get(n) ?? 'not checked yet'}`).join('; ');
    if (now() >= deadlineAt) throw overdue(why);
    const state: GateToken = { phase: 'wait', startedAt, attempts, pending };
    return { status: 'continue', state, summary: `waiting: ${why}` };
  }

  const d = p.deploy;
  const name = p.function[0] as string;
  let code: Promise<ResolvedCode> | undefined;
  const req = deployRequestOf(d, name, () => {
    code ??= d.imageUri
      ? resolveImage(ctx.aws.ecr, d.imageUri)
      : d.s3
        ? resolveS3Code(ctx.aws.s3(region), d.s3.bucket, d.s3.key, region)
        : ctx
            .downloadArtifact(typeof d.artifact === 'string' ? d.artifact : undefined)
            .then((bytes) =>
              zipCode(bytes, `input artifact ${typeof d.artifact === 'string' ? d.artifact : ''}`.trim()),
            );
    return code;
  });
  let state: DeployState =
    token && token.phase !== 'wait' ? (token as DeployState) : initialDeployState(startedAt);
  for (;;) {
    if (ctx.remainingMs() < STEP_BUDGET_MS) {
      return {
        status: 'continue',
        state: stripUndefined(state),
        summary: `${name}: ${state.phase}, out of time in this invocation`,
      };
    }
    const r = await stepDeploy(gate, req, state);
    state = r.state;
    if (r.kind === 'done') {
      const res = r.result;
      return {
        status: 'succeeded',
        outputVariables: {
          version: res.version ?? '',
          previousVersion: res.previousVersion ?? '',
          codeSha256: res.codeSha256,
          status: res.status,
        },
        summary: `${name}: ${res.status}${res.version ? `, version ${res.version}` : ''}${res.alias ? `, alias ${res.alias}` : ''}`,
      };
    }
    if (r.kind === 'wait') {
      if (now() >= deadlineAt) throw overdue(`${name} in phase ${state.phase}: ${r.why}`);
      return { status: 'continue', state: stripUndefined(state), summary: `${name}: ${r.why}` };
    }
  }
}
