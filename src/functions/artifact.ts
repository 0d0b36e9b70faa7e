import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import {
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { toAwsCallError } from '../aws/awsErrors.ts';
import { ArtifactError, InputError } from '../core/errors.ts';
import { codeSha256Of, formatBytes, MAX_DIRECT_UPLOAD_BYTES } from '../core/lambdaPackage.ts';
import { errorNameOf } from '../core/retry.ts';

/**
 * What a deploy uploads, resolved before anything in Lambda is touched: a zip's bytes and
 * CodeSha256, an S3 object's CodeSha256, or an image pinned to its digest.
 */
export type ResolvedCode =
  | { kind: 'zip'; bytes: Uint8Array; codeSha256: string; source: string }
  | { kind: 's3'; bucket: string; key: string; codeSha256: string; source: string }
  | { kind: 'image'; imageUri: string; digest: string; source: string };

function isZip(bytes: Uint8Array): boolean {
  // Local file header, or the end-of-central-directory record of an empty archive.
  return bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05);
}

/** Checks a package given as bytes (a file or a CodePipeline artifact). */
export function zipCode(bytes: Uint8Array, source: string): ResolvedCode {
  if (bytes.length > MAX_DIRECT_UPLOAD_BYTES) {
    throw new ArtifactError(
      `${source} is ${formatBytes(bytes.length)}, over the 50 MB Lambda accepts as a direct upload`,
      { hint: 'upload it to S3 and deploy with --s3 s3://bucket/key' },
    );
  }
  if (!isZip(bytes)) {
    throw new ArtifactError(`${source} is not a zip archive`, {
      hint: 'give the deployment package (.zip) of the function',
    });
  }
  return { kind: 'zip', bytes, codeSha256: codeSha256Of(bytes), source };
}

export async function readZip(path: string): Promise<ResolvedCode> {
  try {
    const info = await stat(path);
    if (info.size > MAX_DIRECT_UPLOAD_BYTES) return zipCode(new Uint8Array(info.size), path);
    return zipCode(await readFile(path), path);
  } catch (error) {
    if (error instanceof ArtifactError) throw error;
    throw new ArtifactError(`Cannot read the zip ${path}: ${(error as Error).message}`, {
      hint: 'check the --zip path',
      cause: error,
    });
  }
}

/**
 * The CodeSha256 of an S3 object: S3's own full-object SHA-256 checksum when the object has
 * one (no download), else the hash of its bytes, streamed.
 */
export async function resolveS3Code(
  s3: S3Client,
  bucket: string,
  key: string,
  region: string,
): Promise<ResolvedCode> {
  const source = `s3://${bucket}/${key}`;
  const fail = (error: unknown, operation: string): never => {
    const name = errorNameOf(error);
    if (name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket') {
      throw new ArtifactError(`${source} does not exist (${name})`, {
        hint: 'check the bucket, the key and --region (Lambda reads the object from the same Region)',
        cause: error,
      });
    }
    throw toAwsCallError(error, { service: 'S3', operation, region });
  };
  let head: HeadObjectCommandOutput;
  try {
    head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
  } catch (error) {
    return fail(error, 'HeadObject');
  }
  if (head.ChecksumSHA256 && head.ChecksumType !== 'COMPOSITE' && !head.ChecksumSHA256.includes('-')) {
    return { kind: 's3', bucket, key, codeSha256: head.ChecksumSHA256, source };
  }
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const hash = createHash('sha256');
    for await (const chunk of res.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
    return { kind: 's3', bucket, key, codeSha256: hash.digest('base64'), source };
  } catch (error) {
    return fail(error, 'GetObject');
  }
}

export interface ImageRef {
  registryId: string;
  region: string;
  /** `ACCOUNT.dkr.ecr.REGION.amazonaws.com/repo` */
  repositoryUri: string;
  repositoryName: string;
  tag?: string;
  digest?: string;
}

const ECR_IMAGE =
  /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com(?:\.cn)?\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(?::([\w][\w.-]{0,127})|@(sha256:[0-9a-f]{64}))?$/;

/** Parses an Amazon ECR image URI; Lambda runs images from ECR only. */
export function parseImageUri(uri: string, input = 'image-uri'): ImageRef {
  if (/\.dkr\.ecr-fips\./.test(uri)) {
    throw InputError.single(
      input,
      `has '${uri}', an ECR FIPS endpoint, which Lambda does not accept for images: write the same image as ACCOUNT.dkr.ecr.REGION.amazonaws.com/...`,
    );
  }
  const m = ECR_IMAGE.exec(uri.trim());
  if (!m) {
    throw InputError.single(
      input,
      `has '${uri}', which is not an Amazon ECR image URI: Lambda runs images from ECR only; write it as ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG or @sha256:DIGEST`,
    );
  }
  const [, registryId, region, repositoryName, tag, digest] = m as unknown as [
    string,
    string,
    string,
    string,
    string?,
    string?,
  ];
  const host = uri.trim().slice(0, uri.trim().indexOf('/'));
  return {
    registryId,
    region,
    repositoryName,
    repositoryUri: `${host}/${repositoryName}`,
    ...(digest ? { digest } : { tag: tag ?? 'latest' }),
  };
}

/**
 * Pins an image to its digest with ECR DescribeImages, so a deploy runs exactly what was built
 * (a tag can move between the plan and the deploy; a digest cannot). A digest given by the user
 * is checked to exist, so a typo fails here and not inside Lambda.
 */
export async function resolveImage(ecr: (region: string) => ECRClient, uri: string): Promise<ResolvedCode> {
  const ref = parseImageUri(uri);
  const imageId = ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag as string };
  try {
    const res = await ecr(ref.region).send(
      new DescribeImagesCommand({
        registryId: ref.registryId,
        repositoryName: ref.repositoryName,
        imageIds: [imageId],
      }),
    );
    const digest = res.imageDetails?.[0]?.imageDigest;
    if (!digest) throw new ArtifactError(`ECR returned no digest for ${uri}`);
    return { kind: 'image', imageUri: `${ref.repositoryUri}@${digest}`, digest, source: uri };
  } catch (error) {
    if (error instanceof ArtifactError) throw error;
    const name = errorNameOf(error);
    if (name === 'ImageNotFoundException') {
      throw new ArtifactError(
        `Image ${ref.digest ?? `tag '${ref.tag}'`} is not in ECR repository ${ref.repositoryName} (${ref.region})`,
        { hint: 'push the image first, or check the tag or digest in --image-uri', cause: error },
      );
    }
    if (name === 'RepositoryNotFoundException') {
      throw new ArtifactError(
        `ECR repository ${ref.repositoryName} does not exist in ${ref.region} (registry ${ref.registryId})`,
        {
          hint: 'check the repository name, account and Region in --image-uri',
          cause: error,
        },
      );
    }
    throw toAwsCallError(error, { service: 'ECR', operation: 'DescribeImages', region: ref.region });
  }
}

/** The digest the function runs now, from GetFunction's Code (image functions only). */
export function currentImageDigest(
  code: { ImageUri?: string | undefined; ResolvedImageUri?: string | undefined } | undefined,
): string | undefined {
  // ImageUri is what the last deploy passed; deploykit always passes repo@sha256:..., so its
  // digest is exact. ResolvedImageUri is Lambda's own pin of a tag to a digest.
  for (const uri of [code?.ImageUri, code?.ResolvedImageUri]) {
    const m = /@(sha256:[0-9a-f]{64})$/.exec(uri ?? '');
    if (m) return m[1];
  }
  return undefined;
}
