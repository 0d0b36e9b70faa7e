import * as core from '@actions/core';
import type { Command } from 'commander';
import Docker from 'dockerode';
import { type AwsClients, createAwsClients, defaultRegion } from '../aws/clients.ts';
import { describeError, InputError, PartialFailureError } from '../core/errors.ts';
import type { Reporter } from '../core/reporter.ts';
import { teeReporter } from '../core/teeReporter.ts';
import { createActionsReporter } from '../github/actionsReporter.ts';
import { createCliReporter } from './cliReporter.ts';

/** The flags every command takes. */
export interface GlobalOptions {
  region?: string;
  json: boolean;
  dryRun: boolean;
  verbose: boolean;
}

/** What a command runs with: its reporter and lazily built clients. */
export interface CommandContext {
  globals: GlobalOptions;
  reporter: Reporter;
  aws: AwsClients;
  /** The Docker Engine API client (podman or Docker), from DOCKER_HOST. */
  docker(): Docker;
  /** The Region from `--region`, AWS_REGION or AWS_DEFAULT_REGION; undefined if none. */
  region: string | undefined;
}

/** Exit codes: 0 success, 1 failure (some target failed), 2 bad input. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_INPUT = 2;

export function exitCodeOf(error: unknown): number {
  return error instanceof InputError ? EXIT_INPUT : EXIT_FAILED;
}

export function createCommandContext(globals: GlobalOptions): CommandContext {
  const cli = createCliReporter({ json: globals.json, verbose: globals.verbose });
  // Run as a step of a GitHub workflow (the root action): add masks, outputs and a job summary.
  const reporter =
    process.env.GITHUB_ACTIONS === 'true'
      ? teeReporter(cli, createActionsReporter(core, { log: false }))
      : cli;
  let docker: Docker | undefined;
  return {
    globals,
    reporter,
    aws: createAwsClients(),
    // dockerode reads DOCKER_HOST itself (unix://, tcp://, ssh://).
    docker: () => {
      docker ??= new Docker();
      return docker;
    },
    region: defaultRegion(globals.region),
  };
}

/**
 * Runs a command body and turns its outcome into an exit code. The only place in the CLI where
 * errors become messages; `PartialFailureError` was already reported per target.
 */
export async function runCommand(
  globals: GlobalOptions,
  body: (ctx: CommandContext) => Promise<number | undefined>,
  makeContext: (g: GlobalOptions) => CommandContext = createCommandContext,
): Promise<number> {
  const ctx = makeContext(globals);
  try {
    return (await body(ctx)) ?? EXIT_OK;
  } catch (error) {
    ctx.reporter.error(error instanceof PartialFailureError ? error.message : describeError(error));
    if (error instanceof Error && error.stack) ctx.reporter.debug(error.stack);
    return exitCodeOf(error);
  }
}

/** Reads the global flags from any (sub)command. */
export function globalsOf(command: Command): GlobalOptions {
  const o = command.optsWithGlobals<Partial<GlobalOptions>>();
  return {
    ...(o.region ? { region: o.region } : {}),
    json: Boolean(o.json),
    dryRun: Boolean(o.dryRun),
    verbose: Boolean(o.verbose),
  };
}

/**
 * Wraps a command body as a commander action: builds the context, runs, sets the exit code.
 * `options` are the command's own parsed flags (commander's camelCase names).
 */
export function commandAction<O = Record<string, unknown>>(
  body: (ctx: CommandContext, options: O, args: string[]) => Promise<number | undefined>,
) {
  return async (...received: unknown[]): Promise<void> => {
    const command = received[received.length - 1] as Command;
    const options = command.opts<O & object>();
    process.exitCode = await runCommand(globalsOf(command), (ctx) => body(ctx, options, command.args));
  };
}
