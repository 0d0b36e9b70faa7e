import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  LambdaClient,
  ListLayerVersionsCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runDeploykit } from './stack.ts';

/**
 * `deploykit layer build|publish` against moto (the local stack): what exists in each Region
 * afterwards is read back with the SDK, as a user would check it.
 */

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const id = `dk${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-south-1', 'sa-east-1', 'ca-central-1'];
const GRANTS = ['--grant', 'account:210987654321', '--grant', 'org:o-deploykit01', '--grant', 'public'];
const SIDS = ['deploykit-account-210987654321', 'deploykit-org-o-deploykit01', 'deploykit-public'];

const deploykit = runDeploykit;

interface PublishJson {
  codeSha256: string;
  layerArns: Record<string, string>;
  changedRegions: string[];
  versionsDiffer: boolean;
  regions: Record<string, { status: string; version?: number; error?: { code: string; message: string } }>;
}

async function publish(args: string[]): Promise<{ result: CliResult; json: PublishJson }> {
  const result = await deploykit(['layer', 'publish', '--json', ...args]);
  let json: PublishJson;
  try {
    json = JSON.parse(result.stdout) as PublishJson;
  } catch {
    throw new Error(`no JSON on stdout (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return { result, json };
}

const lambdas = new Map<string, LambdaClient>();
function lambda(region: string): LambdaClient {
  let client = lambdas.get(region);
  if (!client) {
    client = new LambdaClient({ region });
    lambdas.set(region, client);
  }
  return client;
}

/** Every version of the layer in a Region, oldest first, with its CodeSha256 and statement ids. */
async function versionsIn(region: string, name: string) {
  const listed = await lambda(region).send(new ListLayerVersionsCommand({ LayerName: name }));
  const out: { version: number; codeSha256: string | undefined; sids: string[] }[] = [];
  for (const v of listed.LayerVersions ?? []) {
    const detail = await lambda(region).send(
      new GetLayerVersionCommand({ LayerName: name, VersionNumber: v.Version }),
    );
    let sids: string[] = [];
    try {
      const policy = await lambda(region).send(
        new GetLayerVersionPolicyCommand({ LayerName: name, VersionNumber: v.Version }),
      );
      sids = (JSON.parse(policy.Policy ?? '{}').Statement as { Sid: string }[]).map((s) => s.Sid).sort();
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    }
    out.push({ version: v.Version ?? 0, codeSha256: detail.Content?.CodeSha256, sids });
  }
  return out.sort((a, b) => a.version - b.version);
}

let work: string;
async function buildZip(label: string, content: string | Buffer): Promise<{ zip: string; sha: string }> {
  const dir = join(work, `src-${label}`);
  await mkdir(join(dir, 'nodejs/node_modules/greeting'), { recursive: true });
  await writeFile(join(dir, 'nodejs/node_modules/greeting/index.js'), content);
  const zip = join(work, `${label}.zip`);
  const built = await deploykit(['layer', 'build', dir, '--no-install', '--out', zip, '--json']);
  expect(built.code, built.stderr).toBe(0);
  return { zip, sha: (JSON.parse(built.stdout) as { codeSha256: string }).codeSha256 };
}

beforeAll(async () => {
  for (const v of ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID']) {
    if (!process.env[v])
      throw new Error(`${v} is not set: the integration globalSetup (local stack) did not run`);
  }
  work = await mkdtemp(join(tmpdir(), 'dk-layers-it-'));
});

