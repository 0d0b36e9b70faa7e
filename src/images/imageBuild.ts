import { resolve } from 'node:path';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type Docker from 'dockerode';
import { EnvironmentError, InputError, type InputProblem } from '../core/errors.ts';
import { createPlan, type Plan, type PlanStep } from '../core/plan.ts';
import type { Outcome, Reporter } from '../core/reporter.ts';
import { type BuildContext, collectBuildContext, hasFile, withGeneratedFile } from './buildContext.ts';
import {
  applyRepositoryPlan,
  type EcrLogin,
  loginToEcr,
  planRepository,
  type RepositoryPlan,
  type RepositorySettings,
} from './ecrRepository.ts';
import { buildWithEngine, type EngineBuildResult, type PushAuth, pushWithEngine } from './engine.ts';
import type { ImageBuildOptions } from './options.ts';
import { presetSources, renderFlinkDockerfile, renderLambdaDockerfile } from './presets.ts';
import { createRegistryClient, type RegistryCredentials } from './registryClient.ts';
import { computeTags, imageLabels, readSourceInfo, type SourceInfo } from './tags.ts';
import { type ImageVerification, verifyImage } from './verifyImage.ts';

/** What `image build` runs with; the entry point builds these, tests pass fakes. */
export interface ImageBuildDeps {
  docker: () => Docker;
  ecr: (region: string) => ECRClient;
  reporter: Reporter;
  /** The Region from --region / AWS_REGION. */
  region: string | undefined;
  dryRun: boolean;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  now?: () => number;
  /** Defaults to git and GITHUB_* variables. */
  readSource?: (dir: string) => Promise<SourceInfo>;
}

/** Env variables that carry credentials for a registry given with --registry (never a flag). */
export const REGISTRY_USERNAME_ENV = 'DEPLOYKIT_REGISTRY_USERNAME';
export const REGISTRY_PASSWORD_ENV = 'DEPLOYKIT_REGISTRY_PASSWORD';

/** The JSON result of `image build`. */
export interface ImageBuildResult {
  imageUri: string;
  digest?: string | undefined;
  tags: string[];
  imageId?: string | undefined;
  platform: string;
  preset: string;
  dockerfile: { path: string; generated: boolean };
  context: { files: number; ignored: string[]; bytesSent?: number | undefined };
  build?:
    | { architecture: string; os: string; size: number; rebuiltWithoutCache: boolean; durationMs: number }
    | undefined;
  pushed: boolean;
  repository?:
    | { name: string; region: string; created: boolean; changed: string[]; drift: string[] }
    | undefined;
  verification?: ImageVerification | undefined;
  plan: Plan;
}

/** Credentials for a --registry host, from DEPLOYKIT_REGISTRY_USERNAME / _PASSWORD. */
export function registryCredentialsFromEnv(
  env: NodeJS.ProcessEnv,
  reporter: Reporter,
): RegistryCredentials | undefined {
  const username = env[REGISTRY_USERNAME_ENV];
  const password = env[REGISTRY_PASSWORD_ENV];
  if (password) reporter.secret(password);
  if (!username && !password) return undefined;
  if (!username || !password) {
    throw new EnvironmentError(`only one of ${REGISTRY_USERNAME_ENV} and ${REGISTRY_PASSWORD_ENV} is set`, {
      hint: 'set both (for a registry that needs a login) or neither (for an open registry)',
    });
  }
  return { username, password };
}

/** Writes the preset's Dockerfile into the context when it has none; checks its sources exist. */
export function prepareDockerfile(
  context: BuildContext,
  o: ImageBuildOptions,
): { context: BuildContext; generated: boolean; text?: string } {
  if (hasFile(context, o.dockerfile)) return { context, generated: false };
  if (o.preset === 'none') {
    throw InputError.single(
      'dockerfile',
      `has '${o.dockerfile}', which is not a file in the context ${context.root}: add one, or pass --preset lambda|flink to have deploykit write it`,
    );
  }
  const text =
    o.preset === 'lambda'
      ? renderLambdaDockerfile({
          runtime: o.runtime,
          handler: o.handler,
          code: o.code,
          baseImage: o.baseImage,
        })
      : renderFlinkDockerfile({
          flinkVersion: o.flinkVersion,
          javaVersion: o.javaVersion,
          jobJar: o.jobJar,
          flinkConf: o.flinkConf,
          baseImage: o.baseImage,
        });
  const problems: InputProblem[] = [];
  for (const source of presetSources(o.preset, o)) {
    const present =
      source.path === '.' ||
      context.entries.some((e) => e.path === source.path || e.path.startsWith(`${source.path}/`));
    if (!present)
      problems.push({
        input: source.input,
        message: `has '${source.path}', which is not in the build context (or .dockerignore excludes it)`,
      });
  }
  if (problems.length > 0) throw new InputError(problems);
  return { context: withGeneratedFile(context, o.dockerfile, text), generated: true, text };
}

