/**
 * bench/layer-fanout: how deploykit's layer publishing and zip building perform, as ratios
 * against baselines measured in the same run (loopback only, bounded to well under a minute).
 *
 * 1. Publish one zip to 30 Regions, each Region's API behind its own injected latency
 *    (FakeLambda: a real LambdaClient, with its serializers, retry and deploykit's per-Region
 *    pacing, answered in memory). Baseline: the slowest Region published alone (the ideal).
 * 2. A second, unchanged run: calls made, bytes uploaded, time.
 * 3. Zip build time for a generated node_modules tree, against `zip -qrX` on the same tree.
 *
 * Run: npx tsx bench/layer-fanout.ts
 */

import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { addRateLimit, DEFAULT_REQUESTS_PER_SECOND } from '../src/aws/clients.ts';
import { formatBytes } from '../src/core/lambdaPackage.ts';
import { createRateLimiter } from '../src/core/rateLimit.ts';
import { COMMERCIAL_REGIONS } from '../src/core/regions.ts';
import { createMemoryReporter } from '../src/core/reporter.ts';
import { collectTree, createReproducibleZip } from '../src/layers/layerZip.ts';
import { type LayerContent, layerContentOf, publishLayer } from '../src/layers/publishLayer.ts';
import { FakeLambda } from '../test/unit/layers/fakeLambda.ts';

const REGION_COUNT = 30;
const regions = COMMERCIAL_REGIONS.slice(0, REGION_COUNT);
/** Per-request latency: 40 ms to 130 ms, spread over the Regions (far Regions answer slower). */
const latencyOf = (region: string) => 40 + ((regions.indexOf(region) * 37) % 91);
const slowest = [...regions].sort((a, b) => latencyOf(b) - latencyOf(a))[0] as string;

/** Deterministic pseudo-random text, so every run generates the same tree. */
function* prng(seed: number) {
  let x = seed;
  while (true) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    yield (x >>> 0) / 2 ** 32;
  }
}

async function generateTree(root: string, packages: number, filesPerPackage: number): Promise<number> {
  const rand = prng(42);
  const words = [
    'function',
    'return',
    'const',
    'module',
    'exports',
    'require',
    'value',
    'options',
    'callback',
    'this',
  ];
  let bytes = 0;
  for (let p = 0; p < packages; p++) {
    const dir = join(root, 'nodejs/node_modules', `pkg-${p}`, 'lib');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(root, 'nodejs/node_modules', `pkg-${p}`, 'package.json'),
      `{"name":"pkg-${p}","version":"1.0.${p}"}\n`,
    );
    for (let f = 0; f < filesPerPackage; f++) {
      const length = 1000 + Math.floor((rand.next().value as number) * 6000);
      let text = '';
      while (text.length < length) {
        text += `${words[Math.floor((rand.next().value as number) * words.length)]}_${Math.floor((rand.next().value as number) * 1000)} `;
        if ((rand.next().value as number) < 0.1) text += ';\n';
      }
      await writeFile(join(dir, `file-${f}.js`), text);
      bytes += text.length;
    }
  }
  return bytes;
}

function paced(client: LambdaClient): LambdaClient {
  // The same pacing src/aws/clients.ts gives every (service, Region).
  const rps = DEFAULT_REQUESTS_PER_SECOND;
  return addRateLimit(client, createRateLimiter({ ratePerSecond: rps, burst: Math.ceil(rps / 2) }));
}

async function publishTo(fake: FakeLambda, targets: readonly string[], content: LayerContent) {
  const clients = new Map<string, LambdaClient>();
  const lambda = (region: string) => {
    let c = clients.get(region);
    if (!c) {
      c = paced(fake.client(region, { retryMode: 'adaptive' }));
      clients.set(region, c);
    }
    return c;
  };
  const before = fake.calls.length;
  const started = performance.now();
  const report = await publishLayer(
    {
      name: 'bench-layer',
      regions: targets,
      grants: [{ kind: 'org', orgId: 'o-bench00001' }, { kind: 'public' }],
    },
    content,
    {
      lambda,
      s3: () => {
        throw new Error('below 50 MB: no S3');
      },
      reporter: createMemoryReporter(),
    },
  );
  const ms = performance.now() - started;
  const calls = fake.calls.slice(before);
  const failed = report.results.filter((r) => r.status === 'failed');
  if (failed.length > 0) throw new Error(`bench run failed in ${failed.map((r) => r.region).join(', ')}`);
  return {
    ms,
    calls: calls.length,
    uploaded: calls.filter((c) => c.operation === 'PublishLayerVersion').reduce((s, c) => s + c.bytes, 0),
    statuses: report.results.map((r) => r.status),
  };
}

