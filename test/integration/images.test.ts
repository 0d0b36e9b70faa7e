import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { DescribeRepositoriesCommand, ECRClient, GetLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import Docker from 'dockerode';
import tar from 'tar-stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDeploykit, skopeoInspect } from './stack.ts';

/**
 * `deploykit image build|verify` against the local stack: podman's Docker API builds, the open
 * and the htpasswd registries receive the pushes, moto's ECR holds the repository settings.
 * Images are tiny FROM-scratch builds with a COPY or two (podman with vfs storage is slow).
 */

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const fixtures = join(root, 'test/fixtures/images');
const id = `dk${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the integration globalSetup (local stack) did not run`);
  return value;
}

const deploykit = runDeploykit;

/** The file paths inside one layer blob, read straight from the registry. */
async function layerFiles(registry: string, repository: string, digest: string): Promise<string[]> {
  const response = await fetch(`http://${registry}/v2/${repository}/blobs/${digest}`);
  expect(response.status).toBe(200);
  const extract = tar.extract();
  const names: string[] = [];
  extract.end(gunzipSync(Buffer.from(await response.arrayBuffer())));
  for await (const entry of extract) {
    names.push(entry.header.name);
    await text(entry);
  }
  return names;
}

function temporaryCopy(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${id}-`));
  cpSync(join(fixtures, fixture), dir, { recursive: true });
  return dir;
}

const ecr = () => new ECRClient({ region: env('AWS_REGION') });

let registry: string;
let lambdaBase: string;
let flinkBase: string;

beforeAll(async () => {
  registry = env('DEPLOYKIT_REGISTRY');
  env('DOCKER_HOST');
  // The stand-in base images: FROM scratch, pushed to the local registry first, as the real
  // AWS Lambda and Flink bases would be pulled from theirs.
  lambdaBase = `${registry}/${id}/stand-in-lambda:1`;
  flinkBase = `${registry}/${id}/stand-in-flink:1`;
  for (const [dir, repo] of [
    ['stand-ins/lambda', `${id}/stand-in-lambda`],
    ['stand-ins/flink', `${id}/stand-in-flink`],
  ] as const) {
    const r = await deploykit([
      'image',
      'build',
      '--context',
      join(fixtures, dir),
      '--repository',
      repo,
      '--tag',
      '1',
      '--registry',
      registry,
      '--no-ecr',
      '--push',
    ]);
    expect(r.stderr).toContain('verified');
    expect(r.code).toBe(0);
  }
});

describe('image build --preset lambda', () => {
  let result: {
    imageUri: string;
    digest: string;
    tags: string[];
    context: { bytesSent: number; ignored: string[] };
  };
  const repository = `${id}/lambda-fn`;

  beforeAll(async () => {
    const context = temporaryCopy('lambda-app');
    // A large directory .dockerignore leaves out: it must not be sent.
    mkdirSync(join(context, 'fixtures-data'));
    writeFileSync(join(context, 'fixtures-data', 'big.bin'), Buffer.alloc(8 * 1024 * 1024, 1));
    const r = await deploykit([
      'image',
      'build',
      '--context',
      context,
      '--preset',
      'lambda',
      '--handler',
      'app.handler',
      '--runtime',
      'python3.12',
      '--base-image',
      lambdaBase,
      '--repository',
      repository,
      '--tag',
      'first',
      '--tag',
      'stable',
      '--label',
      'team=payments',
      '--registry',
      registry,
      '--push',
      '--tag-mutability',
      'IMMUTABLE',
      '--expire-untagged-days',
      '7',
      '--keep-tagged',
      '5',
      '--json',
    ]);
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    result = JSON.parse(r.stdout);
  });

  it('prints the image by digest, the digest the registry serves for every tag', async () => {
    expect(result.imageUri).toBe(`${registry}/${repository}@${result.digest}`);
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const tag of ['first', 'stable']) {
      const inspected = (await skopeoInspect(`${registry}/${repository}:${tag}`)) as { Digest: string };
      expect(inspected.Digest).toBe(result.digest);
    }
  });

  it('pushes a single-platform Docker v2 schema 2 manifest for amd64, with the handler as CMD', async () => {
    const manifest = (await skopeoInspect(result.imageUri, { raw: true })) as {
      mediaType: string;
      layers: unknown[];
    };
    expect(manifest.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const config = (await skopeoInspect(result.imageUri, { config: true })) as {
      architecture: string;
      os: string;
      config: { Cmd: string[]; Env: string[]; Labels: Record<string, string> };
    };
    expect(config.architecture).toBe('amd64');
    expect(config.os).toBe('linux');
    expect(config.config.Cmd).toEqual(['app.handler']);
    expect(config.config.Labels.team).toBe('payments');
  });

  it('puts the code in the task root and leaves the ignored directory out of the context', async () => {
    const manifest = (await skopeoInspect(result.imageUri, { raw: true })) as {
      layers: { digest: string }[];
    };
    const top = manifest.layers[manifest.layers.length - 1];
    const files = await layerFiles(registry, repository, top?.digest as string);
    expect(files).toContain('var/task/app.py');
    expect(files.some((f) => f.includes('fixtures-data'))).toBe(false);
    expect(result.context.ignored).toEqual(['fixtures-data/']);
    expect(result.context.bytesSent).toBeLessThan(64 * 1024);
  });

  it('creates the ECR repository with scan-on-push, the mutability, AES256 and the lifecycle policy', async () => {
    const repo = (await ecr().send(new DescribeRepositoriesCommand({ repositoryNames: [repository] })))
      .repositories?.[0];
    expect(repo?.imageScanningConfiguration?.scanOnPush).toBe(true);
    expect(repo?.imageTagMutability).toBe('IMMUTABLE');
    expect(repo?.encryptionConfiguration?.encryptionType).toBe('AES256');
    const policy = await ecr().send(new GetLifecyclePolicyCommand({ repositoryName: repository }));
    const rules = JSON.parse(policy.lifecyclePolicyText ?? '{}').rules as {
      selection: Record<string, unknown>;
    }[];
    expect(rules.map((r) => r.selection)).toEqual([
      { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
      { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 },
    ]);
  });

  it('leaves an existing repository alone unless told, then applies the settings', async () => {
    const args = [
      'image',
      'build',
      '--context',
      temporaryCopy('lambda-app'),
      '--preset',
      'lambda',
      '--handler',
      'app.handler',
      '--base-image',
      lambdaBase,
      '--repository',
      repository,
      '--tag',
      'second',
      '--registry',
      registry,
      '--push',
      '--tag-mutability',
      'MUTABLE',
      '--no-scan-on-push',
      '--json',
    ];
    const left = await deploykit(args);
    expect(left.code).toBe(0);
    expect(JSON.parse(left.stdout).repository.drift.join('\n')).toMatch(
      /scan-on-push is true \(wanted false\); left alone/,
    );
    let repo = (await ecr().send(new DescribeRepositoriesCommand({ repositoryNames: [repository] })))
      .repositories?.[0];
    expect(repo?.imageScanningConfiguration?.scanOnPush).toBe(true);
    expect(repo?.imageTagMutability).toBe('IMMUTABLE');

    const applied = await deploykit([...args.map((a) => (a === 'second' ? 'third' : a)), '--apply-settings']);
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout).plan.steps[1]).toMatchObject({
      action: 'update',
      reason: 'scan-on-push true -> false; tag mutability IMMUTABLE -> MUTABLE',
    });
    repo = (await ecr().send(new DescribeRepositoriesCommand({ repositoryNames: [repository] })))
      .repositories?.[0];
    expect(repo?.imageScanningConfiguration?.scanOnPush).toBe(false);
    expect(repo?.imageTagMutability).toBe('MUTABLE');
  });

  it('passes image verify, and an image index of the same image is rejected as Lambda would', async () => {
    const ok = await deploykit(['image', 'verify', '--image', result.imageUri]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('accepted');

    // An index made with podman manifest, as buildx would push one with a provenance attestation.
    const podman = (...args: string[]) => run('podman', ['--remote', '--url', env('DOCKER_HOST'), ...args]);
    const list = `${id}-index`;
    const indexRef = `${registry}/${id}/indexed:v1`;
    await podman('manifest', 'create', list);
    try {
      await podman('manifest', 'add', '--tls-verify=false', list, `docker://${result.imageUri}`);
      await podman('manifest', 'push', '--tls-verify=false', '--all', list, `docker://${indexRef}`);
    } finally {
      await podman('manifest', 'rm', list).catch(() => undefined);
    }
    const raw = (await skopeoInspect(indexRef, { raw: true })) as { mediaType: string };
    expect(raw.mediaType).toMatch(/index|list/);

    const rejected = await deploykit(['image', 'verify', '--image', indexRef]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/image index .* not a single image manifest/);
    expect(rejected.stderr).toMatch(/media type for the source image is not supported/);
    expect(rejected.stdout).toContain('REJECTED');
  });

  it('rejects the image for a function of the other architecture', async () => {
    const r = await deploykit(['image', 'verify', '--image', result.imageUri, '--platform', 'linux/arm64']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/architecture 'amd64', but --platform is linux\/arm64/);
  });
});

