import { randomBytes } from 'node:crypto';
import { TarArchive } from 'archiver';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerSocketPath, type StackEnv, skopeoInspect, stackEnv } from './stack.ts';

/**
 * The container engine of the local stack as deploykit uses it: dockerode against podman's
 * Docker API builds a FROM-scratch image and pushes it to the htpasswd-protected registry; skopeo
 * reads back what the registry serves.
 */

interface ProgressEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Follows a build or push stream to its end. Podman reports failures as `error`/`errorDetail`
 * events while the callback error stays null, so every event is checked.
 */
function followProgress(docker: Docker, stream: NodeJS.ReadableStream): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, events: ProgressEvent[]) => {
      if (error) return reject(error);
      const failure = events.find((event) => event.error !== undefined || event.errorDetail !== undefined);
      if (failure) return reject(new Error(failure.errorDetail?.message ?? failure.error));
      resolve(events);
    });
  });
}

/** A build context with only a Dockerfile and hello.txt, as a tar stream. */
async function helloContext(): Promise<TarArchive> {
  const archive = new TarArchive();
  archive.append('FROM scratch\nCOPY hello.txt /hello.txt\n', { name: 'Dockerfile' });
  archive.append(`hello from deploykit ${randomBytes(4).toString('hex')}\n`, { name: 'hello.txt' });
  await archive.finalize();
  return archive;
}

let env: StackEnv;
let docker: Docker;
let repository: string;
const tag = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

beforeAll(() => {
  env = stackEnv();
  docker = new Docker({ socketPath: dockerSocketPath(env) });
  // Fully qualified: podman would prefix a short name with docker.io/.
  repository = `${env.DEPLOYKIT_AUTH_REGISTRY}/deploykit-test/hello`;
});

afterAll(async () => {
  // podman's vfs storage copies every layer: do not leave test images behind.
  await docker
    ?.getImage(`${repository}:${tag}`)
    .remove({ force: true })
    .catch(() => undefined);
});

describe('podman Docker API with the htpasswd registry', () => {
  it('builds a FROM-scratch image, pushes it with authconfig, and the registry serves its manifest', async () => {
    const build = await docker.buildImage(await helloContext(), { t: `${repository}:${tag}` });
    await followProgress(docker, build);

    const image = await docker.getImage(`${repository}:${tag}`).inspect();
    expect(image.RepoTags).toContain(`${repository}:${tag}`);

    // getImage('repo:tag').push() fails on podman: push the repository and name the tag.
    const push = await docker.getImage(repository).push({
      tag,
      authconfig: {
        username: env.DEPLOYKIT_AUTH_REGISTRY_USER,
        password: env.DEPLOYKIT_AUTH_REGISTRY_PASSWORD,
        serveraddress: env.DEPLOYKIT_AUTH_REGISTRY,
      },
    });
    await followProgress(docker, push);

    const creds = `${env.DEPLOYKIT_AUTH_REGISTRY_USER}:${env.DEPLOYKIT_AUTH_REGISTRY_PASSWORD}`;
    const manifest = (await skopeoInspect(`${repository}:${tag}`, { raw: true, creds })) as {
      schemaVersion?: number;
      mediaType?: string;
      layers?: { digest?: string; mediaType?: string }[];
    };
    expect(manifest.schemaVersion).toBe(2);
    expect(manifest.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(manifest.layers?.length).toBeGreaterThan(0);
    for (const layer of manifest.layers ?? []) expect(layer.digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const inspected = (await skopeoInspect(`${repository}:${tag}`, { creds })) as { Layers?: string[] };
    expect(inspected.Layers).toEqual(manifest.layers?.map((layer) => layer.digest));

    // The registry really is protected: the same read without credentials is refused.
    await expect(skopeoInspect(`${repository}:${tag}`, { raw: true })).rejects.toThrow(/unauthorized/i);
  });

  it('fails a push with a wrong password with the registry message from the progress stream', async () => {
    const push = await docker.getImage(repository).push({
      tag,
      authconfig: {
        username: env.DEPLOYKIT_AUTH_REGISTRY_USER,
        password: `wrong-${randomBytes(4).toString('hex')}`,
        serveraddress: env.DEPLOYKIT_AUTH_REGISTRY,
      },
    });
    await expect(followProgress(docker, push)).rejects.toThrow(/unauthorized: authentication required/);
  });
});
