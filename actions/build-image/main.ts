import { runAction } from '../../src/github/runAction.ts';
import { runImageBuild } from '../../src/images/imageBuild.ts';
import { imageBuildSchema } from '../../src/images/options.ts';

// Inputs arrive as INPUT_* variables from action.yml's env: block and parse through the same
// schema as `deploykit image build`; runAction writes the outputs (image-uri, digest, tags) and
// the job summary. Registry credentials arrive as DEPLOYKIT_REGISTRY_USERNAME / _PASSWORD.
await runAction({
  schema: imageBuildSchema,
  inputs: [
    'context',
    'preset',
    'dockerfile',
    'repository',
    'tags',
    'platform',
    'buildArgs',
    'target',
    'baseImage',
    'labels',
    'push',
    'registry',
    'region',
    'ecr',
    'runtime',
    'handler',
    'code',
    'flinkVersion',
    'javaVersion',
    'jobJar',
    'flinkConf',
    'scanOnPush',
    'tagMutability',
    'encryption',
    'kmsKey',
    'expireUntaggedDays',
    'keepTagged',
    'applySettings',
    'noCache',
  ],
  run: (ctx, options) =>
    runImageBuild(
      {
        docker: ctx.docker,
        ecr: ctx.aws.ecr,
        reporter: ctx.reporter,
        region: ctx.region,
        dryRun: ctx.dryRun,
      },
      options,
    ),
});