describe('layer publish against moto, 5 Regions', () => {
  const name = `${id}-utils`;

  it('publishes once per Region with the built CodeSha256 and the granted statements; a re-run creates nothing; a changed zip one version each', async () => {
    const v1 = await buildZip('v1', 'module.exports = "hello";\n');

    const first = await publish(['--zip', v1.zip, '--name', name, '--regions', REGIONS.join(','), ...GRANTS]);
    expect(first.result.code, first.result.stderr).toBe(0);
    expect(first.json.codeSha256).toBe(v1.sha);
    expect(first.json.changedRegions).toEqual(REGIONS);
    for (const region of REGIONS) {
      expect(await versionsIn(region, name)).toEqual([{ version: 1, codeSha256: v1.sha, sids: SIDS }]);
      expect(first.json.layerArns[region]).toBe(`arn:aws:lambda:${region}:123456789012:layer:${name}:1`);
    }

    const again = await publish(['--zip', v1.zip, '--name', name, '--regions', REGIONS.join(','), ...GRANTS]);
    expect(again.result.code, again.result.stderr).toBe(0);
    expect(Object.values(again.json.regions).map((r) => r.status)).toEqual(REGIONS.map(() => 'unchanged'));
    expect(again.json.changedRegions).toEqual([]);
    for (const region of REGIONS) {
      expect(await versionsIn(region, name)).toEqual([{ version: 1, codeSha256: v1.sha, sids: SIDS }]);
    }

    const v2 = await buildZip('v2', 'module.exports = "hello again";\n');
    expect(v2.sha).not.toBe(v1.sha);
    const changed = await publish([
      '--zip',
      v2.zip,
      '--name',
      name,
      '--regions',
      REGIONS.join(','),
      ...GRANTS,
    ]);
    expect(changed.result.code, changed.result.stderr).toBe(0);
    for (const region of REGIONS) {
      expect(await versionsIn(region, name)).toEqual([
        { version: 1, codeSha256: v1.sha, sids: SIDS },
        { version: 2, codeSha256: v2.sha, sids: SIDS },
      ]);
    }
  });

  it('rebuilding the same input gives the same CodeSha256, so the publish finds nothing to do', async () => {
    const a = await buildZip('same-a', 'same content\n');
    const b = await buildZip('same-b', 'same content\n');
    expect((await readFile(b.zip)).equals(await readFile(a.zip))).toBe(true);
    const regions = REGIONS.slice(0, 2).join(',');
    expect((await publish(['--zip', a.zip, '--name', `${id}-same`, '--regions', regions])).result.code).toBe(
      0,
    );
    const second = await publish(['--zip', b.zip, '--name', `${id}-same`, '--regions', regions]);
    expect(Object.values(second.json.regions).map((r) => r.status)).toEqual(['unchanged', 'unchanged']);
  });

  it('adds a grant given later to the existing version, once', async () => {
    const zip = await buildZip('grant', 'grants\n');
    const n = `${id}-grant`;
    await publish(['--zip', zip.zip, '--name', n, '--regions', 'eu-west-1']);
    expect((await versionsIn('eu-west-1', n))[0]?.sids).toEqual([]);
    const granted = await publish([
      '--zip',
      zip.zip,
      '--name',
      n,
      '--regions',
      'eu-west-1',
      '--grant',
      'public',
    ]);
    expect(granted.json.regions['eu-west-1']?.status).toBe('unchanged');
    await publish(['--zip', zip.zip, '--name', n, '--regions', 'eu-west-1', '--grant', 'public']);
    expect(await versionsIn('eu-west-1', n)).toEqual([
      { version: 1, codeSha256: zip.sha, sids: ['deploykit-public'] },
    ]);
  });

  it('warns when version numbers differ across Regions', async () => {
    const n = `${id}-skew`;
    const a = await buildZip('skew-a', 'a\n');
    const b = await buildZip('skew-b', 'b\n');
    await publish(['--zip', a.zip, '--name', n, '--regions', 'us-east-1']);
    const { result, json } = await publish(['--zip', b.zip, '--name', n, '--regions', 'us-east-1,eu-west-1']);
    expect(json.versionsDiffer).toBe(true);
    expect(json.layerArns).toEqual({
      'us-east-1': `arn:aws:lambda:us-east-1:123456789012:layer:${n}:2`,
      'eu-west-1': `arn:aws:lambda:eu-west-1:123456789012:layer:${n}:1`,
    });
    expect(result.stderr).toMatch(
      /version numbers differ across Regions \(version 1 in eu-west-1; version 2 in us-east-1\)/,
    );
  });

  it.each([
    [
      'an invalid Region',
      ['--regions', 'us-east-1,eu-west-9', '--grant', 'public'],
      /'--regions' has 'eu-west-9', which is not an AWS Region/,
    ],
    [
      'an invalid grant',
      ['--regions', 'us-east-1,eu-west-1', '--grant', 'account:1234'],
      /'--grant' has 'account:1234', which is not a grant/,
    ],
  ])('rejects %s before anything is published (exit 2, nothing in moto)', async (_label, args, message) => {
    const zip = await buildZip('reject', 'never published\n');
    const n = `${id}-rejected-${randomBytes(2).toString('hex')}`;
    const result = await deploykit(['layer', 'publish', '--zip', zip.zip, '--name', n, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    for (const region of ['us-east-1', 'eu-west-1']) expect(await versionsIn(region, n)).toEqual([]);
  });
});

describe('layer publish over 50 MB, through S3 in moto', () => {
  it('says which flag to pass without a bucket; with one, uploads per Region and publishes from S3', async () => {
    const n = `${id}-big`;
    const regions = ['us-east-1', 'eu-west-1'];
    // Random bytes do not compress, so the zip stays over Lambda's 50 MB direct-upload limit.
    const big = await buildZip('big', randomBytes(51 * 1024 * 1024));

    const refused = await publish(['--zip', big.zip, '--name', n, '--regions', regions.join(',')]);
    expect(refused.result.code).toBe(1);
    expect(refused.json.regions['us-east-1']?.error?.message).toMatch(
      /no S3 bucket was given.*--s3-bucket 'my-bucket-\{region\}'/,
    );
    for (const region of regions) expect(await versionsIn(region, n)).toEqual([]);

    for (const region of regions) {
      await new S3Client({ region, forcePathStyle: true }).send(
        new CreateBucketCommand({
          Bucket: `${id}-layers-${region}`,
          ...(region === 'us-east-1'
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
        }),
      );
    }
    const bucket = `${id}-layers-{region}`;
    const published = await publish([
      '--zip',
      big.zip,
      '--name',
      n,
      '--regions',
      regions.join(','),
      '--s3-bucket',
      bucket,
    ]);
    expect(published.result.code, published.result.stderr).toBe(0);
    for (const region of regions) {
      expect(await versionsIn(region, n)).toEqual([{ version: 1, codeSha256: big.sha, sids: [] }]);
    }
    const again = await publish([
      '--zip',
      big.zip,
      '--name',
      n,
      '--regions',
      regions.join(','),
      '--s3-bucket',
      bucket,
    ]);
    expect(Object.values(again.json.regions).map((r) => r.status)).toEqual(['unchanged', 'unchanged']);
  });
});

describe('the publish-layer action against moto', () => {
  it('sets layer-arns and changed-regions, writes the job summary table, and fails the step if a Region failed', async () => {
    const zip = await buildZip('action', 'from the action\n');
    const n = `${id}-action`;
    const runAction = async (inputs: Record<string, string>) => {
      const dir = await mkdtemp(join(work, 'gh-'));
      const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary') };
      for (const f of Object.values(files)) await writeFile(f, '');
      let code = 0;
      let stdout = '';
      try {
        ({ stdout } = await run(
          process.execPath,
          ['--import', 'tsx', join(root, 'actions/publish-layer/main.ts')],
          {
            cwd: root,
            env: { ...process.env, ...files, ...inputs },
          },
        ));
      } catch (error) {
        const e = error as { code?: number; stdout?: string };
        code = e.code ?? -1;
        stdout = e.stdout ?? '';
      }
      const output = await readFile(files.GITHUB_OUTPUT, 'utf8');
      // @actions/core writes `name<<delimiter\nvalue\ndelimiter` blocks.
      const outputs: Record<string, string> = {};
      for (const m of output.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm))
        outputs[m[1] as string] = m[3] as string;
      return { code, stdout, outputs, summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8') };
    };

    const ok = await runAction({
      INPUT_ZIP: zip.zip,
      INPUT_NAME: n,
      INPUT_REGIONS: 'us-east-1\neu-west-1',
      INPUT_GRANTS: 'public',
    });
    expect(ok.code, ok.stdout).toBe(0);
    expect(JSON.parse(ok.outputs['layer-arns'] ?? '{}')).toEqual({
      'us-east-1': `arn:aws:lambda:us-east-1:123456789012:layer:${n}:1`,
      'eu-west-1': `arn:aws:lambda:eu-west-1:123456789012:layer:${n}:1`,
    });
    expect(ok.outputs['changed-regions']).toBe('us-east-1,eu-west-1');
    expect(ok.summary).toMatch(
      /<th>Region<\/th><th>Action<\/th><th>Version<\/th><th>ARN<\/th><th>Time<\/th>/,
    );
    expect(ok.summary).toMatch(/<td>eu-west-1<\/td><td>published<\/td><td>1<\/td>/);

    // Over 50 MB with no bucket: that Region fails, the step fails, the outputs are still set.
    const big = await buildZip('action-big', randomBytes(51 * 1024 * 1024));
    const failed = await runAction({ INPUT_ZIP: big.zip, INPUT_NAME: n, INPUT_REGIONS: 'us-east-1' });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/::error::/);
    expect(failed.outputs['layer-arns']).toBe('{}');
    expect(failed.summary).toMatch(/<td>us-east-1<\/td><td>failed<\/td>/);
    expect(await versionsIn('us-east-1', n)).toEqual([
      { version: 1, codeSha256: zip.sha, sids: ['deploykit-public'] },
    ]);
  });
});
