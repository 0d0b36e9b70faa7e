import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipArchive } from 'archiver';
import { afterEach, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { codeSha256Of } from '../../../src/core/lambdaPackage.ts';
import {
  collectTree,
  createReproducibleZip,
  extractZipEntry,
  listZip,
} from '../../../src/layers/layerZip.ts';

const temps: string[] = [];
async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dk-layerzip-'));
  temps.push(dir);
  return dir;
}
afterEach(async () => {
  for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A small node_modules tree with an executable, a nested package and a .bin symlink. */
async function sampleTree(root: string): Promise<void> {
  await mkdir(join(root, 'nodejs/node_modules/left-pad/lib'), { recursive: true });
  await mkdir(join(root, 'nodejs/node_modules/.bin'), { recursive: true });
  await writeFile(join(root, 'nodejs/node_modules/left-pad/package.json'), '{"name":"left-pad"}\n');
  await writeFile(
    join(root, 'nodejs/node_modules/left-pad/lib/index.js'),
    'module.exports = 1;\n'.repeat(50),
  );
  await writeFile(join(root, 'nodejs/node_modules/left-pad/cli.js'), '#!/usr/bin/env node\n');
  await chmod(join(root, 'nodejs/node_modules/left-pad/cli.js'), 0o775);
  await symlink('../left-pad/cli.js', join(root, 'nodejs/node_modules/.bin/left-pad'));
  await mkdir(join(root, 'nodejs/node_modules/left-pad/__pycache__'));
  await writeFile(join(root, 'nodejs/node_modules/left-pad/__pycache__/x.pyc'), String(Date.now()));
}

interface ZipFacts {
  name: string;
  mode: number;
  date: string;
}

async function zipFacts(bytes: Buffer): Promise<ZipFacts[]> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) =>
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (e, z) => (e || !z ? rej(e) : res(z))),
  );
  return new Promise((res) => {
    const out: ZipFacts[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      // Unix mode in the high 16 bits; DOS date and time as stored (no time zone involved).
      out.push({
        name: e.fileName,
        mode: (e.externalFileAttributes >>> 16) & 0o170777,
        date: `${e.lastModFileDate}/${e.lastModFileTime}`,
      });
      zip.readEntry();
    });
    zip.on('end', () => res(out));
    zip.readEntry();
  });
}

