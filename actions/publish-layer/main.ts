import { runAction } from '../../src/github/runAction.ts';
import { publishOptionsSchema } from '../../src/layers/options.ts';
import { publishOutcome } from '../../src/layers/publishOutcome.ts';
import { publishFromOptions } from '../../src/layers/runPublish.ts';

// Inputs arrive as INPUT_* variables from action.yml's env: block; runAction parses them through
// the same schema as `deploykit layer publish`, and writes the outputs and the job summary.
await runAction({
  schema: publishOptionsSchema,
  inputs: [
    'zip',
    'name',
    'regions',
    'description',
    'compatibleRuntimes',
    'compatibleArchitectures',
    'licenseInfo',
    'grants',
    's3Bucket',
    'concurrency',
    'force',
  ],
  run: async (ctx, options) =>
    publishOutcome(
      await publishFromOptions(options, {
        lambda: ctx.aws.lambda,
        s3: ctx.aws.s3,
        reporter: ctx.reporter,
        dryRun: ctx.dryRun,
      }),
    ),
});