function count<T>(items: readonly T[]): string {
  const m = new Map<T, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return [...m.entries()].map(([k, n]) => `${n} ${String(k)}`).join(', ');
}

const work = await mkdtemp(join(tmpdir(), 'dk-bench-layer-'));
try {
  // --- 3 first: the big tree and its zip ---
  const tree = join(work, 'tree');
  const sourceBytes = await generateTree(tree, 300, 30);
  const t0 = performance.now();
  const bigZip = await createReproducibleZip(await collectTree(tree, ''));
  const ours = performance.now() - t0;
  const zipPath = join(work, 'zip-cli.zip');
  const t1 = performance.now();
  execFileSync('zip', ['-qrX', zipPath, 'nodejs'], { cwd: tree });
  const theirs = performance.now() - t1;
  const cliSize = (await stat(zipPath)).size;
  const again = await createReproducibleZip(await collectTree(tree, ''));

  // A typical layer for the fan-out (a few packages), and the big one to show the size effect.
  const smallTree = join(work, 'small');
  await generateTree(smallTree, 30, 20);
  const small = layerContentOf(await createReproducibleZip(await collectTree(smallTree, '')));
  const big = layerContentOf(bigZip);

  // --- 1: baseline, the slowest Region alone; then all 30 at once; then with no latency ---
  const alone = await publishTo(new FakeLambda({ latencyMs: latencyOf }), [slowest], small);
  const fake = new FakeLambda({ latencyMs: latencyOf });
  const all = await publishTo(fake, regions, small);
  const floor = await publishTo(new FakeLambda(), regions, small);
  // --- 2: the same zip again: nothing to publish ---
  const second = await publishTo(fake, regions, small);
  const opsSecond = fake.calls.slice(-second.calls).map((c) => c.operation);
  // The big zip: the same fan-out, now bound by CPU (base64, SigV4 payload hash, the fake's decoding).
  const bigAlone = await publishTo(new FakeLambda({ latencyMs: latencyOf }), [slowest], big);
  const bigAll = await publishTo(new FakeLambda({ latencyMs: latencyOf }), regions, big);

  const sequential = regions.reduce((sum, r) => sum + latencyOf(r), 0) / latencyOf(slowest);
  const lines = [
    `layer-fanout bench (node ${process.versions.node}, ${REGION_COUNT} Regions, per-request latency 40-130 ms, pacing ${DEFAULT_REQUESTS_PER_SECOND} req/s per Region, adaptive retry)`,
    '',
    `1. publish to 30 Regions, first run (per Region: list, publish, 2 grants), ${formatBytes(small.bytes.length)} zip`,
    `   slowest Region alone (${slowest}, ${latencyOf(slowest)} ms/request): ${alone.ms.toFixed(0)} ms, ${alone.calls} calls`,
    `   30 Regions in parallel: ${all.ms.toFixed(0)} ms, ${all.calls} calls => ${(all.ms / alone.ms).toFixed(2)}x the ideal (one Region after another: ~${sequential.toFixed(1)}x)`,
    `   same 30 Regions with zero latency (CPU floor of this process): ${floor.ms.toFixed(0)} ms`,
    `   with the ${formatBytes(big.bytes.length)} zip: alone ${bigAlone.ms.toFixed(0)} ms, 30 Regions ${bigAll.ms.toFixed(0)} ms => ${(bigAll.ms / bigAlone.ms).toFixed(2)}x (${formatBytes(bigAll.uploaded)} of base64 request bodies, one per Region)`,
    '',
    '2. second run, unchanged zip',
    `   ${second.calls} calls (${count(opsSecond)}), ${formatBytes(second.uploaded)} uploaded, ${second.ms.toFixed(0)} ms (${(second.ms / all.ms).toFixed(2)}x the first run), ${count(second.statuses)}`,
    '',
    `3. zip build: generated node_modules tree, ${300 * 31} files, ${formatBytes(sourceBytes)}`,
    `   deploykit (archiver, level 6, sorted, fixed dates and modes): ${ours.toFixed(0)} ms, ${formatBytes(bigZip.length)}`,
    `   zip -qrX (level 6):                                          ${theirs.toFixed(0)} ms, ${formatBytes(cliSize)}`,
    `   => ${(ours / theirs).toFixed(2)}x the time of zip -qrX; a second build gives identical bytes: ${again.equals(bigZip)}`,
  ];
  console.log(lines.join('\n'));
} finally {
  await rm(work, { recursive: true, force: true });
}
