import { type Command, Option } from 'commander';
import { commandAction, EXIT_FAILED, EXIT_OK } from '../cli/context.ts';
import { InputError } from '../core/errors.ts';
import { parseInput } from '../core/input.ts';
import { runImageBuild } from './imageBuild.ts';
import { runImageVerify } from './imageVerify.ts';
import { imageBuildSchema, imageVerifySchema } from './options.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

// Repeatable flags are singular on the command line, plural in the schema (and the action).
const FLAG_NAMES: Record<string, string> = {
  '--tags': '--tag',
  '--build-args': '--build-arg',
  '--labels': '--label',
};

function parseFlags<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new InputError(error.problems.map((p) => ({ ...p, input: FLAG_NAMES[p.input] ?? p.input })));
  }
}

/** Drops flags the user did not give, so the schema's defaults apply. */
function given(raw: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
}

/** Registers the `deploykit image` commands. */
export function registerImageCommands(program: Command): void {
  const image = program
    .command('image')
    .description('build container images for Lambda and Flink, push them to ECR and verify them');

  image
    .command('build')
    .description(
      'build an image (optionally from a lambda/flink preset), ensure its ECR repository, push and verify it',
    )
    .option('--context <dir>', 'build context directory', '.')
    .addOption(
      new Option('--preset <preset>', 'write the Dockerfile when the context has none').choices([
        'lambda',
        'flink',
        'none',
      ]),
    )
    .option('--dockerfile <file>', 'Dockerfile path inside the context (default: Dockerfile)')
    .requiredOption('--repository <name>', 'ECR repository name, e.g. team/app')
    .option('--tag <tag>', 'extra tag (repeatable); the git commit is always a tag', collect)
    .addOption(new Option('--platform <platform>', 'target platform').choices(['linux/amd64', 'linux/arm64']))
    .option('--build-arg <K=V>', 'build argument (repeatable)', collect)
    .option('--target <stage>', 'build this stage of a multi-stage Dockerfile')
    .option('--base-image <ref>', "replace the preset's base image (fully qualified)")
    .option('--label <K=V>', 'image label (repeatable)', collect)
    .option('--push', 'push every tag and verify the manifest the registry serves')
    .option(
      '--registry <host>',
      'push to this registry host instead of ECR (credentials: DEPLOYKIT_REGISTRY_USERNAME/_PASSWORD)',
    )
    .option('--no-ecr', 'do not manage an ECR repository or log in to ECR (needs --registry)')
    .option('--runtime <runtime>', 'lambda preset: Lambda runtime of the base image (default python3.12)')
    .option('--handler <handler>', 'lambda preset: the handler, set as CMD (e.g. app.handler)')
    .option('--code <dir>', 'lambda preset: context directory copied to the task root (default: .)')
    .option('--flink-version <v>', 'flink preset: Flink version of the base image (default 1.20)')
    .option('--java-version <v>', 'flink preset: Java version of the base image (default 17)')
    .option('--job-jar <path>', 'flink preset: the job jar, copied to /opt/flink/usrlib/')
    .option('--flink-conf <path>', 'flink preset: a Flink configuration file, copied to /opt/flink/conf/')
    .option('--no-scan-on-push', 'create the repository without scan-on-push')
    .addOption(
      new Option('--tag-mutability <m>', 'tag mutability of a new repository (default MUTABLE)').choices([
        'MUTABLE',
        'IMMUTABLE',
      ]),
    )
    .addOption(
      new Option('--encryption <type>', 'encryption of a new repository (default AES256)').choices([
        'AES256',
        'KMS',
      ]),
    )
    .option('--kms-key <arn>', 'KMS key for --encryption KMS')
    .option('--expire-untagged-days <n>', 'lifecycle policy: expire untagged images after N days')
    .option('--keep-tagged <n>', 'lifecycle policy: keep only the last N images')
    .option('--apply-settings', "change an existing repository's settings to the ones given")
    .option('--no-cache', 'build without the layer cache')
    .action(
      commandAction<Record<string, unknown>>(async (ctx, flags) => {
        const options = parseFlags(() =>
          parseInput(
            imageBuildSchema,
            given({
              context: flags.context,
              preset: flags.preset,
              dockerfile: flags.dockerfile,
              repository: flags.repository,
              tags: flags.tag,
              platform: flags.platform,
              buildArgs: flags.buildArg,
              target: flags.target,
              baseImage: flags.baseImage,
              labels: flags.label,
              push: flags.push,
              registry: flags.registry,
              region: ctx.globals.region,
              ecr: flags.ecr === false ? false : undefined,
              runtime: flags.runtime,
              handler: flags.handler,
              code: flags.code,
              flinkVersion: flags.flinkVersion,
              javaVersion: flags.javaVersion,
              jobJar: flags.jobJar,
              flinkConf: flags.flinkConf,
              scanOnPush: flags.scanOnPush === false ? false : undefined,
              tagMutability: flags.tagMutability,
              encryption: flags.encryption,
              kmsKey: flags.kmsKey,
              expireUntaggedDays: flags.expireUntaggedDays,
              keepTagged: flags.keepTagged,
              applySettings: flags.applySettings,
              noCache: flags.cache === false ? true : undefined,
            }),
            'flag',
          ),
        );
        const outcome = await runImageBuild(
          {
            docker: ctx.docker,
            ecr: ctx.aws.ecr,
            reporter: ctx.reporter,
            region: ctx.region,
            dryRun: ctx.globals.dryRun,
          },
          options,
        );
        // With --dry-run the plan is the result (the reporter printed it); print nothing twice.
        if (!ctx.globals.dryRun) ctx.reporter.result(outcome);
        return outcome.ok ? EXIT_OK : EXIT_FAILED;
      }),
    );

  image
    .command('verify')
    .description(
      'read an image back from its registry and check Lambda would accept it (single-platform manifest, architecture)',
    )
    .requiredOption('--image <ref>', 'host/repository:tag or host/repository@sha256:...')
    .addOption(
      new Option('--platform <platform>', 'the function architecture').choices([
        'linux/amd64',
        'linux/arm64',
      ]),
    )
    .action(
      commandAction<Record<string, unknown>>(async (ctx, flags) => {
        const options = parseInput(
          imageVerifySchema,
          given({ image: flags.image, platform: flags.platform, region: ctx.globals.region }),
          'flag',
        );
        const outcome = await runImageVerify(
          { ecr: ctx.aws.ecr, reporter: ctx.reporter, region: ctx.region },
          options,
        );
        ctx.reporter.result(outcome);
        return outcome.ok ? EXIT_OK : EXIT_FAILED;
      }),
    );
}
