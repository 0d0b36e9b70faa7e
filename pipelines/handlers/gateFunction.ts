import { runGateJob } from '../../src/functions/gateJob.ts';
import { gateParamsSchema } from '../../src/functions/options.ts';
import { createJobHandler } from '../../src/pipeline/jobHandler.ts';

/**
 * CodePipeline "Lambda invoke" action: gates functions on State and LastUpdateStatus, or, with
 * `deploy` in UserParameters, performs the gated deploy. One look per invocation; while not
 * ready it reports a continuation token, and fails the job on Failed or past `timeout`.
 * UserParameters: {"function":"my-fn","timeout":"15m"} or
 * {"function":"my-fn","deploy":{"artifact":true,"publish":true,"alias":"live"}}.
 */
export const handler = createJobHandler({
  name: 'gate-function',
  schema: gateParamsSchema,
  run: (ctx) => runGateJob(ctx),
});
