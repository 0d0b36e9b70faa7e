#!/usr/bin/env node
// Bundles the CLI, each action entry and each CodePipeline handler into dist/ with esbuild.
// `node scripts/build.mjs --check` builds in memory and fails if dist/ differs (stale bundle).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

// The CLI and the action entries share code: one build with splitting, common code in chunks/.
const toolEntries = { cli: join(root, 'scripts/deploykit.ts') };
for (const name of list('actions')) {
  const main = join(root, 'actions', name, 'main.ts');
  if (existsSync(main)) toolEntries[`actions/${name}`] = main;
}
// Each CodePipeline handler is zipped alone into a Lambda function: self-contained, and .mjs so
// the Lambda runtime treats it as ESM without a package.json beside it.
const handlerEntries = {};
for (const file of list('pipelines/handlers')) {
  if (file.endsWith('.ts'))
    handlerEntries[`handlers/${file.replace(/\.ts$/, '')}`] = join(root, 'pipelines/handlers', file);
}

function list(dir) {
  const abs = join(root, dir);
  return existsSync(abs) ? readdirSync(abs).sort() : [];
}

const common = {
  outdir: join(root, 'dist'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
  // Optional native add-ons of ssh2 (pulled in by dockerode); ssh2 falls back without them.
  external: ['cpu-features', '*.node'],
  // CommonJS dependencies call require() and read __dirname; give the ESM bundle both.
  banner: {
    js: [
      "import { createRequire as __dkRequire } from 'node:module';",
      "import { fileURLToPath as __dkPath } from 'node:url';",
      'const require = __dkRequire(import.meta.url);',
      'const __filename = __dkPath(import.meta.url);',
      "const __dirname = __dkPath(new URL('.', import.meta.url));",
    ].join(' '),
  },
};

const results = await Promise.all([
  build({ ...common, entryPoints: toolEntries, splitting: true, chunkNames: 'chunks/[name]-[hash]' }),
  Object.keys(handlerEntries).length > 0
    ? build({ ...common, entryPoints: handlerEntries, outExtension: { '.js': '.mjs' } })
    : { outputFiles: [] },
]);

const files = new Map();
for (const f of results.flatMap((r) => r.outputFiles))
  files.set(relative(join(root, 'dist'), f.path), f.contents);

const existing = existsSync(join(root, 'dist')) ? walk(join(root, 'dist')) : [];
if (check) {
  const stale = [];
  for (const [rel, contents] of files) {
    const abs = join(root, 'dist', rel);
    if (!existsSync(abs) || !Buffer.from(contents).equals(readFileSync(abs))) stale.push(rel);
  }
  for (const rel of existing) if (!files.has(rel)) stale.push(`${rel} (no longer built)`);
  if (stale.length > 0) {
    console.error(`dist/ is stale: ${stale.join(', ')}\nRun 'npm run build' and commit dist/.`);
    process.exit(1);
  }
  console.log(`dist/ is up to date (${files.size} bundles)`);
} else {
  for (const rel of existing) if (!files.has(rel)) rmSync(join(root, 'dist', rel));
  for (const [rel, contents] of files) {
    const abs = join(root, 'dist', rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, contents);
  }
  console.log(`built ${files.size} bundles into dist/`);
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)).map((r) => `${e.name}/${r}`) : [e.name],
  );
}
