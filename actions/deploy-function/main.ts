import { deployOptionsSchema } from '../../src/functions/options.ts';
import { runDeploy } from '../../src/functions/run.ts';
import { runAction } from '../../src/github/runAction.ts';

await runAction({
  schema: deployOptionsSchema,
  inputs: [
    'function',
    'imageUri',
    'zip',
    's3',
    'publish',
    'alias',
    'architectures',
    'description',
    'region',
    'timeout',
  ],
  run: (ctx, options) => runDeploy(ctx, options),
});
