import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CreateFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ZipArchive } from 'archiver';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/aws/clients.ts';
import { parseInput } from '../../src/core/input.ts';
import { codeSha256Of } from '../../src/core/lambdaPackage.ts';
import { createMemoryReporter } from '../../src/core/reporter.ts';
import { deployOptionsSchema } from '../../src/functions/options.ts';
import { runDeploy } from '../../src/functions/run.ts';
import { type CliResult, runDeploykit } from './stack.ts';

/**
 * `deploykit function deploy|wait|rollback` against moto. moto's functions are always
 * Active/Successful (the state machine is covered by unit tests); what this checks is the real
 * API conversation: versions, aliases, CodeSha256 and image digests, read back with the SDK.
 */

const id = `dk${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const ROLE = `deploykit-fn-${id}`;

/** The CLI, always in the test Region. */
function deploykit(args: string[]): Promise<CliResult> {
  return runDeploykit(['--region', REGION, ...args]);
}

async function json<T>(args: string[]): Promise<{ result: CliResult; body: T }> {
  const result = await deploykit([...args, '--json']);
  try {
    return { result, body: JSON.parse(result.stdout) as T };
  } catch {
    throw new Error(`no JSON on stdout (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

async function zipOf(source: string): Promise<Buffer> {
  const archive = new ZipArchive({});
  const chunks: Buffer[] = [];
  archive.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve) => archive.on('end', () => resolve()));
  archive.append(source, { name: 'index.mjs', date: new Date(0) });
  await archive.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/**
 * moto checks that the execution role exists in its IAM. The project has no IAM client, so the
 * role is created with one Query API call (moto does not verify the signature).
 */
