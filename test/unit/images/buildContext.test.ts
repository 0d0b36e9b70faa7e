import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import {
  collectBuildContext,
  createIgnoreMatcher,
  packBuildContext,
  parseDockerignore,
  withGeneratedFile,
} from '../../../src/images/buildContext.ts';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'dk-ctx-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

async function tarEntries(
  stream: NodeJS.ReadableStream,
): Promise<{ name: string; type: string; body: string; mtime: number; uid: number }[]> {
  const extract = tar.extract();
  const out: { name: string; type: string; body: string; mtime: number; uid: number }[] = [];
  stream.pipe(extract);
  for await (const entry of extract) {
    out.push({
      name: entry.header.name,
      type: entry.header.type ?? 'file',
      body: await text(entry),
      mtime: entry.header.mtime?.getTime() ?? -1,
      uid: entry.header.uid ?? -1,
    });
  }
  return out;
}

const paths = async (root: string, dockerfile = 'Dockerfile') =>
  (await collectBuildContext(root, dockerfile)).entries.filter((e) => e.type === 'file').map((e) => e.path);

describe('.dockerignore filtering', () => {
  it('leaves out an ignored directory without walking it, and reports it', async () => {
    const root = tree({
      Dockerfile: 'FROM scratch',
      'app.py': 'x',
      'node_modules/a/index.js': 'x',
      '.dockerignore': 'node_modules\n',
    });
    const ctx = await collectBuildContext(root, 'Dockerfile');
    expect(ctx.entries.map((e) => e.path)).toEqual(['.dockerignore', 'Dockerfile', 'app.py']);
    expect(ctx.ignored).toEqual(['node_modules/']);
  });

  it('re-includes files with ! negations, later patterns winning', async () => {
    const root = tree({
      Dockerfile: 'x',
      'a.log': 'x',
      'keep.log': 'x',
      'data/big.bin': 'x',
      'data/keep/small.txt': 'x',
      '.dockerignore': '*.log\n!keep.log\ndata\n!data/keep\n',
    });
    expect(await paths(root)).toEqual(['.dockerignore', 'Dockerfile', 'data/keep/small.txt', 'keep.log']);
  });

  it('matches ** across directories and a leading / or ./', async () => {
    const root = tree({
      Dockerfile: 'x',
      'src/a.ts': 'x',
      'src/deep/b.tmp': 'x',
      'c.tmp': 'x',
      'build/out.js': 'x',
      '.dockerignore': '# comment\n**/*.tmp\n/build\n',
    });
    expect(await paths(root)).toEqual(['.dockerignore', 'Dockerfile', 'src/a.ts']);
  });

  it('always sends the Dockerfile and .dockerignore, even when a pattern matches them', async () => {
    const root = tree({ 'docker/Dockerfile.prod': 'x', 'a.txt': 'x', '.dockerignore': '*\n!a.txt\n' });
    expect(await paths(root, 'docker/Dockerfile.prod')).toEqual([
      '.dockerignore',
      'a.txt',
      'docker/Dockerfile.prod',
    ]);
  });

  it('normalises patterns like the Docker CLI', () => {
    expect(parseDockerignore('# c\n\n./a\n/b/\n!./c\n  d  \n')).toEqual(['a', 'b', '!c', 'd']);
  });

  it('knows when an ignored directory may hold re-included files', () => {
    const m = createIgnoreMatcher(['data', '!data/keep', 'vendor']);
    expect(m.mayReinclude('data')).toBe(true);
    expect(m.mayReinclude('vendor')).toBe(false);
    expect(createIgnoreMatcher(['x', '!**/*.md']).mayReinclude('x')).toBe(true);
  });

  it('refuses a context that is not a directory', async () => {
    await expect(collectBuildContext('/nonexistent/dk', 'Dockerfile')).rejects.toThrow(/not a directory/);
  });
});

describe('the context tar', () => {
  it('holds the entries in path order, owned by root, with a fixed mtime, and counts its bytes', async () => {
    const root = tree({ 'b.txt': 'bee', 'a/z.txt': 'zed', Dockerfile: 'FROM scratch\n' });
    const ctx = withGeneratedFile(
      await collectBuildContext(root, 'Dockerfile'),
      'Dockerfile',
      'FROM generated\n',
    );
    const packed = packBuildContext(ctx);
    const entries = await tarEntries(packed.stream);
    expect(entries.map((e) => e.name)).toEqual(['Dockerfile', 'a', 'a/z.txt', 'b.txt']);
    expect(entries.find((e) => e.name === 'Dockerfile')?.body).toBe('FROM generated\n');
    expect(entries.find((e) => e.name === 'b.txt')?.body).toBe('bee');
    expect(new Set(entries.map((e) => e.uid))).toEqual(new Set([0]));
    expect(new Set(entries.map((e) => e.mtime))).toEqual(new Set([Date.parse('1980-01-01T00:00:00Z')]));
    expect(packed.bytes()).toBeGreaterThan(512 * 4);
  });

  it('is the same bytes for the same tree', async () => {
    const root = tree({ 'x/y.txt': 'why', Dockerfile: 'FROM scratch\n' });
    const once = async () => {
      const chunks: Buffer[] = [];
      for await (const c of packBuildContext(await collectBuildContext(root, 'Dockerfile')).stream)
        chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };
    expect((await once()).equals(await once())).toBe(true);
  });
});
