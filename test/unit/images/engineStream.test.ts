import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { ContainerEngineError } from '../../../src/core/errors.ts';
import { createMemoryReporter } from '../../../src/core/reporter.ts';
import { collectBuildContext } from '../../../src/images/buildContext.ts';
import { buildWithEngine, pushWithEngine } from '../../../src/images/engine.ts';
import { followEngineStream } from '../../../src/images/engineStream.ts';

const lines = (...events: unknown[]) => events.map((e) => `${JSON.stringify(e)}\n`);

describe('followEngineStream', () => {
  it('fails with the engine message of an errorDetail event, after reading the whole stream', async () => {
    const seen: unknown[] = [];
    const stream = Readable.from(
      lines(
        { stream: 'STEP 1/2: FROM scratch\n' },
        { errorDetail: { message: 'COPY failed: no such file' }, error: 'COPY failed' },
        { stream: 'after' },
      ),
    );
    await expect(followEngineStream(stream, 'image build', (e) => seen.push(e))).rejects.toThrow(
      new ContainerEngineError('image build failed: COPY failed: no such file'),
    );
    expect(seen).toHaveLength(3);
  });

  it('fails on a bare error event too', async () => {
    await expect(followEngineStream(Readable.from(lines({ error: 'denied' })), 'push')).rejects.toThrow(
      'push failed: denied',
    );
  });

  it('joins messages split across chunks and splits messages run together', async () => {
    const whole = '{"stream":"a"}\n{"aux":{"ID":"sha256:1"}}{"stream":"b"}\n{"status":"c"}';
    const chunks = [whole.slice(0, 7), whole.slice(7, 30), whole.slice(30)];
    const events = await followEngineStream(Readable.from(chunks), 'build');
    expect(events).toEqual([{ stream: 'a' }, { aux: { ID: 'sha256:1' } }, { stream: 'b' }, { status: 'c' }]);
  });
});

function fakeDocker(options: { build: string[]; push?: string[]; architecture?: string }) {
  const calls: { build: unknown[]; push: unknown[]; tag: unknown[] } = { build: [], push: [], tag: [] };
  const docker = {
    buildImage: async (stream: NodeJS.ReadableStream, opts: unknown) => {
      calls.build.push(opts);
      for await (const _ of stream as AsyncIterable<unknown>) {
        // drain the context like the engine does
      }
      return Readable.from(options.build);
    },
    getImage: (name: string) => ({
      inspect: async () => ({
        Id: 'sha256:abc',
        Architecture: options.architecture ?? 'amd64',
        Os: 'linux',
        Size: 10,
      }),
      tag: async (o: unknown) => calls.tag.push({ name, ...(o as object) }),
      push: async (o: unknown) => {
        calls.push.push({ name, ...(o as object) });
        return Readable.from(options.push ?? []);
      },
    }),
  };
  return { docker: docker as unknown as Docker, calls };
}

async function context() {
  const root = mkdtempSync(join(tmpdir(), 'dk-eng-'));
  writeFileSync(join(root, 'Dockerfile'), 'FROM scratch\n');
  return collectBuildContext(root, 'Dockerfile');
}

describe('buildWithEngine', () => {
  const request = async (tags: string[]) => ({
    context: await context(),
    dockerfile: 'Dockerfile',
    tags,
    platform: 'linux/amd64',
    buildArgs: { A: '1' },
    labels: { l: 'v' },
    noCache: false,
  });

  it('fails the build with the message of an errorDetail inside the stream', async () => {
    const { docker } = fakeDocker({
      build: lines({ stream: 'STEP 1/1\n' }, { errorDetail: { message: 'base image not found' } }),
    });
    await expect(
      buildWithEngine(docker, await request(['r:5000/a:1']), createMemoryReporter()),
    ).rejects.toThrow(/image build failed: base image not found/);
  });

  it('builds with the classic builder, the first tag, then adds the other tags', async () => {
    const { docker, calls } = fakeDocker({ build: lines({ stream: 'ok\n' }, { aux: { ID: 'sha256:abc' } }) });
    const result = await buildWithEngine(
      docker,
      await request(['r:5000/a:1', 'r:5000/a:latest']),
      createMemoryReporter(),
    );
    expect(calls.build[0]).toMatchObject({
      t: 'r:5000/a:1',
      version: '1',
      platform: 'linux/amd64',
      buildargs: { A: '1' },
      labels: { l: 'v' },
    });
    expect(calls.tag).toEqual([{ name: 'r:5000/a:1', repo: 'r:5000/a', tag: 'latest' }]);
    expect(result.imageId).toBe('sha256:abc');
    expect(result.contextBytes).toBeGreaterThan(0);
  });

  it('builds again without cache when the engine returns an image of another platform, then fails if it still does', async () => {
    const { docker, calls } = fakeDocker({ build: lines({ stream: 'ok\n' }), architecture: 'arm64' });
    await expect(
      buildWithEngine(docker, await request(['r:5000/a:1']), createMemoryReporter()),
    ).rejects.toThrow(/built a linux\/arm64 image, not linux\/amd64/);
    expect(calls.build.map((b) => (b as { nocache: boolean }).nocache)).toEqual([false, true]);
  });
});

describe('pushWithEngine', () => {
  it('pushes <repository> with the tag option and the credentials', async () => {
    const { docker, calls } = fakeDocker({
      build: [],
      push: lines({ status: `v1: digest: sha256:${'a'.repeat(64)} size: 1` }),
    });
    const auth = { username: 'u', password: 'p', serveraddress: 'r:5000' };
    const result = await pushWithEngine(docker, 'r:5000/team/app:v1', auth, createMemoryReporter());
    expect(calls.push).toEqual([{ name: 'r:5000/team/app', tag: 'v1', authconfig: auth }]);
    expect(result.digest).toBe(`sha256:${'a'.repeat(64)}`);
  });

  it("fails with the registry's message from an errorDetail event (the callback error is null)", async () => {
    const { docker } = fakeDocker({
      build: [],
      push: lines(
        { status: 'The push refers to repository' },
        { errorDetail: { message: 'unauthorized: authentication required' }, error: 'x' },
      ),
    });
    await expect(pushWithEngine(docker, 'r:5000/app:v1', undefined, createMemoryReporter())).rejects.toThrow(
      'push of r:5000/app:v1 failed: unauthorized: authentication required',
    );
  });
});
