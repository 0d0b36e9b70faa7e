import type { Command } from 'commander';
import { type CommandContext, commandAction, EXIT_FAILED, EXIT_OK } from '../cli/context.ts';
import { parseInput, withoutBlanks } from '../core/input.ts';
import type { Outcome } from '../core/reporter.ts';
import { deployOptionsSchema, rollbackOptionsSchema, waitOptionsSchema } from './options.ts';
import { type FunctionContext, runDeploy, runRollback, runWait } from './run.ts';

function functionContext(ctx: CommandContext): FunctionContext {
  return { reporter: ctx.reporter, aws: ctx.aws, region: ctx.region, dryRun: ctx.globals.dryRun };
}

function report(ctx: CommandContext, outcome: Outcome): number {
  // A dry run was already printed as the plan.
  if (!ctx.globals.dryRun) ctx.reporter.result(outcome);
  return outcome.ok ? EXIT_OK : EXIT_FAILED;
}

/** Registers the `deploykit function` commands. */
export function registerFunctionCommands(program: Command): void {
  const fn = program
    .command('function')
    .description('deploy Lambda functions gated on State and LastUpdateStatus; wait; roll back an alias');

  fn.command('wait')
    .description(
      'wait until functions are Active with LastUpdateStatus Successful; explain Failed and Inactive',
    )
    .requiredOption('--function <names>', 'function name(s) or ARN(s), comma separated')
    .option('--qualifier <version-or-alias>', 'gate a published version or an alias instead of $LATEST')
    .option('--timeout <duration>', 'give up after this long, e.g. 90s, 15m', '15m')
    .action(
      commandAction<Record<string, unknown>>(async (ctx, flags) => {
        const options = parseInput(
          waitOptionsSchema,
          withoutBlanks({ ...flags, region: ctx.globals.region }),
          'flag',
        );
        return report(ctx, await runWait(functionContext(ctx), options));
      }),
    );

  fn.command('deploy')
    .description(
      'gate, skip unchanged code, update, gate again; optionally publish a version and move an alias',
    )
    .requiredOption('--function <name>', 'function name or ARN')
    .option('--image-uri <uri>', 'ECR image (a tag is resolved to its digest first)')
    .option('--zip <file>', 'deployment package, up to 50 MB')
    .option('--s3 <url>', 'deployment package in S3: s3://bucket/key (same Region as the function)')
    .option('--publish', 'publish a version once the update is Successful, and wait until it is Active')
    .option('--alias <name>', 'point this alias at the published version (implies --publish)')
    .option('--architectures <arch>', 'x86_64 or arm64')
    .option('--description <text>', 'description of the published version')
    .option('--timeout <duration>', 'give up after this long, e.g. 90s, 15m', '15m')
    .action(
      commandAction<Record<string, unknown>>(async (ctx, flags) => {
        const options = parseInput(
          deployOptionsSchema,
          withoutBlanks({ ...flags, region: ctx.globals.region }),
          'flag',
        );
        return report(ctx, await runDeploy(functionContext(ctx), options));
      }),
    );

  fn.command('rollback')
    .description('move an alias back, by default to the version it pointed at before the last deploy')
    .requiredOption('--function <name>', 'function name or ARN')
    .requiredOption('--alias <name>', 'the alias to move back')
    .option('--to-version <n>', 'the version to move it to (default: recorded by the last deploy)')
    .option('--timeout <duration>', 'give up after this long, e.g. 90s, 15m', '15m')
    .action(
      commandAction<Record<string, unknown>>(async (ctx, flags) => {
        const options = parseInput(
          rollbackOptionsSchema,
          withoutBlanks({ ...flags, region: ctx.globals.region }),
          'flag',
        );
        return report(ctx, await runRollback(functionContext(ctx), options));
      }),
    );
}