/** The tar size the engine will receive, without reading the files: headers plus padded data. */
export function estimateTarBytes(context: BuildContext): number {
  let total = 1024; // two zero blocks at the end
  for (const e of context.entries) {
    total += 512 + Math.ceil(e.size / 512) * 512;
    if (e.path.length > 100) total += 1024; // a long name costs an extra header (pax/gnu)
  }
  return total;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * `deploykit image build`: plan (context, Dockerfile, tags, ECR repository, push), then, unless
 * dry-run, build through the engine, ensure the repository, push every tag, read the manifest
 * back from the registry and, for the lambda preset, check Lambda will accept it.
 */
export async function runImageBuild(deps: ImageBuildDeps, o: ImageBuildOptions): Promise<Outcome> {
  const env = deps.env ?? process.env;
  const now = deps.now ?? Date.now;
  const { reporter } = deps;
  const contextDir = resolve(o.context);
  const region = o.region ?? deps.region;

  // Credentials first: a password is registered as a secret before anything could print it.
  const useEcr = o.ecr && o.registry === undefined;
  if ((useEcr || (o.push && o.ecr)) && !region) {
    throw InputError.single('region', 'is required to reach ECR: pass --region or set AWS_REGION');
  }
  let login: EcrLogin | undefined;
  let registryCredentials: RegistryCredentials | undefined;
  let registry: string;
  if (o.registry !== undefined) {
    registry = o.registry;
    registryCredentials = registryCredentialsFromEnv(env, reporter);
  } else if (o.ecr) {
    login = await loginToEcr(deps.ecr(region as string), region as string, reporter);
    registry = login.host;
    registryCredentials = { username: login.username, password: login.password };
  } else {
    throw InputError.single('registry', 'is required with --no-ecr: the registry host to tag and push to');
  }

  // Everything the plan needs, read-only.
  const source = await (deps.readSource ?? ((dir: string) => readSourceInfo(dir, env)))(contextDir);
  const tags = computeTags(registry, o.repository, source.revision, o.tags);
  const labels = imageLabels(source, o.labels);
  const collected = await collectBuildContext(contextDir, o.dockerfile);
  const prepared = prepareDockerfile(collected, o);
  if (prepared.text) reporter.debug(`Dockerfile written by preset ${o.preset}:\n${prepared.text}`);
  if (!prepared.generated && o.preset !== 'none') {
    reporter.info(`the context has its own ${o.dockerfile}: preset ${o.preset} did not write one`);
  }
  const wanted: RepositorySettings = {
    scanOnPush: o.scanOnPush,
    tagMutability: o.tagMutability,
    encryption: o.encryption,
    kmsKey: o.kmsKey,
    expireUntaggedDays: o.expireUntaggedDays,
    keepTagged: o.keepTagged,
  };
  let repoPlan: RepositoryPlan | undefined;
  if (o.push && o.ecr) {
    repoPlan = await planRepository(
      deps.ecr(region as string),
      region as string,
      o.repository,
      wanted,
      o.applySettings,
    );
  }

  const estimate = estimateTarBytes(prepared.context);
  const steps: PlanStep[] = [
    {
      target: registry,
      resource: `image ${o.repository}`,
      action: 'create',
      reason: `build ${o.platform} from ${prepared.generated ? `a ${o.preset} preset Dockerfile` : o.dockerfile}`,
      details: {
        contextFiles: String(prepared.context.entries.filter((e) => e.type === 'file').length),
        contextBytes: `~${formatBytes(estimate)}`,
        ignored: String(prepared.context.ignored.length),
      },
    },
    ...(repoPlan?.steps ?? []),
    ...(o.push
      ? tags.map(
          (t): PlanStep => ({
            target: registry,
            resource: `tag ${t.slice(registry.length + 1)}`,
            action: 'create',
            reason: 'push',
          }),
        )
      : []),
  ];
  const plan = createPlan(`image build ${o.repository}`, steps);
  reporter.plan(plan, deps.dryRun);

  const result: ImageBuildResult = {
    imageUri: tags[0] as string,
    tags,
    platform: o.platform,
    preset: o.preset,
    dockerfile: { path: o.dockerfile, generated: prepared.generated },
    context: {
      files: prepared.context.entries.filter((e) => e.type === 'file').length,
      ignored: prepared.context.ignored,
    },
    pushed: false,
    plan,
  };
  if (deps.dryRun) {
    return {
      ok: true,
      table: {
        title: `image build ${o.repository} (dry run)`,
        columns: ['Tag', 'Action'],
        rows: tags.map((t) => [t, o.push ? 'build and push' : 'build']),
      },
      json: { dryRun: true, ...result },
      outputs: { 'image-uri': result.imageUri, digest: '', tags: tags.join(',') },
    };
  }

  // Build.
  const docker = deps.docker();
  const started = now();
  const built: EngineBuildResult = await buildWithEngine(
    docker,
    {
      context: prepared.context,
      dockerfile: o.dockerfile,
      tags,
      platform: o.platform,
      buildArgs: o.buildArgs,
      labels,
      target: o.target,
      noCache: o.noCache,
      // A base image in the same registry (a private ECR base) is pulled with the same login.
      registryAuth: registryCredentials ? { [registry]: registryCredentials } : undefined,
    },
    reporter,
  );
  const durationMs = now() - started;
  result.imageId = built.imageId;
  result.context.bytesSent = built.contextBytes;
  result.build = {
    architecture: built.architecture,
    os: built.os,
    size: built.size,
    rebuiltWithoutCache: built.rebuiltWithoutCache,
    durationMs,
  };
  reporter.info(
    `built ${built.imageId.replace(/^sha256:/, '').slice(0, 12)} (${built.os}/${built.architecture}) in ${(durationMs / 1000).toFixed(1)} s; sent ${formatBytes(built.contextBytes)} of context (${prepared.context.ignored.length} paths left out by .dockerignore)`,
  );

  const notes = [
    `context sent: ${formatBytes(built.contextBytes)}; ignored by .dockerignore: ${prepared.context.ignored.slice(0, 5).join(', ') || 'nothing'}${prepared.context.ignored.length > 5 ? ', ...' : ''}`,
  ];
  if (!o.push) {
    return {
      ok: true,
      table: {
        title: `image build ${o.repository}`,
        columns: ['Tag', 'Image ID', 'Platform'],
        rows: tags.map((t) => [t, built.imageId, o.platform]),
      },
      json: result,
      outputs: { 'image-uri': result.imageUri, digest: '', tags: tags.join(',') },
      notes,
    };
  }

  // Repository, then push.
  if (repoPlan) {
    const ecr = deps.ecr(region as string);
    await applyRepositoryPlan(ecr, repoPlan, wanted, reporter);
    result.repository = {
      name: o.repository,
      region: region as string,
      created: repoPlan.changes.includes('create'),
      changed: repoPlan.changes.filter((c) => c !== 'create'),
      drift: repoPlan.drift,
    };
    notes.push(...repoPlan.drift.map((d) => `ECR repository ${o.repository}: ${d}`));
  }
  const auth: PushAuth | undefined = registryCredentials
    ? { ...registryCredentials, serveraddress: registry }
    : undefined;
  for (const tag of tags) {
    await pushWithEngine(docker, tag, auth, reporter);
    reporter.info(`pushed ${tag}`);
  }
  result.pushed = true;

  // Read back what the registry serves, under every tag.
  const client = createRegistryClient({
    host: registry,
    credentials: registryCredentials,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const verification = await verifyImage(client, {
    repository: o.repository,
    reference: tags[0]?.slice(tags[0].lastIndexOf(':') + 1) as string,
    platform: o.platform,
    lambda: o.preset === 'lambda',
  });
  for (const tag of tags.slice(1)) {
    const other = await client.getManifest(o.repository, tag.slice(tag.lastIndexOf(':') + 1));
    if (other.digest !== verification.digest) {
      verification.problems.push(
        `${tag} points to ${other.digest}, not ${verification.digest}: another push moved the tag`,
      );
      verification.ok = false;
    }
  }
  result.verification = verification;
  result.digest = verification.digest;
  result.imageUri = `${registry}/${o.repository}@${verification.digest}`;
  if (!verification.ok) {
    notes.push(...verification.problems.map((p) => `Lambda would reject this image: ${p}`));
    for (const p of verification.problems) reporter.error(p);
  } else {
    reporter.info(
      `verified ${result.imageUri} (${verification.mediaType}, ${verification.os}/${verification.architecture})`,
    );
  }
  const outcome: Outcome = {
    ok: verification.ok,
    table: {
      title: `image build ${o.repository}`,
      columns: ['Tag', 'Digest', 'Platform', 'Manifest', 'Result'],
      rows: tags.map((t) => [
        t,
        verification.digest,
        `${verification.os}/${verification.architecture}`,
        verification.mediaType,
        verification.ok ? 'pushed, verified' : 'pushed, REJECTED',
      ]),
    },
    json: result,
    outputs: { 'image-uri': result.imageUri, digest: verification.digest, tags: tags.join(',') },
    notes,
  };
  return outcome;
}
