import type { ImageConfigJson, RegistryClient } from './registryClient.ts';
import { checkLambdaManifest, LAMBDA_MANIFEST_TYPES } from './registryClient.ts';

/** What the registry serves for a pushed image, and whether Lambda would accept it. */
export interface ImageVerification {
  ok: boolean;
  digest: string;
  mediaType: string;
  architecture?: string | undefined;
  os?: string | undefined;
  labels?: Record<string, string> | undefined;
  /** Why Lambda would reject it (only checked when `lambda` is set), or tags that disagree. */
  problems: string[];
}

/**
 * Reads a pushed image back from the registry: its manifest (by tag or digest) and, for a
 * single image manifest, its config. With `lambda`, applies Lambda's rules (single-platform
 * image manifest whose architecture matches the platform).
 */
export async function verifyImage(
  client: RegistryClient,
  target: { repository: string; reference: string; platform: string; lambda: boolean },
): Promise<ImageVerification> {
  const manifest = await client.getManifest(target.repository, target.reference);
  let config: ImageConfigJson | undefined;
  if (LAMBDA_MANIFEST_TYPES.includes(manifest.mediaType) && manifest.json.config?.digest) {
    const blob = await client.getBlob(target.repository, manifest.json.config.digest);
    config = JSON.parse(blob.toString('utf8')) as ImageConfigJson;
  }
  const check = target.lambda
    ? checkLambdaManifest(manifest, config, target.platform)
    : { ok: true, problems: [] };
  return {
    ok: check.ok,
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    architecture: config?.architecture,
    os: config?.os,
    labels: config?.config?.Labels ?? undefined,
    problems: check.problems,
  };
}
