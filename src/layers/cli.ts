import type { Command } from 'commander';
import { type CommandContext, commandAction, EXIT_FAILED, EXIT_OK } from '../cli/context.ts';
import { InputError } from '../core/errors.ts';
import { parseInput, withoutBlanks } from '../core/input.ts';
import { formatBytes } from '../core/lambdaPackage.ts';
import type { Outcome } from '../core/reporter.ts';
import { type BuildResult, buildLayer } from './buildLayer.ts';
import { buildOptionsSchema, publishOptionsSchema } from './options.ts';
import { publishOutcome } from './publishOutcome.ts';
import { publishFromOptions } from './runPublish.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The schema key `grants` is the repeatable `--grant` flag: say so in messages. */
function parseFlags<S extends Parameters<typeof parseInput>[0]>(schema: S, raw: Record<string, unknown>) {
  try {
    return parseInput(schema, withoutBlanks(raw), 'flag');
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new InputError(
      error.problems.map((p) => ({ ...p, input: p.input.replace(/^--grants\b/, '--grant') })),
    );
  }
}

/** The result of `layer build`, for the table, `--json` and action outputs. */
export function buildOutcome(result: BuildResult): Outcome {
  return {
    ok: true,
    table: {
      title: `Layer zip ${result.out}`,
      columns: ['Runtime', 'Entries', 'Zipped', 'Unzipped', 'CodeSha256'],
      rows: [
        [
          result.runtime,
          String(result.entries),
          formatBytes(result.zippedBytes),
          formatBytes(result.unzippedBytes),
          result.codeSha256,
        ],
      ],
    },
    json: result,
    outputs: { zip: result.out, 'code-sha256': result.codeSha256 },
    notes: result.needsS3 ? ["Over 50 MB: publish it through S3 with --s3-bucket 'my-bucket-{region}'"] : [],
  };
}

/** Registers the `deploykit layer` commands. */
export function registerLayerCommands(program: Command): void {
  const layer = program
    .command('layer')
    .description('build reproducible Lambda layer zips and publish them to many Regions');

  layer
    .command('build')
    .description(
      'lay out a directory as a layer, install production dependencies and write a reproducible zip',
    )
    .argument(
      '<dir>',
      'the directory: package.json / requirements.txt, or already laid out with --no-install',
    )
    .option('--runtime <runtime>', 'nodejs20.x, nodejs22.x, python3.12, ... (default: from the directory)')
    .option('--out <file>', 'where to write the zip', 'layer.zip')
    .option('--no-install', 'zip the directory as it is laid out (nodejs/node_modules or python/)')
    .action(
      commandAction<{ runtime?: string; out?: string; install?: boolean }>(async (ctx, opts, args) => {
        const options = parseFlags(buildOptionsSchema, { ...opts, dir: args[0] });
        const result = await buildLayer(options, { reporter: ctx.reporter });
        ctx.reporter.result(buildOutcome(result));
        return EXIT_OK;
      }),
    );

  layer
    .command('publish')
    .description('publish a layer zip to many Regions in parallel, skipping Regions that already have it')
    // Required flags are checked by the schema, so every missing or bad one is reported at once.
    .option('--zip <file>', 'the layer zip, from layer build (required)')
    .option('--name <name>', 'the layer name (required)')
    .option('--regions <regions>', "comma-separated Regions, or 'all' (required)")
    .option('--description <text>', 'the version description')
    .option('--compatible-runtimes <list>', 'e.g. nodejs20.x,nodejs22.x')
    .option('--compatible-architectures <list>', 'x86_64, arm64 or both')
    .option('--license-info <text>', 'an SPDX identifier or a URL')
    .option(
      '--grant <grant>',
      'who may use the layer: account:123456789012, org:o-xxxxxxxxxx or public (repeatable)',
      collect,
    )
    .option('--s3-bucket <bucket>', "bucket for zips over 50 MB, '{region}' replaced per Region")
    .option('--concurrency <n>', 'Regions worked on at once (default: all)')
    .option('--force', 'publish a new version even where the latest has the same CodeSha256')
    .action(
      commandAction<Record<string, unknown>>(async (ctx, opts) => {
        const { grant, ...rest } = opts;
        const options = parseFlags(publishOptionsSchema, { ...rest, grants: grant });
        return runLayerPublish(ctx, options);
      }),
    );
}

async function runLayerPublish(
  ctx: CommandContext,
  options: ReturnType<typeof publishOptionsSchema.parse>,
): Promise<number> {
  const report = await publishFromOptions(options, {
    lambda: ctx.aws.lambda,
    s3: ctx.aws.s3,
    reporter: ctx.reporter,
    dryRun: ctx.globals.dryRun,
  });
  const outcome = publishOutcome(report);
  // With --dry-run the plan is the result (and the only JSON document on stdout).
  if (!ctx.globals.dryRun) ctx.reporter.result(outcome);
  return outcome.ok ? EXIT_OK : EXIT_FAILED;
}
