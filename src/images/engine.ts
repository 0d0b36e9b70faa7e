import type Docker from 'dockerode';
import { ContainerEngineError } from '../core/errors.ts';
import type { Reporter } from '../core/reporter.ts';
import { type BuildContext, packBuildContext } from './buildContext.ts';
import { followEngineStream } from './engineStream.ts';
import { splitTag } from './tags.ts';

/** Credentials for a registry, in the shape the Docker Engine API takes them. */
export interface PushAuth {
  username: string;
  password: string;
  serveraddress: string;
}

export interface EngineBuildRequest {
  context: BuildContext;
  dockerfile: string;
  /** Fully qualified tags; the first is given to the build, the others added after. */
  tags: string[];
  platform: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  target?: string | undefined;
  noCache: boolean;
  /** Credentials the engine may use to pull base images (X-Registry-Config), by registry host. */
  registryAuth?: Record<string, { username: string; password: string }> | undefined;
}

export interface EngineBuildResult {
  imageId: string;
  /** Bytes of the tar sent to the engine (the build context after .dockerignore). */
  contextBytes: number;
  architecture: string;
  os: string;
  /** Size of the image as the engine reports it. */
  size: number;
  /** True when the build had to be repeated without cache to get the right platform. */
  rebuiltWithoutCache: boolean;
}

async function buildOnce(docker: Docker, request: EngineBuildRequest, noCache: boolean, reporter: Reporter) {
  const tar = packBuildContext(request.context);
  const stream = await docker
    .buildImage(tar.stream, {
      t: request.tags[0],
      dockerfile: request.dockerfile,
      buildargs: request.buildArgs,
      labels: request.labels,
      platform: request.platform,
      nocache: noCache,
      // Classic builder: podman's Docker API has no BuildKit session (version 2 is a 404).
      version: '1',
      rm: true,
      ...(request.registryAuth ? { registryconfig: request.registryAuth } : {}),
      ...(request.target ? { target: request.target } : {}),
    })
    .catch((error: unknown) => {
      throw new ContainerEngineError(`the engine refused the build: ${(error as Error).message}`, {
        cause: error,
      });
    });
  let imageId: string | undefined;
  await followEngineStream(stream, 'image build', (event) => {
    if (event.stream) {
      const line = event.stream.trimEnd();
      if (line) (/^STEP \d+\/\d+|^Step \d+\/\d+/.test(line) ? reporter.info : reporter.debug)(line);
    }
    if (event.status) reporter.debug(event.status);
    if (event.aux?.ID) imageId = event.aux.ID;
  });
  return { imageId, contextBytes: tar.bytes() };
}

/**
 * Builds the image through the Docker Engine API (podman or Docker), streaming the filtered
 * context, and tags it with every tag. Fails with the engine's message when the build stream
 * reports an error. Checks the built image's architecture: an engine may reuse a cached image
 * of another platform, in which case the build is repeated once without cache.
 */
export async function buildWithEngine(
  docker: Docker,
  request: EngineBuildRequest,
  reporter: Reporter,
): Promise<EngineBuildResult> {
  const first = request.tags[0];
  if (!first) throw new ContainerEngineError('no tag to build');
  const [, wantedArch] = request.platform.split('/');
  let attempt = await buildOnce(docker, request, request.noCache, reporter);
  let info = await docker.getImage(first).inspect();
  let rebuiltWithoutCache = false;
  if (info.Architecture !== wantedArch && !request.noCache) {
    reporter.warn(
      `the engine returned a ${info.Architecture} image for ${request.platform} (cached layers of another platform); building again without cache`,
    );
    attempt = await buildOnce(docker, request, true, reporter);
    info = await docker.getImage(first).inspect();
    rebuiltWithoutCache = true;
  }
  if (info.Architecture !== wantedArch) {
    throw new ContainerEngineError(
      `the engine built a ${info.Os}/${info.Architecture} image, not ${request.platform}`,
      {
        hint: 'check the base image exists for that platform',
      },
    );
  }
  for (const tag of request.tags.slice(1)) {
    const { name, tag: t } = splitTag(tag);
    await docker.getImage(first).tag({ repo: name, tag: t });
  }
  return {
    imageId: attempt.imageId ?? info.Id,
    contextBytes: attempt.contextBytes,
    architecture: info.Architecture,
    os: info.Os,
    size: info.Size,
    rebuiltWithoutCache,
  };
}

/** What one push reported. */
export interface PushResult {
  tag: string;
  /** The digest the engine printed, if it did (the registry's answer is what counts). */
  digest?: string | undefined;
}

/**
 * Pushes one fully qualified tag. `getImage(<repository>).push({ tag })` (not `repo:tag`),
 * because podman's Docker API refuses the latter; an error inside the progress stream fails
 * the push with the registry's message.
 */
export async function pushWithEngine(
  docker: Docker,
  ref: string,
  auth: PushAuth | undefined,
  reporter: Reporter,
): Promise<PushResult> {
  const { name, tag } = splitTag(ref);
  const stream = await docker
    .getImage(name)
    .push({ tag, ...(auth ? { authconfig: auth } : {}) })
    .catch((error: unknown) => {
      throw new ContainerEngineError(`the engine refused to push ${ref}: ${(error as Error).message}`, {
        cause: error,
      });
    });
  let digest: string | undefined;
  await followEngineStream(stream, `push of ${ref}`, (event) => {
    if (event.status) reporter.debug(event.id ? `${event.id}: ${event.status}` : event.status);
    const m = /digest: (sha256:[0-9a-f]{64})/.exec(event.status ?? '');
    if (m) digest = m[1];
    if (event.aux?.Digest) digest = event.aux.Digest;
  });
  return { tag: ref, digest };
}
