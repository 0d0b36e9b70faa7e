import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { ArtifactError, DeploykitError, EnvironmentError, InputError } from '../core/errors.ts';
import {
  codeSha256Of,
  formatBytes,
  MAX_DIRECT_UPLOAD_BYTES,
  MAX_UNZIPPED_BYTES,
} from '../core/lambdaPackage.ts';
import type { Reporter } from '../core/reporter.ts';
import {
  collectTree,
  createReproducibleZip,
  type LayerEntry,
  normalizeEntries,
  unzippedSizeOf,
} from './layerZip.ts';
import type { BuildOptions } from './options.ts';

export type RuntimeFamily = 'nodejs' | 'python';

/** Runs a program (npm, pip) in a directory; rejects with its output when it fails. */
export type RunProgram = (command: string, args: readonly string[], cwd: string) => Promise<void>;

export interface BuildDeps {
  reporter: Reporter;
  /** Runs npm / pip. Default: spawn, output kept and shown only on failure. */
  run?: RunProgram;
  /** Where staging directories go. Default: the OS temp directory. */
  tempDir?: string;
}

export interface BuildResult {
  out: string;
  runtime: RuntimeFamily;
  zippedBytes: number;
  unzippedBytes: number;
  codeSha256: string;
  entries: number;
  /** True when the zip is over 50 MB and must be published through S3. */
  needsS3: boolean;
}

/**
 * Builds a layer zip from a directory: lays it out as the runtime expects (`nodejs/node_modules`
 * or `python/`), installs production dependencies in a staging directory unless told not to,
 * and writes a reproducible zip. Refuses a layer over Lambda's 250 MB unzipped limit.
 */
export async function buildLayer(options: BuildOptions, deps: BuildDeps): Promise<BuildResult> {
  const dir = resolve(options.dir);
  const out = resolve(options.out);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw InputError.single('dir', `'${options.dir}' is not a directory`);
  const names = new Set(await readdir(dir));
  const runtime = runtimeFamilyOf(options.runtime, names, options.dir);
  const run = deps.run ?? spawnProgram;

  let entries: LayerEntry[];
  let staging: string | undefined;
  try {
    if (options.install) {
      staging = await mkdtemp(join(deps.tempDir ?? tmpdir(), 'deploykit-layer-'));
      entries =
        runtime === 'nodejs'
          ? await installNode(dir, names, staging, run, deps.reporter)
          : await installPython(dir, names, staging, run, deps.reporter, out);
    } else {
      entries = await laidOutEntries(dir, names, runtime, out);
    }
    entries = normalizeEntries(entries);
    if (!entries.some((e) => e.type === 'file')) {
      throw new ArtifactError(`The layer built from ${options.dir} holds no files`, {
        hint:
          runtime === 'nodejs'
            ? 'check that package.json lists production dependencies, or lay out nodejs/node_modules yourself'
            : 'check requirements.txt, or lay out python/ yourself',
      });
    }
    const unzippedBytes = unzippedSizeOf(entries);
    if (unzippedBytes > MAX_UNZIPPED_BYTES) {
      throw new ArtifactError(
        `The layer unzips to ${formatBytes(unzippedBytes)} (${unzippedBytes} bytes), over Lambda's limit of 250 MB (${MAX_UNZIPPED_BYTES} bytes) unzipped`,
        {
          hint: 'that limit covers a function and all its layers together: drop dev dependencies, split the layer, or use a container image',
        },
      );
    }
    const bytes = await createReproducibleZip(entries);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, bytes);
    const needsS3 = bytes.length > MAX_DIRECT_UPLOAD_BYTES;
    if (needsS3) {
      deps.reporter.warn(
        `The zip is ${formatBytes(bytes.length)}, over the 50 MB Lambda accepts uploaded directly: publish it with --s3-bucket 'my-bucket-{region}'`,
      );
    }
    return {
      out,
      runtime,
      zippedBytes: bytes.length,
      unzippedBytes,
      codeSha256: codeSha256Of(bytes),
      entries: entries.length,
      needsS3,
    };
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true });
  }
}

/** The runtime family from `--runtime`, else from what the directory holds. */
export function runtimeFamilyOf(
  runtime: string | undefined,
  names: ReadonlySet<string>,
  dir: string,
): RuntimeFamily {
  if (runtime) return runtime.startsWith('python') ? 'python' : 'nodejs';
  if (names.has('package.json') || names.has('nodejs') || names.has('node_modules')) return 'nodejs';
  if (names.has('requirements.txt') || names.has('python')) return 'python';
  throw InputError.single(
    'runtime',
    `is required: '${dir}' has no package.json, requirements.txt, nodejs/ or python/ to tell the runtime from (e.g. --runtime nodejs22.x)`,
  );
}

