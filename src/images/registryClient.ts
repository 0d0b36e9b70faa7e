import { createHash } from 'node:crypto';
import { ContainerEngineError, EnvironmentError } from '../core/errors.ts';

/**
 * A small client of the Registry HTTP API v2 (distribution spec): enough to read back what was
 * pushed (manifest and config) with the same credentials the push used.
 */

export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

/** The single-platform image manifest types Lambda accepts. */
export const LAMBDA_MANIFEST_TYPES: readonly string[] = [MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociManifest];
const INDEX_TYPES: readonly string[] = [MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociIndex];

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface FetchedManifest {
  mediaType: string;
  /** The registry's Docker-Content-Digest, else the sha256 of the bytes it served. */
  digest: string;
  json: ManifestJson;
  bytes: Buffer;
}

export interface ManifestJson {
  schemaVersion?: number;
  mediaType?: string;
  config?: { mediaType?: string; digest: string; size?: number };
  layers?: { mediaType?: string; digest: string; size?: number }[];
  manifests?: { mediaType?: string; digest: string; platform?: { architecture?: string; os?: string } }[];
}

export interface ImageConfigJson {
  architecture?: string;
  os?: string;
  config?: { Labels?: Record<string, string> | null; Cmd?: string[] | null; Env?: string[] | null };
}

export interface RegistryClient {
  readonly baseUrl: string;
  getManifest(repository: string, reference: string): Promise<FetchedManifest>;
  getBlob(repository: string, digest: string): Promise<Buffer>;
}

/** Plain HTTP only for loopback registries (the local stack); HTTPS everywhere else. */
export function registryBaseUrl(host: string): string {
  const hostname = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const loopback = hostname === 'localhost' || hostname === '::1' || /^127\./.test(hostname);
  return `${loopback ? 'http' : 'https'}://${host}`;
}

/** Reads `Bearer realm="…",service="…",scope="…"` into its parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g))
    params[m[1] as string] = m[2] as string;
  return { scheme, params };
}

export function createRegistryClient(options: {
  host: string;
  credentials?: RegistryCredentials | undefined;
  fetch?: typeof fetch;
}): RegistryClient {
  const doFetch = options.fetch ?? fetch;
  const baseUrl = registryBaseUrl(options.host);
  const basic = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`
    : undefined;
  let authorization = basic;

  const request = async (path: string, accept: string): Promise<Response> => {
    const url = `${baseUrl}${path}`;
    const send = () =>
      doFetch(url, {
        headers: { accept, ...(authorization ? { authorization } : {}) },
        redirect: 'follow',
      }).catch((error: unknown) => {
        throw new EnvironmentError(
          `could not reach the registry at ${baseUrl}: ${(error as Error).message}`,
          {
            hint: 'check --registry and that the registry is running',
            cause: error,
          },
        );
      });
    let response = await send();
    const challenge = response.headers.get('www-authenticate');
    if (response.status === 401 && challenge && parseChallenge(challenge).scheme === 'bearer') {
      // Token auth (Docker Hub, GHCR, ...): trade the basic credentials for a bearer token.
      const { params } = parseChallenge(challenge);
      if (params.realm) {
        const tokenUrl = new URL(params.realm);
        if (params.service) tokenUrl.searchParams.set('service', params.service);
        if (params.scope) tokenUrl.searchParams.set('scope', params.scope);
        const tokenResponse = await doFetch(tokenUrl, { headers: basic ? { authorization: basic } : {} });
        if (tokenResponse.ok) {
          const body = (await tokenResponse.json()) as { token?: string; access_token?: string };
          const token = body.token ?? body.access_token;
          if (token) {
            authorization = `Bearer ${token}`;
            response = await send();
          }
        }
      }
    }
    return response;
  };

  const failure = async (response: Response, what: string) => {
    const text = await response.text().catch(() => '');
    let message = text.trim();
    try {
      const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      if (body.errors?.length)
        message = body.errors.map((e) => `${e.code ?? ''}: ${e.message ?? ''}`).join('; ');
    } catch {
      // Not JSON: keep the text.
    }
    return new ContainerEngineError(
      `reading ${what} from ${baseUrl} failed: HTTP ${response.status} ${message}`.trim(),
    );
  };

  return {
    baseUrl,
    async getManifest(repository, reference) {
      const accept = [
        MEDIA_TYPES.dockerManifest,
        MEDIA_TYPES.ociManifest,
        MEDIA_TYPES.dockerManifestList,
        MEDIA_TYPES.ociIndex,
      ].join(', ');
      const response = await request(`/v2/${repository}/manifests/${reference}`, accept);
      if (!response.ok) throw await failure(response, `the manifest of ${repository}:${reference}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      const json = JSON.parse(bytes.toString('utf8')) as ManifestJson;
      const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
      const digest =
        response.headers.get('docker-content-digest') ??
        `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      return { mediaType: json.mediaType ?? contentType, digest, json, bytes };
    },
    async getBlob(repository, digest) {
      const response = await request(`/v2/${repository}/blobs/${digest}`, '*/*');
      if (!response.ok) throw await failure(response, `blob ${digest} of ${repository}`);
      return Buffer.from(await response.arrayBuffer());
    },
  };
}

export interface LambdaCheck {
  ok: boolean;
  /** Why Lambda would reject the image (empty when ok). */
  problems: string[];
}

/**
 * Checks what Lambda checks when it creates or updates a function from an image: one
 * single-platform image manifest (Docker v2 schema 2 or OCI), whose config is for Linux on the
 * function's architecture. An index or manifest list — usually the provenance/attestation index
 * that buildx adds — makes Lambda fail with "image manifest media type is not supported".
 */
export function checkLambdaManifest(
  manifest: FetchedManifest,
  config: ImageConfigJson | undefined,
  platform: string,
): LambdaCheck {
  const problems: string[] = [];
  if (INDEX_TYPES.includes(manifest.mediaType) || manifest.json.manifests) {
    const platforms = (manifest.json.manifests ?? [])
      .map((m) => `${m.platform?.os ?? '?'}/${m.platform?.architecture ?? '?'}`)
      .join(', ');
    problems.push(
      `the tag points to an image index (${manifest.mediaType}${platforms ? `: ${platforms}` : ''}), not a single image manifest; ` +
        'Lambda rejects it with "The image manifest, config or layer media type for the source image is not supported". ' +
        'Indexes usually come from buildx provenance/SBOM attestations (--provenance=false --sbom=false) or multi-platform builds: push one platform per tag',
    );
    return { ok: false, problems };
  }
  if (!LAMBDA_MANIFEST_TYPES.includes(manifest.mediaType)) {
    problems.push(
      `the manifest media type '${manifest.mediaType}' is not one Lambda accepts (${LAMBDA_MANIFEST_TYPES.join(' or ')})`,
    );
  }
  const [os, arch] = platform.split('/');
  if (!config) {
    problems.push('the manifest has no image config, so Lambda cannot read its architecture');
  } else {
    if (config.os !== os)
      problems.push(`the image is for OS '${config.os ?? 'unknown'}', but Lambda runs '${os}'`);
    if (config.architecture !== arch) {
      problems.push(
        `the image is for architecture '${config.architecture ?? 'unknown'}', but --platform is ${platform}: a function with architecture ${arch === 'arm64' ? 'arm64' : 'x86_64'} would fail to start`,
      );
    }
  }
  return { ok: problems.length === 0, problems };
}