describe('createReproducibleZip', () => {
  it('gives identical bytes for two copies of a tree with different mtimes and permissions', async () => {
    const a = join(await temp(), 'a');
    await sampleTree(a);
    const b = join(await temp(), 'b');
    await cp(a, b, { recursive: true, verbatimSymlinks: true });
    // The second copy: other timestamps, group-writable files, a later checkout.
    await utimes(
      join(b, 'nodejs/node_modules/left-pad/lib/index.js'),
      new Date('2030-05-05'),
      new Date('2030-05-05'),
    );
    await utimes(join(b, 'nodejs/node_modules/left-pad'), new Date('2011-01-01'), new Date('2011-01-01'));
    await chmod(join(b, 'nodejs/node_modules/left-pad/package.json'), 0o664);
    const zipA = await createReproducibleZip(await collectTree(a, ''));
    const zipB = await createReproducibleZip(await collectTree(b, ''));
    expect(zipB.equals(zipA)).toBe(true);
    expect(codeSha256Of(zipB)).toBe(codeSha256Of(zipA));
  });

  it('gives different bytes when one file changes', async () => {
    const a = join(await temp(), 'a');
    await sampleTree(a);
    const before = await createReproducibleZip(await collectTree(a, ''));
    await writeFile(join(a, 'nodejs/node_modules/left-pad/package.json'), '{"name":"left-pad","v":2}\n');
    const after = await createReproducibleZip(await collectTree(a, ''));
    expect(after.equals(before)).toBe(false);
  });

  it('sorts entries, fixes dates to 1980-01-01 and normalises modes; keeps .bin symlinks; drops caches', async () => {
    const a = join(await temp(), 'a');
    await sampleTree(a);
    const facts = await zipFacts(await createReproducibleZip(await collectTree(a, '')));
    expect(facts.map((f) => f.name)).toEqual([
      'nodejs/',
      'nodejs/node_modules/',
      'nodejs/node_modules/.bin/',
      'nodejs/node_modules/.bin/left-pad',
      'nodejs/node_modules/left-pad/',
      'nodejs/node_modules/left-pad/cli.js',
      'nodejs/node_modules/left-pad/lib/',
      'nodejs/node_modules/left-pad/lib/index.js',
      'nodejs/node_modules/left-pad/package.json',
    ]);
    const byName = Object.fromEntries(facts.map((f) => [f.name, f]));
    expect(byName['nodejs/']?.mode).toBe(0o040755);
    expect(byName['nodejs/node_modules/left-pad/cli.js']?.mode).toBe(0o100755);
    expect(byName['nodejs/node_modules/left-pad/package.json']?.mode).toBe(0o100644);
    expect(byName['nodejs/node_modules/.bin/left-pad']?.mode).toBe(0o120777);
    // DOS date 1980-01-01 is (0 << 9) | (1 << 5) | 1 = 33, time 00:00:00 is 0.
    expect(new Set(facts.map((f) => f.date))).toEqual(new Set(['33/0']));
  });

  it('follows links out of the tree, so the layer holds the files they point to', async () => {
    const base = await temp();
    await mkdir(join(base, 'outside/pkg'), { recursive: true });
    await writeFile(join(base, 'outside/pkg/index.js'), 'outside\n');
    await mkdir(join(base, 'tree/nodejs/node_modules'), { recursive: true });
    await symlink(join(base, 'outside/pkg'), join(base, 'tree/nodejs/node_modules/pkg'));
    const facts = await zipFacts(await createReproducibleZip(await collectTree(join(base, 'tree'), '')));
    expect(facts.map((f) => [f.name, f.mode])).toEqual([
      ['nodejs/', 0o040755],
      ['nodejs/node_modules/', 0o040755],
      ['nodejs/node_modules/pkg/', 0o040755],
      ['nodejs/node_modules/pkg/index.js', 0o100644],
    ]);
  });

  it('extracts to the same files `unzip` sees, symlink included', async () => {
    const a = join(await temp(), 'a');
    await sampleTree(a);
    const zip = await createReproducibleZip(await collectTree(a, ''));
    const out = await temp();
    await writeFile(join(out, 'l.zip'), zip);
    execFileSync('unzip', ['-q', 'l.zip', '-d', 'x'], { cwd: out });
    expect(await readFile(join(out, 'x/nodejs/node_modules/.bin/left-pad'), 'utf8')).toBe(
      '#!/usr/bin/env node\n',
    );
    expect(await readFile(join(out, 'x/nodejs/node_modules/left-pad/lib/index.js'), 'utf8')).toBe(
      'module.exports = 1;\n'.repeat(50),
    );
  });

  it("writes Lambda's CodeSha256: base64 of the SHA-256 of the zip bytes", async () => {
    const a = join(await temp(), 'a');
    await sampleTree(a);
    const zip = await createReproducibleZip(await collectTree(a, ''));
    const out = await temp();
    await writeFile(join(out, 'l.zip'), zip);
    const viaOpenssl = execFileSync('sh', ['-c', 'openssl dgst -sha256 -binary l.zip | base64'], { cwd: out })
      .toString()
      .trim();
    expect(codeSha256Of(zip)).toBe(viaOpenssl);
    expect(codeSha256Of(zip)).toBe(createHash('sha256').update(zip).digest('base64'));
  });
});

describe('listZip and extractZipEntry', () => {
  it('lists sizes and extracts one entry byte for byte', async () => {
    const archive = new ZipArchive({});
    const chunks: Buffer[] = [];
    archive.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise((r) => archive.on('end', r));
    const inner = Buffer.from('inner zip bytes '.repeat(100));
    archive.append(inner, { name: 'out/layer.zip' });
    archive.append('readme', { name: 'README.md' });
    await archive.finalize();
    await done;
    const outer = Buffer.concat(chunks);
    expect(await listZip(outer)).toEqual([
      { name: 'out/layer.zip', uncompressedSize: inner.length, compressedSize: expect.any(Number) },
      { name: 'README.md', uncompressedSize: 6, compressedSize: expect.any(Number) },
    ]);
    expect((await extractZipEntry(outer, 'out/layer.zip')).equals(inner)).toBe(true);
    await expect(extractZipEntry(outer, 'nope.zip')).rejects.toThrow(/has no entry 'nope.zip'/);
  });

  it('says plainly when the bytes are not a zip', async () => {
    await expect(listZip(Buffer.from('not a zip at all'), 'layer.zip')).rejects.toThrow(
      /layer.zip is not a readable zip/,
    );
  });
});
