import * as core from '@actions/core';
import Docker from 'dockerode';
import { z } from 'zod';
import { type AwsClients, createAwsClients, defaultRegion } from '../aws/clients.ts';
import { describeError, PartialFailureError } from '../core/errors.ts';
import { booleanish, parseInput } from '../core/input.ts';
import type { Outcome, Reporter } from '../core/reporter.ts';
import { type ActionsCore, createActionsReporter } from './actionsReporter.ts';

export interface ActionContext {
  reporter: Reporter;
  aws: AwsClients;
  docker(): Docker;
  /** The `region` input, else AWS_REGION (set by configure-aws-credentials). */
  region: string | undefined;
  /** The `dry-run` input. */
  dryRun: boolean;
}

export interface ActionSpec<S extends z.ZodType> {
  /** The capability's options schema, shared with the CLI and the CodePipeline handler. */
  schema: S;
  /** The schema's keys (camelCase); each is read from the kebab-case input of the same name. */
  inputs: readonly string[];
  run(ctx: ActionContext, options: z.output<S>): Promise<Outcome>;
}

export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/**
 * Reads an input the composite action passed through `env:`. Names are written with
 * underscores (`INPUT_COMPATIBLE_RUNTIMES`), which every shell and linter accepts; the runner's
 * own spelling (`INPUT_COMPATIBLE-RUNTIMES`) is read too. Lists stay strings: the schema splits them.
 */
export function readInput(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const upper = name.toUpperCase();
  return (
    env[`INPUT_${upper.replace(/[- ]/g, '_')}`] ??
    env[`INPUT_${upper.replace(/ /g, '_')}`] ??
    ''
  ).trim();
}

/**
 * The body of every action entry (`actions/<name>/main.ts`): read the inputs, parse them through
 * the capability's schema, run it, publish outputs and the job summary, and fail the step with
 * a message that names the input or the AWS error. Inputs arrive as INPUT_<NAME> variables, set
 * by the composite action's `env:` block (never interpolated into a script).
 * Every action also takes `region` and `dry-run`.
 */
export async function runAction<S extends z.ZodType>(
  spec: ActionSpec<S>,
  actions: ActionsCore & Pick<typeof core, 'setFailed'> = core,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Outcome | undefined> {
  const reporter = createActionsReporter(actions);
  try {
    const raw: Record<string, unknown> = {};
    for (const key of spec.inputs) {
      const value = readInput(kebab(key), env);
      if (value !== '') raw[key] = value;
    }
    const { dryRun } = parseInput(
      z.object({ dryRun: booleanish.default(false) }),
      { dryRun: readInput('dry-run', env) || undefined },
      'input',
    );
    const options = parseInput(spec.schema, raw, 'input');
    let docker: Docker | undefined;
    const outcome = await spec.run(
      {
        reporter,
        aws: createAwsClients(),
        docker: () => {
          docker ??= new Docker();
          return docker;
        },
        region: defaultRegion(readInput('region', env) || undefined),
        dryRun,
      },
      options,
    );
    reporter.result(outcome);
    await reporter.flush();
    if (!outcome.ok) actions.setFailed(`${outcome.table.title}: see the table above for each failure`);
    return outcome;
  } catch (error) {
    await reporter.flush().catch(() => undefined);
    actions.setFailed(error instanceof PartialFailureError ? error.message : describeError(error));
    return undefined;
  }
}
