import type { ECRClient } from '@aws-sdk/client-ecr';
import type { Outcome, Reporter } from '../core/reporter.ts';
import { loginToEcr } from './ecrRepository.ts';
import { registryCredentialsFromEnv } from './imageBuild.ts';
import type { ImageVerifyOptions } from './options.ts';
import { createRegistryClient, type RegistryCredentials } from './registryClient.ts';
import { verifyImage } from './verifyImage.ts';

export interface ImageVerifyDeps {
  ecr: (region: string) => ECRClient;
  reporter: Reporter;
  region: string | undefined;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com` → the Region; undefined for any other host. */
export function ecrRegionOf(host: string): string | undefined {
  return /^\d{12}\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1];
}

/** Splits `host/repo:tag` or `host/repo@sha256:…` into its parts. */
export function parseReference(image: string): { host: string; repository: string; reference: string } {
  const slash = image.indexOf('/');
  const host = image.slice(0, slash);
  const rest = image.slice(slash + 1);
  const at = rest.indexOf('@');
  if (at >= 0) return { host, repository: rest.slice(0, at), reference: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  return { host, repository: rest.slice(0, colon), reference: rest.slice(colon + 1) };
}

/**
 * `deploykit image verify`: reads an image (built anywhere, e.g. by buildx) back from its
 * registry and checks Lambda would accept it. ECR hosts log in with GetAuthorizationToken;
 * other registries use DEPLOYKIT_REGISTRY_USERNAME / _PASSWORD when set.
 */
export async function runImageVerify(deps: ImageVerifyDeps, o: ImageVerifyOptions): Promise<Outcome> {
  const { host, repository, reference } = parseReference(o.image);
  const ecrRegion = ecrRegionOf(host);
  let credentials: RegistryCredentials | undefined;
  if (ecrRegion) {
    const login = await loginToEcr(deps.ecr(ecrRegion), ecrRegion, deps.reporter);
    credentials = { username: login.username, password: login.password };
  } else {
    credentials = registryCredentialsFromEnv(deps.env ?? process.env, deps.reporter);
  }
  const client = createRegistryClient({ host, credentials, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  const v = await verifyImage(client, { repository, reference, platform: o.platform, lambda: true });
  const uri = `${host}/${repository}@${v.digest}`;
  for (const p of v.problems) deps.reporter.error(p);
  return {
    ok: v.ok,
    table: {
      title: `image verify ${o.image}`,
      columns: ['Image', 'Manifest', 'Platform', 'Lambda'],
      rows: [
        [
          uri,
          v.mediaType,
          v.architecture ? `${v.os}/${v.architecture}` : '-',
          v.ok ? 'accepted' : 'REJECTED',
        ],
      ],
    },
    json: { imageUri: uri, ...v },
    outputs: { 'image-uri': uri, digest: v.digest },
    notes: v.problems.map((p) => `Lambda would reject this image: ${p}`),
  };
}