async function installNode(
  dir: string,
  names: ReadonlySet<string>,
  staging: string,
  run: RunProgram,
  reporter: Reporter,
): Promise<LayerEntry[]> {
  if (!names.has('package.json')) {
    throw InputError.single(
      'dir',
      `has no package.json to install production dependencies from: add one, or pass --no-install if '${basename(dir)}' is already laid out as nodejs/node_modules`,
    );
  }
  const work = join(staging, 'nodejs');
  await mkdir(work, { recursive: true });
  // The install runs in a staging directory, so `file:` dependencies must point back to the
  // user's directory; a lockfile's relative paths would not, so it is left out then.
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  const rewritten = absolutizeFileDependencies(manifest, dir);
  await writeFile(join(work, 'package.json'), JSON.stringify(manifest, null, 2));
  const lockfiles = rewritten ? [] : ['package-lock.json', 'npm-shrinkwrap.json'];
  for (const name of [...lockfiles, '.npmrc']) {
    if (names.has(name)) await copyFile(join(dir, name), join(work, name));
  }
  // A lockfile pins exact versions, which is what makes two builds install the same files.
  const locked = lockfiles.some((name) => names.has(name));
  if (rewritten) {
    reporter.warn(
      'package.json has file: dependencies: installing without the lockfile (its relative paths do not apply)',
    );
  } else if (!locked) {
    reporter.warn('No package-lock.json: dependency versions may differ between builds');
  }
  // --install-links copies file: dependencies instead of linking them out of the layer.
  const args = locked
    ? ['ci', '--omit=dev', '--install-links', '--no-audit', '--no-fund']
    : ['install', '--omit=dev', '--install-links', '--no-audit', '--no-fund'];
  reporter.info(`npm ${args.join(' ')} (in a staging directory)`);
  await run('npm', args, work);
  const modules = join(work, 'node_modules');
  const present = await stat(modules).catch(() => undefined);
  return present ? collectTree(modules, 'nodejs/node_modules') : [];
}

/** Rewrites `file:` dependency specs to absolute paths; true when any was rewritten. */
function absolutizeFileDependencies(manifest: Record<string, unknown>, dir: string): boolean {
  let rewritten = false;
  for (const field of ['dependencies', 'optionalDependencies']) {
    const deps = manifest[field];
    if (typeof deps !== 'object' || deps === null) continue;
    for (const [name, spec] of Object.entries(deps as Record<string, unknown>)) {
      if (typeof spec === 'string' && spec.startsWith('file:') && !isAbsolute(spec.slice(5))) {
        (deps as Record<string, string>)[name] = `file:${resolve(dir, spec.slice(5))}`;
        rewritten = true;
      }
    }
  }
  return rewritten;
}

async function installPython(
  dir: string,
  names: ReadonlySet<string>,
  staging: string,
  run: RunProgram,
  reporter: Reporter,
  out: string,
): Promise<LayerEntry[]> {
  if (!names.has('requirements.txt')) {
    throw InputError.single(
      'dir',
      `has no requirements.txt to install dependencies from: add one, or pass --no-install if '${basename(dir)}' is already laid out as python/`,
    );
  }
  const target = join(staging, 'python');
  await mkdir(target, { recursive: true });
  // --no-compile: bytecode caches embed timestamps and would make every build differ.
  const args = [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '--no-input',
    '--no-compile',
    '-r',
    join(dir, 'requirements.txt'),
    '-t',
    target,
  ];
  reporter.info(`python3 ${args.join(' ')}`);
  await run('python3', args, dir);
  // The directory's own modules go beside the installed packages.
  const own = (await collectTree(dir, 'python', { skip: [out] })).filter(
    (e) => e.name !== 'python/requirements.txt',
  );
  return [...(await collectTree(target, 'python')), ...own];
}

async function laidOutEntries(
  dir: string,
  names: ReadonlySet<string>,
  runtime: RuntimeFamily,
  out: string,
): Promise<LayerEntry[]> {
  if (names.has(runtime)) return collectTree(dir, '', { skip: [out] });
  if (runtime === 'nodejs') {
    if (names.has('node_modules')) return collectTree(join(dir, 'node_modules'), 'nodejs/node_modules');
    throw InputError.single(
      'dir',
      `has neither nodejs/ nor node_modules/: with --no-install the directory must already hold the layer's files`,
    );
  }
  return collectTree(dir, 'python', { skip: [out] });
}

/** Runs a program, keeping its output to show when it fails (npm and pip are chatty). */
export const spawnProgram: RunProgram = (command, args, cwd) =>
  new Promise((res, rej) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => output.push(c));
    child.stderr.on('data', (c: Buffer) => output.push(c));
    child.on('error', (error: NodeJS.ErrnoException) => {
      rej(
        error.code === 'ENOENT'
          ? new EnvironmentError(`'${command}' was not found on PATH`, {
              hint: `install ${command}, or lay the layer out yourself and pass --no-install`,
            })
          : error,
      );
    });
    child.on('close', (code) => {
      if (code === 0) return res();
      const tail = Buffer.concat(output).toString('utf8').trim().split('\n').slice(-20).join('\n');
      rej(new DeploykitError(`${command} ${args.join(' ')} failed with exit code ${code}:\n${tail}`));
    });
  });
