/**
 * bench/image: what `.dockerignore` on the client saves, and what a re-push after a one-file
 * change uploads. Runs against the local stack (podman's Docker API and the open registry on
 * loopback); starts nothing itself: run `bash scripts/local-stack.sh start` first.
 *
 *   npx tsx bench/image.ts
 *
 * Figures are ratios against a baseline measured in the same run:
 * - context bytes sent and build time with a large ignored directory, against the same build
 *   without the .dockerignore (everything sent);
 * - registry storage growth of a re-push after changing one file, against the first push
 *   (the image's size as stored in the registry).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { createMemoryReporter } from '../src/core/reporter.ts';
import { collectBuildContext } from '../src/images/buildContext.ts';
import { buildWithEngine, pushWithEngine } from '../src/images/engine.ts';

const IGNORED_MB = Number(process.env.BENCH_IGNORED_MB ?? 64);
const LAYER_MB = Number(process.env.BENCH_LAYER_MB ?? 16);

function loadStackEnv(): void {
  if (process.env.DOCKER_HOST && process.env.DEPLOYKIT_REGISTRY && process.env.DEPLOYKIT_STACK_DIR) return;
  const text = execFileSync('bash', [join(import.meta.dirname, '../scripts/local-stack.sh'), 'env'], {
    encoding: 'utf8',
  });
  for (const m of text.matchAll(/^export (\w+)='(.*)'$/gm)) process.env[m[1] as string] ??= m[2] as string;
  if (!process.env.DOCKER_HOST || !process.env.DEPLOYKIT_REGISTRY) {
    throw new Error('the local stack is not running: bash scripts/local-stack.sh start');
  }
}

function dirBytes(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) total += statSync(p).size;
    }
  };
  try {
    walk(dir);
  } catch {
    // Not there yet: nothing stored.
  }
  return total;
}

const mib = (n: number) =>
  n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(2)} MiB`;

async function main() {
  loadStackEnv();
  const docker = new Docker();
  const registry = process.env.DEPLOYKIT_REGISTRY as string;
  const blobs = join(
    process.env.DEPLOYKIT_STACK_DIR as string,
    'registry-data/registry/docker/registry/v2/blobs',
  );
  const reporter = createMemoryReporter();
  const id = `bench${Date.now().toString(36)}`;
  const work = mkdtempSync(join(tmpdir(), 'dk-bench-image-'));
  try {
    // 1. The same image, with and without a .dockerignore for a large directory.
    const ctx = join(work, 'ctx');
    mkdirSync(join(ctx, 'data'), { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY app.py /var/task/app.py\n');
    writeFileSync(join(ctx, 'app.py'), 'def handler(e, c):\n    return 1\n');
    for (let i = 0; i < IGNORED_MB / 8; i++)
      writeFileSync(join(ctx, 'data', `part-${i}.bin`), randomBytes(8 * 1024 * 1024));
    const buildOnce = async (ignore: boolean, tag: string) => {
      if (ignore) writeFileSync(join(ctx, '.dockerignore'), 'data\n');
      else rmSync(join(ctx, '.dockerignore'), { force: true });
      const context = await collectBuildContext(ctx, 'Dockerfile');
      const started = performance.now();
      const r = await buildWithEngine(
        docker,
        {
          context,
          dockerfile: 'Dockerfile',
          tags: [`${registry}/${id}/ctx:${tag}`],
          platform: 'linux/amd64',
          buildArgs: {},
          labels: {},
          noCache: true,
        },
        reporter,
      );
      return { bytes: r.contextBytes, ms: performance.now() - started };
    };
    const all = await buildOnce(false, 'all');
    const filtered = await buildOnce(true, 'filtered');
    console.log(`# bench/image (ignored directory ${IGNORED_MB} MiB, image layer ${LAYER_MB} MiB)`);
    console.log(
      'context sent, without .dockerignore (baseline):',
      mib(all.bytes),
      `build ${all.ms.toFixed(0)} ms`,
    );
    console.log(
      'context sent, with .dockerignore:              ',
      mib(filtered.bytes),
      `build ${filtered.ms.toFixed(0)} ms`,
    );
    console.log(
      `  bytes ratio ${(filtered.bytes / all.bytes).toExponential(2)}, build time ratio ${(filtered.ms / all.ms).toFixed(3)}`,
    );

    // 2. Push, change one file, build and push again: what does the registry store anew?
    const app = join(work, 'app');
    mkdirSync(join(app, 'deps'), { recursive: true });
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(join(app, 'Dockerfile'), 'FROM scratch\nCOPY deps/ /opt/deps/\nCOPY src/ /opt/app/\n');
    writeFileSync(join(app, 'deps', 'lib.bin'), randomBytes(LAYER_MB * 1024 * 1024));
    writeFileSync(join(app, 'src', 'main.py'), 'print("v1")\n');
    const buildAndPush = async (tag: string) => {
      const ref = `${registry}/${id}/app:${tag}`;
      const context = await collectBuildContext(app, 'Dockerfile');
      await buildWithEngine(
        docker,
        {
          context,
          dockerfile: 'Dockerfile',
          tags: [ref],
          platform: 'linux/amd64',
          buildArgs: {},
          labels: {},
          noCache: false,
        },
        reporter,
      );
      const before = dirBytes(blobs);
      const started = performance.now();
      await pushWithEngine(docker, ref, undefined, reporter);
      return { grown: dirBytes(blobs) - before, ms: performance.now() - started };
    };
    const first = await buildAndPush('v1');
    writeFileSync(join(app, 'src', 'main.py'), 'print("v2")\n');
    const second = await buildAndPush('v2');
    console.log(
      'first push, registry growth (image size, baseline):',
      mib(first.grown),
      `push ${first.ms.toFixed(0)} ms`,
    );
    console.log(
      're-push after a one-file change, registry growth:  ',
      mib(second.grown),
      `push ${second.ms.toFixed(0)} ms`,
    );
    console.log(
      `  upload ratio ${(second.grown / first.grown).toExponential(2)}, push time ratio ${(second.ms / first.ms).toFixed(3)}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
