import { layerZipFromArtifact } from '../../src/layers/artifact.ts';
import { publishJobOptionsSchema } from '../../src/layers/options.ts';
import { publishLayer } from '../../src/layers/publishLayer.ts';
import { publishOutcome } from '../../src/layers/publishOutcome.ts';
import { loadLayerZip } from '../../src/layers/runPublish.ts';
import { createJobHandler, type JobSpec } from '../../src/pipeline/jobHandler.ts';

/**
 * CodePipeline Lambda-invoke action: publishes the layer in the input artifact to ONE Region
 * (UserParameters `region`, default the pipeline's), as one of several parallel actions in a
 * stage. Idempotent: a retried job finds the version it published by its CodeSha256 and
 * publishes nothing. Output variables: LayerVersionArn, LayerVersion.
 */
export const publishLayerJob: JobSpec<typeof publishJobOptionsSchema> = {
  name: 'publish-layer',
  schema: publishJobOptionsSchema,
  async run(ctx) {
    const p = ctx.params;
    const region = p.region ?? ctx.region;
    const { bytes, source } = await layerZipFromArtifact(await ctx.downloadArtifact(p.artifact), p.file);
    const content = await loadLayerZip(bytes, `The layer zip (${source})`);
    const report = await publishLayer(
      {
        name: p.name,
        regions: [region],
        description: p.description,
        compatibleRuntimes: p.compatibleRuntimes,
        compatibleArchitectures: p.compatibleArchitectures,
        licenseInfo: p.licenseInfo,
        grants: p.grants,
        s3Bucket: p.s3Bucket,
        force: p.force,
      },
      content,
      { lambda: ctx.aws.lambda, s3: ctx.aws.s3, reporter: ctx.reporter },
    );
    ctx.reporter.result(publishOutcome(report));
    const result = report.results[0];
    // The AWS error itself, so the framework reports AccessDenied as a PermissionError.
    if (!result || result.status === 'failed')
      throw result?.cause ?? new Error(`publishing in ${region} failed`);
    const version = String(result.version);
    return {
      status: 'succeeded',
      outputVariables: { LayerVersionArn: result.arn ?? '', LayerVersion: version },
      summary: `${result.status} ${p.name} version ${version} in ${region} (CodeSha256 ${content.codeSha256})`,
    };
  },
};

export const handler = createJobHandler(publishLayerJob);
