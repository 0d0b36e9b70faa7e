import { waitOptionsSchema } from '../../src/functions/options.ts';
import { runWait } from '../../src/functions/run.ts';
import { runAction } from '../../src/github/runAction.ts';

await runAction({
  schema: waitOptionsSchema,
  inputs: ['function', 'qualifier', 'region', 'timeout'],
  run: (ctx, options) => runWait(ctx, options),
});