async function createRole(name: string): Promise<string> {
  const body = new URLSearchParams({
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: name,
    AssumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    }),
  });
  const res = await fetch(`${process.env.AWS_ENDPOINT_URL}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=${process.env.AWS_ACCESS_KEY_ID}/20260101/${REGION}/iam/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body,
  });
  if (!res.ok) throw new Error(`IAM CreateRole on moto failed: ${res.status} ${await res.text()}`);
  return `arn:aws:iam::${ACCOUNT}:role/${name}`;
}

const lambda = new LambdaClient({ region: REGION });
const ecr = new ECRClient({ region: REGION });
let dir: string;
let role: string;
const zips: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
const shas: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };

async function versionsOf(name: string): Promise<string[]> {
  const res = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }));
  return (res.Versions ?? []).map((v) => v.Version ?? '');
}

async function createZipFunction(name: string) {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Role: role,
      Handler: 'index.handler',
      Code: { ZipFile: await zipOf('export const handler = async () => "a";') },
    }),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deploykit-functions-'));
  role = await createRole(ROLE);
  for (const k of ['a', 'b', 'c'] as const) {
    const bytes = await zipOf(`export const handler = async () => "${k}";`);
    zips[k] = join(dir, `${k}.zip`);
    shas[k] = codeSha256Of(bytes);
    await writeFile(zips[k], bytes);
  }
});

describe('function deploy (zip), publish, alias, rollback', () => {
  const name = `${id}-orders`;

  it('deploys new code, publishes, creates then moves an alias, and rolls it back', async () => {
    await createZipFunction(name);
    const before = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(before.Configuration?.CodeSha256).toBe(shas.a);

    const first = await json<{ status: string; version: string; aliasAction: string; codeSha256: string }>([
      'function',
      'deploy',
      '--function',
      name,
      '--zip',
      zips.b,
      '--publish',
      '--alias',
      'live',
      '--description',
      'build b',
    ]);
    expect(first.result.code).toBe(0);
    expect(first.body).toMatchObject({
      status: 'updated',
      version: '1',
      aliasAction: 'created',
      codeSha256: shas.b,
    });
    const v1 = await lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: '1' }));
    expect(v1.Configuration?.CodeSha256).toBe(shas.b);

    const second = await json<{ version: string; previousVersion: string; aliasAction: string }>([
      'function',
      'deploy',
      '--function',
      name,
      '--zip',
      zips.c,
      '--alias',
      'live',
    ]);
    expect(second.result.code).toBe(0);
    expect(second.body).toMatchObject({ version: '2', previousVersion: '1', aliasAction: 'moved' });
    let alias = await lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
    expect(alias.FunctionVersion).toBe('2');
    expect(alias.Description).toBe('deploykit: previous version 1');
    expect(await versionsOf(name)).toEqual(['$LATEST', '1', '2']);

    const dry = await deploykit(['function', 'rollback', '--function', name, '--alias', 'live', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/alias live\s+update\s+version 2 → 1 \(recorded by the last deploy\)/);
    expect(
      (await lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }))).FunctionVersion,
    ).toBe('2');

    const back = await json<{ from: string; to: string; moved: boolean }>([
      'function',
      'rollback',
      '--function',
      name,
      '--alias',
      'live',
    ]);
    expect(back.result.code).toBe(0);
    expect(back.body).toMatchObject({ from: '2', to: '1', moved: true });
    alias = await lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
    expect(alias.FunctionVersion).toBe('1');
    // A second rollback undoes the first: the move recorded the version it left.
    expect(alias.Description).toBe('deploykit: previous version 2');
  });

  it('an unchanged deploy uploads nothing and says unchanged', async () => {
    const clients = createAwsClients();
    const sent: string[] = [];
    const client = clients.lambda(REGION);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    const reporter = createMemoryReporter();
    const options = parseInput(deployOptionsSchema, { function: name, zip: zips.c, alias: 'live' }, 'flag');
    const before = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    const outcome = await runDeploy({ reporter, aws: clients, region: REGION, dryRun: false }, options);

    expect(outcome.outputs).toMatchObject({ status: 'unchanged', 'code-sha256': shas.c });
    expect(outcome.notes).toContain('code unchanged: nothing was uploaded');
    expect(sent).not.toContain('UpdateFunctionCodeCommand');
    const after = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(after.Configuration?.CodeSha256).toBe(before.Configuration?.CodeSha256);
    expect(after.Configuration?.LastModified).toBe(before.Configuration?.LastModified);
    // PublishVersion returns the existing version for unchanged code: no new version, and the
    // alias (rolled back to 1 above) goes to the version that has this code.
    expect(await versionsOf(name)).toEqual(['$LATEST', '1', '2']);
    expect(outcome.outputs).toMatchObject({ version: '2', 'previous-version': '1' });
  });

  it('a dry run shows current and new hash, the version it would publish and the alias move, and changes nothing', async () => {
    const dry = await deploykit([
      'function',
      'deploy',
      '--function',
      name,
      '--zip',
      zips.a,
      '--alias',
      'live',
      '--dry-run',
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`${shas.c} → ${shas.a}`);
    expect(dry.stdout).toContain('would publish version 3');
    expect(dry.stdout).toMatch(/alias live\s+update\s+version 2 → 3/);
    expect(dry.stdout).toContain('Dry run: nothing was changed.');
    expect(await versionsOf(name)).toEqual(['$LATEST', '1', '2']);
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(fn.Configuration?.CodeSha256).toBe(shas.c);
  });

  it('function wait succeeds for ready functions, and fails naming the missing one', async () => {
    const ok = await deploykit(['function', 'wait', '--function', name, '--timeout', '30s']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`${name}\\s+ready: Active/Successful, version \\$LATEST`));

    const missing = `${id}-missing`;
    const both = await deploykit([
      'function',
      'wait',
      '--function',
      `${name},${missing}`,
      '--timeout',
      '30s',
    ]);
    expect(both.code).toBe(1);
    expect(both.stdout).toContain(`Function ${missing} does not exist in ${REGION}`);
    expect(both.stdout).toMatch(new RegExp(`${name}\\s+ready`));
  });
});

describe('function deploy (S3)', () => {
  it('deploys a package from s3://bucket/key, and finds it unchanged the next time', async () => {
    const name = `${id}-s3`;
    await createZipFunction(name);
    const s3 = new S3Client({ region: REGION, forcePathStyle: true });
    const bucket = `${id}-packages`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { readFile } = await import('node:fs/promises');
    // One object with S3's own SHA-256 checksum (read with HeadObject), one without (hashed).
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'b.zip',
        Body: await readFile(zips.b),
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'c.zip', Body: await readFile(zips.c) }));

    const first = await json<{ status: string; codeSha256: string }>([
      'function',
      'deploy',
      '--function',
      name,
      '--s3',
      `s3://${bucket}/b.zip`,
    ]);
    expect(first.result.code).toBe(0);
    expect(first.body).toMatchObject({ status: 'updated', codeSha256: shas.b });
    expect(
      (await lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration?.CodeSha256,
    ).toBe(shas.b);

    const same = await json<{ status: string }>([
      'function',
      'deploy',
      '--function',
      name,
      '--s3',
      `s3://${bucket}/b.zip`,
    ]);
    expect(same.body.status).toBe('unchanged');

    const second = await json<{ status: string; codeSha256: string }>([
      'function',
      'deploy',
      '--function',
      name,
      '--s3',
      `s3://${bucket}/c.zip`,
    ]);
    expect(second.body).toMatchObject({ status: 'updated', codeSha256: shas.c });

    const missing = await deploykit([
      'function',
      'deploy',
      '--function',
      name,
      '--s3',
      `s3://${bucket}/nope.zip`,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`s3://${bucket}/nope.zip does not exist`);
  });
});

