import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import dockerignore from '@balena/dockerignore';
import tar from 'tar-stream';
import { ArtifactError } from '../core/errors.ts';

/**
 * The build context, as the engine will receive it: the files of the context directory that
 * `.dockerignore` does not exclude, walked on the client so ignored trees (node_modules, .git,
 * data sets) are never read, let alone sent.
 */

export interface ContextEntry {
  /** Path inside the context, POSIX separators, no leading `./`. */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  /** Absolute path on disk (absent for generated files). */
  source?: string;
  /** Content of a generated file (a preset's Dockerfile). */
  content?: Buffer;
  size: number;
  mode: number;
  linkname?: string;
}

export interface BuildContext {
  root: string;
  entries: ContextEntry[];
  /** Paths (files and directories) left out by `.dockerignore`, top-most only. */
  ignored: string[];
}

// The package is CommonJS with `factory.default = factory`; its typings describe the ESM view.
const createIgnore = dockerignore.default;

/** Normalises a `.dockerignore` pattern the way the Docker CLI does (no leading `/` or `./`). */
function normalisePattern(line: string): string | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const negated = trimmed.startsWith('!');
  let body = negated ? trimmed.slice(1).trim() : trimmed;
  body = posix
    .normalize(body.replace(/\\/g, '/'))
    .replace(/^(\.\/|\/)+/, '')
    .replace(/\/+$/, '');
  if (body === '.' || body === '') return undefined;
  return negated ? `!${body}` : body;
}

/** The patterns of a `.dockerignore` file's text. */
export function parseDockerignore(text: string): string[] {
  return text.split(/\r?\n/).flatMap((l) => normalisePattern(l) ?? []);
}

/**
 * A predicate that says whether a context path is excluded by the patterns, with Docker's
 * semantics: later patterns win, `!` re-includes, `**` spans directories, and a pattern that
 * matches a directory excludes everything under it.
 */
export function createIgnoreMatcher(patterns: readonly string[]): {
  ignores(path: string): boolean;
  /** True when an ignored directory may hold re-included files, so it must still be walked. */
  mayReinclude(dir: string): boolean;
} {
  const ig = createIgnore().add([...patterns]);
  const negations = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return {
    ignores: (path) => ig.ignores(path),
    mayReinclude: (dir) =>
      negations.some((n) => {
        // A negation re-includes something under `dir` if it could match a path inside it:
        // it starts with `dir/`, or it starts with a wildcard that could span into it.
        if (n.startsWith(`${dir}/`)) return true;
        const firstMeta = n.search(/[*?[]/);
        if (firstMeta === -1) return false;
        const literal = n.slice(0, firstMeta);
        return `${dir}/`.startsWith(literal) || literal.startsWith(`${dir}/`);
      }),
  };
}

/**
 * Walks the context directory and returns the entries to send, sorted by path so the tar is
 * the same for the same tree. The Dockerfile and `.dockerignore` are always sent (as the Docker
 * CLI does), even when a pattern matches them.
 */
export async function collectBuildContext(root: string, dockerfile: string): Promise<BuildContext> {
  const rootStat = await lstat(root).catch(() => undefined);
  if (!rootStat?.isDirectory()) {
    throw new ArtifactError(`the build context '${root}' is not a directory`, {
      hint: 'pass --context with the directory that holds your code (and Dockerfile)',
    });
  }
  const ignoreText = await readFile(join(root, '.dockerignore'), 'utf8').catch(() => '');
  const matcher = createIgnoreMatcher(parseDockerignore(ignoreText));
  const dockerfilePath = posix.normalize(dockerfile.replace(/\\/g, '/')).replace(/^\.\//, '');
  const always = new Set([dockerfilePath, '.dockerignore']);
  const entries: ContextEntry[] = [];
  const ignored: string[] = [];

  const walk = async (dir: string): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const abs = join(dir, name);
      const rel = relative(root, abs).split(sep).join('/');
      const st = await lstat(abs);
      const excluded = matcher.ignores(rel) && !always.has(rel);
      if (st.isDirectory()) {
        const holdsAlways = [...always].some((a) => a.startsWith(`${rel}/`));
        if (excluded && !holdsAlways && !matcher.mayReinclude(rel)) {
          ignored.push(`${rel}/`);
          continue;
        }
        if (!excluded)
          entries.push({ path: rel, type: 'directory', source: abs, size: 0, mode: st.mode & 0o7777 });
        await walk(abs);
        continue;
      }
      if (excluded) {
        ignored.push(rel);
        continue;
      }
      if (st.isSymbolicLink()) {
        entries.push({
          path: rel,
          type: 'symlink',
          source: abs,
          size: 0,
          mode: 0o777,
          linkname: await readlink(abs),
        });
      } else if (st.isFile()) {
        entries.push({ path: rel, type: 'file', source: abs, size: st.size, mode: st.mode & 0o7777 });
      }
      // Sockets, FIFOs and devices cannot be part of an image: skipped like the Docker CLI does.
    }
  };
  await walk(root);
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, entries, ignored };
}

