import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codeSha256Of } from '../../../src/core/lambdaPackage.ts';
import { createMemoryReporter } from '../../../src/core/reporter.ts';
import { buildLayer, type RunProgram } from '../../../src/layers/buildLayer.ts';
import { listZip } from '../../../src/layers/layerZip.ts';

const temps: string[] = [];
async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dk-build-'));
  temps.push(dir);
  return dir;
}
afterEach(async () => {
  for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true });
});

/** Stands in for npm / pip: records the call and writes what an install would. */
function fakeInstaller(calls: { command: string; args: readonly string[]; cwd: string }[]): RunProgram {
  return async (command, args, cwd) => {
    calls.push({ command, args, cwd });
    if (command === 'npm') {
      await mkdir(join(cwd, 'node_modules/dep'), { recursive: true });
      await writeFile(join(cwd, 'node_modules/dep/index.js'), 'exports.x = 1;\n');
    } else {
      const target = args[args.indexOf('-t') + 1] as string;
      await mkdir(join(target, 'dep'), { recursive: true });
      await writeFile(join(target, 'dep/__init__.py'), 'x = 1\n');
    }
  };
}

async function names(zip: string): Promise<string[]> {
  return (await listZip(await readFile(zip))).map((e) => e.name);
}

describe('buildLayer', () => {
  it('installs production dependencies of a Node.js package into nodejs/node_modules', async () => {
    const dir = await temp();
    await writeFile(join(dir, 'package.json'), '{"dependencies":{"dep":"1.0.0"}}');
    await writeFile(join(dir, 'package-lock.json'), '{}');
    await writeFile(join(dir, 'index.js'), 'not part of the layer');
    const calls: { command: string; args: readonly string[]; cwd: string }[] = [];
    const out = join(await temp(), 'out/layer.zip');
    const reporter = createMemoryReporter();
    const result = await buildLayer(
      { dir, out, install: true, runtime: 'nodejs22.x' },
      { reporter, run: fakeInstaller(calls) },
    );
    expect(calls).toEqual([
      {
        command: 'npm',
        args: ['ci', '--omit=dev', '--install-links', '--no-audit', '--no-fund'],
        cwd: expect.stringMatching(/nodejs$/),
      },
    ]);
    // The install ran in a staging directory, never in the user's directory.
    expect(calls[0]?.cwd.startsWith(dir)).toBe(false);
    expect(await names(out)).toEqual([
      'nodejs/',
      'nodejs/node_modules/',
      'nodejs/node_modules/dep/',
      'nodejs/node_modules/dep/index.js',
    ]);
    expect(result).toMatchObject({ runtime: 'nodejs', unzippedBytes: 15, entries: 4, needsS3: false });
    expect(result.codeSha256).toBe(codeSha256Of(await readFile(out)));
  });

  it('uses npm install (and warns) without a lockfile', async () => {
    const dir = await temp();
    await writeFile(join(dir, 'package.json'), '{}');
    const calls: { command: string; args: readonly string[]; cwd: string }[] = [];
    const reporter = createMemoryReporter();
    await buildLayer(
      { dir, out: join(dir, 'layer.zip'), install: true },
      { reporter, run: fakeInstaller(calls) },
    );
    expect(calls[0]?.args[0]).toBe('install');
    expect(reporter.lines.some((l) => l.level === 'warn' && /No package-lock.json/.test(l.message))).toBe(
      true,
    );
  });

  it('installs with the real npm, offline: a file: dependency ends up as files in nodejs/node_modules', async () => {
    const base = await temp();
    await mkdir(join(base, 'shared/lib'), { recursive: true });
    await writeFile(
      join(base, 'shared/package.json'),
      '{"name":"shared","version":"1.0.0","main":"lib/index.js"}',
    );
    await writeFile(join(base, 'shared/lib/index.js'), 'exports.shared = true;\n');
    await mkdir(join(base, 'layer'));
    await writeFile(
      join(base, 'layer/package.json'),
      '{"name":"layer","version":"1.0.0","dependencies":{"shared":"file:../shared"},"devDependencies":{"left-pad":"1.3.0"}}',
    );
    const out = join(base, 'layer.zip');
    const reporter = createMemoryReporter();
    await buildLayer({ dir: join(base, 'layer'), out, install: true, runtime: 'nodejs22.x' }, { reporter });
    const listed = await names(out);
    expect(listed).toContain('nodejs/node_modules/shared/lib/index.js');
    expect(listed).toContain('nodejs/node_modules/shared/package.json');
    // devDependencies stay out (npm was never asked for them: the install ran offline).
    expect(listed.some((n) => n.includes('left-pad'))).toBe(false);
    // Nothing was written into the user's directory.
    expect((await readdir(join(base, 'layer'))).sort()).toEqual(['package.json']);
  }, 60_000);

  it('installs requirements.txt into python/ beside the directory’s own modules, without bytecode', async () => {
    const dir = await temp();
    await writeFile(join(dir, 'requirements.txt'), 'dep==1.0\n');
    await writeFile(join(dir, 'helpers.py'), 'def f(): pass\n');
    const calls: { command: string; args: readonly string[]; cwd: string }[] = [];
    const out = join(await temp(), 'layer.zip');
    await buildLayer(
      { dir, out, install: true, runtime: 'python3.12' },
      { reporter: createMemoryReporter(), run: fakeInstaller(calls) },
    );
    expect(calls[0]?.command).toBe('python3');
    expect(calls[0]?.args).toContain('--no-compile');
    expect(await names(out)).toEqual([
      'python/',
      'python/dep/',
      'python/dep/__init__.py',
      'python/helpers.py',
    ]);
  });

  it('with --no-install puts a bare node_modules under nodejs/ and leaves the output zip out', async () => {
    const dir = await temp();
    await mkdir(join(dir, 'node_modules/a'), { recursive: true });
    await writeFile(join(dir, 'node_modules/a/index.js'), '1');
    const out = join(dir, 'layer.zip');
    await writeFile(out, 'an old build');
    await buildLayer({ dir, out, install: false }, { reporter: createMemoryReporter() });
    expect(await names(out)).toEqual([
      'nodejs/',
      'nodejs/node_modules/',
      'nodejs/node_modules/a/',
      'nodejs/node_modules/a/index.js',
    ]);
  });

  it('builds the same bytes twice from the same input', async () => {
    const dir = await temp();
    await mkdir(join(dir, 'python/pkg'), { recursive: true });
    await writeFile(join(dir, 'python/pkg/__init__.py'), 'x = 1\n');
    const one = join(await temp(), 'one.zip');
    const two = join(await temp(), 'two.zip');
    await buildLayer({ dir, out: one, install: false }, { reporter: createMemoryReporter() });
    await buildLayer({ dir, out: two, install: false }, { reporter: createMemoryReporter() });
    expect((await readFile(two)).equals(await readFile(one))).toBe(true);
  });

  it('refuses a layer over 250 MB unzipped before zipping it', async () => {
    const dir = await temp();
    await mkdir(join(dir, 'nodejs/node_modules/big'), { recursive: true });
    const big = join(dir, 'nodejs/node_modules/big/blob.bin');
    await writeFile(big, '');
    await truncate(big, 262_144_001); // sparse: takes no disk space
    const out = join(await temp(), 'layer.zip');
    await expect(
      buildLayer({ dir, out, install: false }, { reporter: createMemoryReporter() }),
    ).rejects.toThrow(
      /unzips to 250\.0 MB \(262144001 bytes\), over Lambda's limit of 250 MB \(262144000 bytes\) unzipped/,
    );
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  it('warns that a zip over 50 MB must go through S3', async () => {
    const dir = await temp();
    await mkdir(join(dir, 'python'), { recursive: true });
    // Random bytes do not compress: the zip stays over 50 MB.
    const { randomBytes } = await import('node:crypto');
    await writeFile(join(dir, 'python/blob.bin'), randomBytes(51 * 1024 * 1024));
    const reporter = createMemoryReporter();
    const result = await buildLayer({ dir, out: join(await temp(), 'l.zip'), install: false }, { reporter });
    expect(result.needsS3).toBe(true);
    expect(reporter.lines.find((l) => l.level === 'warn')?.message).toMatch(
      /over the 50 MB Lambda accepts uploaded directly: publish it with --s3-bucket/,
    );
  });

  it('asks for --no-install or a package.json when there is nothing to install from', async () => {
    const dir = await temp();
    await mkdir(join(dir, 'nodejs/node_modules'), { recursive: true });
    await expect(
      buildLayer(
        { dir, out: join(dir, 'l.zip'), install: true, runtime: 'nodejs20.x' },
        { reporter: createMemoryReporter() },
      ),
    ).rejects.toThrow(/'dir' has no package.json .* pass --no-install/);
  });

  it('asks for --runtime when the directory does not tell', async () => {
    const dir = await temp();
    await writeFile(join(dir, 'README.md'), 'hi');
    await expect(
      buildLayer({ dir, out: join(dir, 'l.zip'), install: true }, { reporter: createMemoryReporter() }),
    ).rejects.toThrow(/'runtime' is required/);
  });
});
