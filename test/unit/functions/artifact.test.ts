import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ArtifactError, InputError } from '../../../src/core/errors.ts';
import { parseInput } from '../../../src/core/input.ts';
import { codeSha256Of, MAX_DIRECT_UPLOAD_BYTES } from '../../../src/core/lambdaPackage.ts';
import {
  currentImageDigest,
  parseImageUri,
  resolveImage,
  resolveS3Code,
  zipCode,
} from '../../../src/functions/artifact.ts';
import { deployOptionsSchema, gateParamsSchema, waitOptionsSchema } from '../../../src/functions/options.ts';
import { awsError } from './fakeTime.ts';

const ecr = new ECRClient({ region: 'eu-west-1' });
const mock = mockClient(ecr);
beforeEach(() => mock.reset());
const DIGEST = `sha256:${'b'.repeat(64)}`;
const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/orders';

describe('CodeSha256', () => {
  it("is Lambda's: base64 of the SHA-256 of the package", () => {
    expect(codeSha256Of(Buffer.from('hello'))).toBe('LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=');
  });

  it('refuses a file that is not a zip, and a zip over the 50 MB direct-upload limit', () => {
    expect(() => zipCode(Buffer.from('not a zip'), 'x.txt')).toThrow(/x.txt is not a zip archive/);
    const big = new Uint8Array(MAX_DIRECT_UPLOAD_BYTES + 1);
    expect(() => zipCode(big, 'big.zip')).toThrow(ArtifactError);
    expect(() => zipCode(big, 'big.zip')).toThrow(/over the 50 MB/);
  });
});

describe('image references', () => {
  it('parses ECR URIs by tag (default latest) and by digest', () => {
    expect(parseImageUri(`${REPO}:v1`)).toMatchObject({
      registryId: '123456789012',
      region: 'eu-west-1',
      repositoryName: 'team/orders',
      tag: 'v1',
    });
    expect(parseImageUri(REPO).tag).toBe('latest');
    expect(parseImageUri(`${REPO}@${DIGEST}`)).toMatchObject({ digest: DIGEST });
  });

  it('refuses an image outside ECR with a message that says how to write it', () => {
    expect(() => parseImageUri('docker.io/library/node:20')).toThrow(InputError);
    expect(() => parseImageUri('123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/orders:v1')).toThrow(
      /ECR FIPS endpoint, which Lambda does not accept/,
    );
    expect(() => parseImageUri('docker.io/library/node:20')).toThrow(
      /'image-uri' has 'docker.io\/library\/node:20', which is not an Amazon ECR image URI/,
    );
  });

  it('resolves a tag to its digest with DescribeImages, so the deploy uses repo@sha256', async () => {
    mock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    const code = await resolveImage(() => ecr, `${REPO}:v1`);
    expect(code).toMatchObject({ kind: 'image', imageUri: `${REPO}@${DIGEST}`, digest: DIGEST });
    expect(mock.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual({
      registryId: '123456789012',
      repositoryName: 'team/orders',
      imageIds: [{ imageTag: 'v1' }],
    });
  });

  it('says which tag is missing from which repository', async () => {
    mock.on(DescribeImagesCommand).rejects(awsError('ImageNotFoundException', 'not found'));
    await expect(resolveImage(() => ecr, `${REPO}:v9`)).rejects.toThrow(
      /Image tag 'v9' is not in ECR repository team\/orders \(eu-west-1\)/,
    );
  });

  it("reads the running digest from GetFunction's Code", () => {
    expect(currentImageDigest({ ImageUri: `${REPO}@${DIGEST}` })).toBe(DIGEST);
    expect(currentImageDigest({ ImageUri: `${REPO}:v1`, ResolvedImageUri: `${REPO}@${DIGEST}` })).toBe(
      DIGEST,
    );
    expect(currentImageDigest({ ImageUri: `${REPO}:v1` })).toBeUndefined();
  });
});

describe('options', () => {
  it('wants exactly one code source, and collects every problem with flag names', () => {
    const error = (() => {
      try {
        parseInput(
          deployOptionsSchema,
          { function: 'bad name!', zip: 'a.zip', s3: 's3://b/k', region: 'eu-west-9' },
          'flag',
        );
      } catch (e) {
        return e as InputError;
      }
      throw new Error('expected an InputError');
    })();
    const inputs = error.problems.map((p) => p.input);
    expect(inputs).toEqual(expect.arrayContaining(['--function', '--region']));
    expect(error.message).toMatch(/'--function' has 'bad name!', which is not a Lambda function name/);
  });

  it('reports a missing source and a bad timeout together', () => {
    let message = '';
    try {
      parseInput(deployOptionsSchema, { function: 'orders', timeout: 'soon' }, 'flag');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^2 problems with the input/);
    expect(message).toContain(
      "'--image-uri' is required: give exactly one code source (an image URI, a zip file, an S3 object)",
    );
    expect(message).toContain("'--timeout' has 'soon', which is not a duration");
  });

  it('splits a function list and defaults the timeout to 15 minutes', () => {
    expect(parseInput(waitOptionsSchema, { function: 'a, b' }, 'flag')).toEqual({
      function: ['a', 'b'],
      timeout: 900_000,
    });
  });

  it('takes one function when the handler deploys', () => {
    expect(() =>
      parseInput(gateParamsSchema, { function: 'a,b', deploy: { artifact: true } }, 'json'),
    ).toThrow(/'function' names one function when deploy is given/);
  });
});

describe('S3 packages', () => {
  const s3 = new S3Client({ region: 'eu-west-1' });
  const s3Mock = mockClient(s3);
  beforeEach(() => s3Mock.reset());

  it("uses S3's full-object SHA-256 checksum when the object has one, without downloading it", async () => {
    s3Mock.on(HeadObjectCommand).resolves({ ChecksumSHA256: 'abc=', ChecksumType: 'FULL_OBJECT' });
    const code = await resolveS3Code(s3, 'b', 'k.zip', 'eu-west-1');
    expect(code).toMatchObject({ kind: 's3', codeSha256: 'abc=' });
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('hashes the bytes when the checksum is missing or composite (multipart)', async () => {
    s3Mock.on(HeadObjectCommand).resolves({ ChecksumSHA256: 'xyz=-3', ChecksumType: 'COMPOSITE' });
    const body = (async function* () {
      yield Buffer.from('hel');
      yield Buffer.from('lo');
    })();
    s3Mock.on(GetObjectCommand).resolves({ Body: body } as never);
    const code = await resolveS3Code(s3, 'b', 'k.zip', 'eu-west-1');
    expect(code).toMatchObject({ codeSha256: codeSha256Of(Buffer.from('hello')) });
  });
});
