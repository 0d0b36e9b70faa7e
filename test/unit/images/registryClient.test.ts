import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkLambdaManifest,
  createRegistryClient,
  type FetchedManifest,
  MEDIA_TYPES,
  parseChallenge,
  registryBaseUrl,
} from '../../../src/images/registryClient.ts';

const manifestOf = (mediaType: string, extra: object = {}): FetchedManifest => {
  const json = { schemaVersion: 2, mediaType, ...extra };
  return { mediaType, digest: 'sha256:x', json, bytes: Buffer.from(JSON.stringify(json)) };
};
const amd64 = { architecture: 'amd64', os: 'linux' };

describe('checkLambdaManifest', () => {
  it('accepts a Docker v2 schema 2 or OCI image manifest of the right architecture', () => {
    expect(checkLambdaManifest(manifestOf(MEDIA_TYPES.dockerManifest), amd64, 'linux/amd64')).toEqual({
      ok: true,
      problems: [],
    });
    expect(
      checkLambdaManifest(
        manifestOf(MEDIA_TYPES.ociManifest),
        { architecture: 'arm64', os: 'linux' },
        'linux/arm64',
      ).ok,
    ).toBe(true);
  });

  it('rejects an OCI index (a buildx provenance index) and says why Lambda would', () => {
    const index = manifestOf(MEDIA_TYPES.ociIndex, {
      manifests: [
        { digest: 'sha256:a', platform: { os: 'linux', architecture: 'amd64' } },
        { digest: 'sha256:b', platform: { os: 'unknown', architecture: 'unknown' } },
      ],
    });
    const check = checkLambdaManifest(index, undefined, 'linux/amd64');
    expect(check.ok).toBe(false);
    expect(check.problems[0]).toMatch(/image index .*linux\/amd64, unknown\/unknown/);
    expect(check.problems[0]).toMatch(/media type for the source image is not supported/);
    expect(check.problems[0]).toMatch(/provenance/);
  });

  it('rejects a Docker manifest list', () => {
    expect(
      checkLambdaManifest(
        manifestOf(MEDIA_TYPES.dockerManifestList, { manifests: [] }),
        undefined,
        'linux/amd64',
      ).ok,
    ).toBe(false);
  });

  it('rejects an image of another architecture', () => {
    const check = checkLambdaManifest(
      manifestOf(MEDIA_TYPES.dockerManifest),
      { architecture: 'arm64', os: 'linux' },
      'linux/amd64',
    );
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([
      expect.stringMatching(/architecture 'arm64', but --platform is linux\/amd64/),
    ]);
  });
});

describe('registryBaseUrl', () => {
  it('uses HTTP only for loopback', () => {
    expect(registryBaseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(registryBaseUrl('localhost:5000')).toBe('http://localhost:5000');
    expect(registryBaseUrl('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toBe(
      'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    );
  });
});

describe('createRegistryClient', () => {
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.dockerManifest,
    config: { digest: 'sha256:c' },
    layers: [],
  });

  it('asks for every manifest type, sends basic auth, and takes the digest from the registry', async () => {
    const requests: { url: string; headers: Record<string, string> }[] = [];
    const fake = (async (url: string, init: { headers: Record<string, string> }) => {
      requests.push({ url: String(url), headers: init.headers });
      return new Response(body, {
        headers: {
          'content-type': MEDIA_TYPES.dockerManifest,
          'docker-content-digest': 'sha256:fromregistry',
        },
      });
    }) as unknown as typeof fetch;
    const client = createRegistryClient({
      host: '127.0.0.1:5000',
      credentials: { username: 'u', password: 'p' },
      fetch: fake,
    });
    const m = await client.getManifest('team/app', 'v1');
    expect(requests[0]?.url).toBe('http://127.0.0.1:5000/v2/team/app/manifests/v1');
    for (const t of Object.values(MEDIA_TYPES)) expect(requests[0]?.headers.accept).toContain(t);
    expect(requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(m).toMatchObject({ mediaType: MEDIA_TYPES.dockerManifest, digest: 'sha256:fromregistry' });
  });

  it('computes the sha256 of the manifest bytes when the registry sends no digest', async () => {
    const fake = (async () => new Response(body)) as unknown as typeof fetch;
    const m = await createRegistryClient({ host: 'r.example.com', fetch: fake }).getManifest('a', 'b');
    expect(m.digest).toBe(`sha256:${createHash('sha256').update(body).digest('hex')}`);
  });

  it('trades basic credentials for a bearer token when the registry challenges for one', async () => {
    const seen: string[] = [];
    const fake = (async (url: string | URL, init?: { headers?: Record<string, string> }) => {
      const u = String(url);
      seen.push(`${u} ${init?.headers?.authorization ?? '-'}`);
      if (u.startsWith('https://auth.example.com/token')) return Response.json({ token: 'tok' });
      if (init?.headers?.authorization === 'Bearer tok') return new Response(body);
      return new Response('{}', {
        status: 401,
        headers: {
          'www-authenticate':
            'Bearer realm="https://auth.example.com/token",service="reg",scope="repository:a:pull"',
        },
      });
    }) as unknown as typeof fetch;
    const m = await createRegistryClient({
      host: 'r.example.com',
      credentials: { username: 'u', password: 'p' },
      fetch: fake,
    }).getManifest('a', 'v1');
    expect(m.mediaType).toBe(MEDIA_TYPES.dockerManifest);
    expect(seen[1]).toMatch(
      /^https:\/\/auth\.example\.com\/token\?service=reg&scope=repository%3Aa%3Apull Basic /,
    );
  });

  it("fails with the registry's error code and message", async () => {
    const fake = (async () =>
      Response.json(
        { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] },
        { status: 404 },
      )) as unknown as typeof fetch;
    await expect(
      createRegistryClient({ host: '127.0.0.1:1', fetch: fake }).getManifest('a', 'v1'),
    ).rejects.toThrow(/HTTP 404 MANIFEST_UNKNOWN: manifest unknown/);
  });

  it('parses a challenge header', () => {
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry Realm' },
    });
  });
});
