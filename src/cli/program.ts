import { Command, Option } from 'commander';
import { registerFunctionCommands } from '../functions/cli.ts';
import { registerImageCommands } from '../images/cli.ts';
import { registerLayerCommands } from '../layers/cli.ts';
import { VERSION } from '../version.ts';
import { commandAction, EXIT_FAILED, EXIT_OK } from './context.ts';
import { doctorOutcome, runDoctor } from './doctor.ts';

/** Builds the `deploykit` command tree. Global flags are accepted before or after the command. */
export function createProgram(): Command {
  const program = new Command('deploykit')
    .description('Deliver AWS serverless software: layers, images, gated function deploys.')
    .version(VERSION)
    .addOption(new Option('--region <region>', 'AWS Region (default: AWS_REGION)'))
    .option('--json', 'print the result as JSON on stdout (messages go to stderr)', false)
    .option('--dry-run', 'show the plan and change nothing', false)
    .option('--verbose', 'print debug messages', false)
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('doctor')
    .description('check the container engine, the registry, the AWS endpoint and credentials, and Node.js')
    .action(
      commandAction(async (ctx) => {
        const results = await runDoctor({
          nodeVersion: process.versions.node,
          docker: ctx.docker,
          dockerHost: process.env.DOCKER_HOST,
          registry: process.env.DEPLOYKIT_REGISTRY,
          fetch,
          lambda: ctx.aws.lambda,
          region: ctx.region,
          endpoint: process.env.AWS_ENDPOINT_URL_LAMBDA ?? process.env.AWS_ENDPOINT_URL,
        });
        const outcome = doctorOutcome(results);
        ctx.reporter.result(outcome);
        return outcome.ok ? EXIT_OK : EXIT_FAILED;
      }),
    );

  registerLayerCommands(program);
  registerImageCommands(program);
  registerFunctionCommands(program);

  // Global flags are inherited by every subcommand, so `deploykit layer publish --json` works too.
  for (const command of allCommands(program)) {
    if (command === program) continue;
    command.showHelpAfterError('(run with --help for usage)');
  }
  return program;
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap((c) => allCommands(c))];
}