/** Adds (or replaces) a generated file, e.g. the Dockerfile a preset wrote. */
export function withGeneratedFile(context: BuildContext, path: string, content: string): BuildContext {
  const data = Buffer.from(content, 'utf8');
  const entries = context.entries.filter((e) => e.path !== path);
  entries.push({ path, type: 'file', content: data, size: data.length, mode: 0o644 });
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { ...context, entries };
}

/** True when the context holds a regular file at `path`. */
export function hasFile(context: BuildContext, path: string): boolean {
  return context.entries.some((e) => e.path === path && e.type === 'file');
}

// A fixed mtime (the zip/reproducible-builds epoch): the same files give the same tar, and the
// files the image gets do not carry the checkout's timestamps, so unchanged layers keep their
// digest and a re-push uploads only what changed.
const FIXED_MTIME = new Date('1980-01-01T00:00:00Z');

export interface ContextStream {
  stream: Readable;
  /** Bytes written so far; final once `stream` has ended. */
  bytes(): number;
}

/**
 * Streams the context as a tar (owner root, fixed mtime, entries in path order). Files are read
 * one at a time as the engine consumes the stream, so a large context never sits in memory.
 */
export function packBuildContext(context: BuildContext): ContextStream {
  const pack = tar.pack();
  const out = new PassThrough();
  let bytes = 0;
  out.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  const base = { uid: 0, gid: 0, uname: '', gname: '', mtime: FIXED_MTIME };
  const fill = async () => {
    for (const e of context.entries) {
      if (e.type === 'directory') {
        await new Promise<void>((resolve, reject) =>
          pack.entry({ ...base, name: e.path, type: 'directory', mode: e.mode }, (err) =>
            err ? reject(err) : resolve(),
          ),
        );
      } else if (e.type === 'symlink') {
        await new Promise<void>((resolve, reject) =>
          pack.entry(
            { ...base, name: e.path, type: 'symlink', mode: e.mode, linkname: e.linkname ?? '' },
            (err) => (err ? reject(err) : resolve()),
          ),
        );
      } else if (e.content) {
        const content = e.content;
        await new Promise<void>((resolve, reject) =>
          pack.entry({ ...base, name: e.path, mode: e.mode, size: content.length }, content, (err) =>
            err ? reject(err) : resolve(),
          ),
        );
      } else {
        const entry = pack.entry({ ...base, name: e.path, mode: e.mode, size: e.size });
        await pipeline(createReadStream(e.source as string), entry);
      }
    }
    pack.finalize();
  };
  pack.pipe(out);
  fill().catch((error: unknown) => {
    out.destroy(
      new ArtifactError(`could not read the build context: ${(error as Error).message}`, { cause: error }),
    );
  });
  return { stream: out, bytes: () => bytes };
}