describe('image build --dry-run against ECR (moto)', () => {
  it("logs in with GetAuthorizationToken, plans for the account's ECR host and creates nothing", async () => {
    const repository = `${id}/dry`;
    const r = await deploykit([
      '--dry-run',
      '--json',
      'image',
      'build',
      '--context',
      temporaryCopy('lambda-app'),
      '--preset',
      'lambda',
      '--handler',
      'app.handler',
      '--repository',
      repository,
      '--tag',
      'v1',
      '--push',
    ]);
    expect(r.code).toBe(0);
    const { plan } = JSON.parse(r.stdout) as {
      plan: { steps: { target: string; resource: string; action: string }[] };
    };
    expect(plan.steps.map((s) => `${s.action} ${s.resource}`)).toEqual([
      `create image ${repository}`,
      `create repository ${repository}`,
      `create tag ${repository}:v1`,
    ]);
    expect(plan.steps[0]?.target).toMatch(/^\d{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com$/);
    const described = await ecr()
      .send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }))
      .catch((e: unknown) => (e as Error).name);
    expect(described).toBe('RepositoryNotFoundException');
  });
});

describe('image build --platform linux/arm64', () => {
  it('builds and pushes an arm64 image that verifies for an arm64 function', async () => {
    // The stand-in base for arm64 (FROM scratch needs no emulation), then the function on it.
    const base = await deploykit([
      'image',
      'build',
      '--context',
      join(fixtures, 'stand-ins/lambda'),
      '--repository',
      `${id}/stand-in-lambda-arm64`,
      '--tag',
      '1',
      '--platform',
      'linux/arm64',
      '--registry',
      registry,
      '--no-ecr',
      '--push',
    ]);
    expect(base.code).toBe(0);
    const r = await deploykit([
      'image',
      'build',
      '--context',
      temporaryCopy('lambda-app'),
      '--preset',
      'lambda',
      '--handler',
      'app.handler',
      '--base-image',
      `${registry}/${id}/stand-in-lambda-arm64:1`,
      '--platform',
      'linux/arm64',
      '--repository',
      `${id}/lambda-arm64`,
      '--tag',
      'v1',
      '--registry',
      registry,
      '--no-ecr',
      '--push',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const { imageUri } = JSON.parse(r.stdout) as { imageUri: string };
    const config = (await skopeoInspect(imageUri, { config: true })) as { architecture: string; os: string };
    expect(`${config.os}/${config.architecture}`).toBe('linux/arm64');
    expect(
      (await deploykit(['image', 'verify', '--image', imageUri, '--platform', 'linux/arm64'])).code,
    ).toBe(0);
  });
});

describe('image build --preset flink', () => {
  it('puts the job jar in /opt/flink/usrlib with its label, and the configuration in /opt/flink/conf', async () => {
    const context = temporaryCopy('flink-app');
    mkdirSync(join(context, 'target'));
    // An empty zip is a valid (empty) jar; the content does not matter to the image.
    writeFileSync(
      join(context, 'target', 'orders-job.jar'),
      Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]),
    );
    const repository = `${id}/flink-job`;
    const r = await deploykit([
      'image',
      'build',
      '--context',
      context,
      '--preset',
      'flink',
      '--job-jar',
      'target/orders-job.jar',
      '--flink-conf',
      'conf/config.yaml',
      '--base-image',
      flinkBase,
      '--repository',
      repository,
      '--tag',
      'v1',
      '--registry',
      registry,
      '--push',
      '--json',
    ]);
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    const { imageUri } = JSON.parse(r.stdout) as { imageUri: string };
    const manifest = (await skopeoInspect(imageUri, { raw: true })) as {
      mediaType: string;
      layers: { digest: string }[];
    };
    expect(manifest.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const config = (await skopeoInspect(imageUri, { config: true })) as {
      architecture: string;
      config: { Labels: Record<string, string> };
    };
    expect(config.architecture).toBe('amd64');
    expect(config.config.Labels['io.deploykit.flink.job-jar']).toBe('/opt/flink/usrlib/orders-job.jar');
    const files = (
      await Promise.all(manifest.layers.map((l) => layerFiles(registry, repository, l.digest)))
    ).flat();
    expect(files).toContain('opt/flink/usrlib/orders-job.jar');
    expect(files).toContain('opt/flink/conf/config.yaml');
  });
});

describe('image build against the htpasswd registry', () => {
  const context = join(fixtures, 'stand-ins/lambda');
  const args = () => [
    'image',
    'build',
    '--context',
    context,
    '--repository',
    `${id}/private`,
    '--tag',
    'v1',
    '--registry',
    env('DEPLOYKIT_AUTH_REGISTRY'),
    '--no-ecr',
    '--push',
  ];

  it("fails with the registry's message on a wrong password, and never prints the password", async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const r = await deploykit(args(), {
      DEPLOYKIT_REGISTRY_USERNAME: env('DEPLOYKIT_AUTH_REGISTRY_USER'),
      DEPLOYKIT_REGISTRY_PASSWORD: wrong,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/push of \S+\/private:\S+ failed: .*unauthorized: authentication required/);
    expect(`${r.stdout}${r.stderr}`).not.toContain(wrong);
  });

  it('pushes and reads the manifest back with the right credentials', async () => {
    const password = env('DEPLOYKIT_AUTH_REGISTRY_PASSWORD');
    const r = await deploykit([...args(), '--json', '--verbose'], {
      DEPLOYKIT_REGISTRY_USERNAME: env('DEPLOYKIT_AUTH_REGISTRY_USER'),
      DEPLOYKIT_REGISTRY_PASSWORD: password,
    });
    expect(r.code).toBe(0);
    const { imageUri } = JSON.parse(r.stdout) as { imageUri: string };
    expect(imageUri).toMatch(new RegExp(`/${id}/private@sha256:[0-9a-f]{64}$`));
    const manifest = (await skopeoInspect(imageUri, {
      raw: true,
      creds: `${env('DEPLOYKIT_AUTH_REGISTRY_USER')}:${password}`,
    })) as {
      mediaType: string;
    };
    expect(manifest.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(`${r.stdout}${r.stderr}`).not.toContain(password);
  });
  it('pulls a private base image from the same registry with the same credentials', async () => {
    const creds = {
      DEPLOYKIT_REGISTRY_USERNAME: env('DEPLOYKIT_AUTH_REGISTRY_USER'),
      DEPLOYKIT_REGISTRY_PASSWORD: env('DEPLOYKIT_AUTH_REGISTRY_PASSWORD'),
    };
    const base = `${env('DEPLOYKIT_AUTH_REGISTRY')}/${id}/private:v1`;
    // Only the registry has the base now: the engine must pull it, and needs the login to.
    const docker = new Docker();
    const { Id } = await docker.getImage(base).inspect();
    await docker.getImage(Id).remove({ force: true });
    const r = await deploykit(
      [
        'image',
        'build',
        '--context',
        temporaryCopy('lambda-app'),
        '--preset',
        'lambda',
        '--handler',
        'app.handler',
        '--base-image',
        base,
        '--repository',
        `${id}/private-fn`,
        '--tag',
        'v1',
        '--registry',
        env('DEPLOYKIT_AUTH_REGISTRY'),
        '--no-ecr',
        '--push',
        '--verbose',
      ],
      creds,
    );
    expect(r.stderr).toContain(`Trying to pull ${base}`);
    expect(r.code).toBe(0);
  });
});