describe('function deploy: clear errors', () => {
  it('a missing function: exit 1, the name and the Region, and nothing else happens', async () => {
    const missing = `${id}-nope`;
    const res = await deploykit(['function', 'deploy', '--function', missing, '--zip', zips.a]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`error: Function ${missing} does not exist in ${REGION}`);
    expect(res.stderr).toContain('How to fix: check the function name and --region');
  });

  it('an --image-uri outside ECR: exit 2 before any AWS call, saying how to write it', async () => {
    const res = await deploykit([
      'function',
      'deploy',
      '--function',
      `${id}-orders`,
      '--image-uri',
      'docker.io/library/node:20',
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      "'image-uri' has 'docker.io/library/node:20', which is not an Amazon ECR image URI",
    );
  });

  it('an --image-uri in another Region than the function: exit 2', async () => {
    const uri = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/${id}-img:v1`;
    const res = await deploykit(['function', 'deploy', '--function', `${id}-orders`, '--image-uri', uri]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`is in eu-west-1 and the function in ${REGION}`);
  });

  it('an --image-uri whose tag is not in the repository: exit 1, naming tag and repository', async () => {
    const repo = `${id}-img-missing`;
    await ecr.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const uri = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${repo}:nope`;
    const res = await deploykit(['function', 'deploy', '--function', `${id}-orders`, '--image-uri', uri]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`Image tag 'nope' is not in ECR repository ${repo} (${REGION})`);
  });

  it('bad flags are all reported at once, with exit 2', async () => {
    const res = await deploykit(['function', 'deploy', '--function', 'bad name', '--timeout', 'soon']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('3 problems with the input');
    expect(res.stderr).toContain("'--function' has 'bad name'");
    expect(res.stderr).toContain("'--image-uri' is required");
    expect(res.stderr).toContain("'--timeout' has 'soon'");
  });
});

describe('function deploy (image)', () => {
  /** moto's ECR derives an image digest from its layer digests, so each image gets its own layer. */
  async function pushImage(repo: string, tag: string, layerSeed: string): Promise<string> {
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: 2,
        digest: `sha256:${'c'.repeat(64)}`,
      },
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          size: 10,
          digest: `sha256:${layerSeed.repeat(64).slice(0, 64)}`,
        },
      ],
    };
    const res = await ecr.send(
      new PutImageCommand({ repositoryName: repo, imageManifest: JSON.stringify(manifest), imageTag: tag }),
    );
    return res.image?.imageId?.imageDigest as string;
  }

  it('resolves a tag to its digest, deploys repo@sha256, and skips the same image the next time', async () => {
    const repo = `${id}-img`;
    const repoUri = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${repo}`;
    await ecr.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const d1 = await pushImage(repo, 'v1', 'a');
    const d2 = await pushImage(repo, 'v2', 'b');
    expect(d1).not.toBe(d2);
    const name = `${id}-img`;
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        PackageType: 'Image',
        Role: role,
        Code: { ImageUri: `${repoUri}@${d1}` },
      }),
    );

    const dry = await deploykit([
      'function',
      'deploy',
      '--function',
      name,
      '--image-uri',
      `${repoUri}:v2`,
      '--dry-run',
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`${d1} → ${d2}`);

    const deployed = await json<{ status: string; imageUri: string }>([
      'function',
      'deploy',
      '--function',
      name,
      '--image-uri',
      `${repoUri}:v2`,
    ]);
    expect(deployed.result.code).toBe(0);
    expect(deployed.body.status).toBe('updated');
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(fn.Code?.ImageUri).toBe(`${repoUri}@${d2}`);

    const again = await json<{ status: string }>([
      'function',
      'deploy',
      '--function',
      name,
      '--image-uri',
      `${repoUri}:v2`,
    ]);
    expect(again.result.code).toBe(0);
    expect(again.body.status).toBe('unchanged');

    const wrongKind = await deploykit(['function', 'deploy', '--function', name, '--zip', zips.a]);
    expect(wrongKind.code).toBe(1);
    expect(wrongKind.stderr).toContain(
      `${name} is an image function (PackageType Image), and ${zips.a} is a zip package`,
    );
  });
});
