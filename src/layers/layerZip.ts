import { lstat, readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { ZipArchive, type ZipEntryData } from 'archiver';
import yauzl from 'yauzl';
import { ArtifactError } from '../core/errors.ts';

/**
 * Every entry gets this date: the earliest a ZIP (DOS) timestamp can hold. A fixed date keeps
 * the bytes independent of when and where the files were checked out or installed.
 */
export const ZIP_EPOCH = new Date('1980-01-01T00:00:00Z');
/** Fixed so the same input gives the same compressed bytes (with the same zlib). */
export const ZIP_COMPRESSION_LEVEL = 6;

/** One entry to put in a layer zip. */
export type LayerEntry =
  | { type: 'file'; name: string; path: string; size: number; executable: boolean }
  | { type: 'directory'; name: string }
  | { type: 'symlink'; name: string; target: string };

/** Names no layer needs, and that would make two builds of the same input differ (bytecode caches). */
const EXCLUDED_NAMES = new Set(['.git', '.DS_Store', '__pycache__']);
const EXCLUDED_SUFFIXES = ['.pyc'];

function excluded(name: string): boolean {
  return EXCLUDED_NAMES.has(name) || EXCLUDED_SUFFIXES.some((s) => name.endsWith(s));
}

/**
 * Lists a directory tree as layer entries under `prefix` (e.g. `nodejs/node_modules`).
 * Symlinks that stay inside the tree are kept as symlinks (npm's `.bin`); links out of it are
 * followed, files and directories alike, so the layer holds what they point to.
 * `skip` holds absolute paths to leave out (the output zip, when it is written inside the tree).
 */
export async function collectTree(
  root: string,
  prefix: string,
  options: { skip?: readonly string[] } = {},
): Promise<LayerEntry[]> {
  const skip = new Set((options.skip ?? []).map((p) => resolve(p)));
  const top = resolve(root);
  const entries: LayerEntry[] = [];
  // Real paths of the directories being walked: a link back into one of them is a cycle.
  const walking = new Set<string>();
  const inside = (path: string) => path === top || path.startsWith(top + sep);
  const walk = async (dir: string, logical: string) => {
    const real = await realpath(dir);
    if (walking.has(real))
      throw new ArtifactError(`${dir} links back to a directory above it (a symlink cycle)`);
    walking.add(real);
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      if (excluded(name)) continue;
      const path = join(dir, name);
      if (skip.has(path)) continue;
      const rel = logical ? `${logical}/${name}` : name;
      const entryName = joinName(prefix, rel);
      const info = await lstat(path);
      if (info.isDirectory()) {
        entries.push({ type: 'directory', name: entryName });
        await walk(path, rel);
      } else if (info.isFile()) {
        entries.push(fileEntry(entryName, path, info.size, info.mode));
      } else if (info.isSymbolicLink()) {
        const target = await readlink(path);
        if (!isAbsolute(target) && inside(resolve(dir, target)) && inside(resolve(top, logical, target))) {
          entries.push({ type: 'symlink', name: entryName, target: target.split(sep).join('/') });
          continue;
        }
        // A link out of the tree (npm's `file:` dependencies, workspaces): the layer needs the
        // files themselves, since the target will not exist in /opt.
        const followed = await stat(path).catch(() => undefined);
        if (followed?.isFile()) {
          entries.push(fileEntry(entryName, path, followed.size, followed.mode));
        } else if (followed?.isDirectory()) {
          entries.push({ type: 'directory', name: entryName });
          await walk(path, rel);
        } else {
          throw new ArtifactError(`${path} is a symlink to ${target}, which does not exist`, {
            hint: 'remove the link, or put what it points to in the directory',
          });
        }
      }
    }
    walking.delete(real);
  };
  await walk(top, '');
  return entries;
}

function fileEntry(name: string, path: string, size: number, mode: number): LayerEntry {
  return { type: 'file', name, path, size, executable: (mode & 0o111) !== 0 };
}

function joinName(prefix: string, rest: string): string {
  if (!prefix) return rest;
  return rest ? `${prefix.replace(/\/+$/, '')}/${rest}` : prefix.replace(/\/+$/, '');
}

/**
 * Adds the parent directories of every entry (as `zip -r` would list them), drops duplicates,
 * and sorts by name, byte by byte, so the order never depends on the file system or the locale.
 */
export function normalizeEntries(entries: readonly LayerEntry[]): LayerEntry[] {
  const byName = new Map<string, LayerEntry>();
  for (const entry of entries) {
    const parts = entry.name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!byName.has(dir)) byName.set(dir, { type: 'directory', name: dir });
    }
    byName.set(entry.name, entry);
  }
  return [...byName.values()].sort((a, b) => compareNames(a.name, b.name));
}

function compareNames(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

/** The bytes a layer takes once Lambda has unzipped it. */
export function unzippedSizeOf(entries: readonly LayerEntry[]): number {
  return entries.reduce((sum, e) => sum + (e.type === 'file' ? e.size : 0), 0);
}

/**
 * Writes a reproducible zip: entries sorted, every date ZIP_EPOCH, modes 0644 for files,
 * 0755 for executables and directories, a fixed compression level, no extra timestamps.
 * The same entries with the same content give the same bytes.
 */
export async function createReproducibleZip(entries: readonly LayerEntry[]): Promise<Buffer> {
  const sorted = normalizeEntries(entries);
  const archive = new ZipArchive({ zlib: { level: ZIP_COMPRESSION_LEVEL }, forceLocalTime: false });
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: Buffer) => chunks.push(chunk));
  const failed = new Promise<never>((_, reject) => {
    archive.on('error', reject);
    // archiver reports an entry it cannot read as a warning; a layer must not silently lose a file.
    archive.on('warning', reject);
  });
  const ended = new Promise<void>((res) => archive.on('end', () => res()));
  // One entry at a time: the next file is read while the previous one is compressed, and a big
  // tree never holds more than two files in memory or open.
  let previous: Promise<void> = Promise.resolve();
  for (const entry of sorted) {
    const source = entry.type === 'file' ? await readFile(entry.path) : Buffer.alloc(0);
    await Promise.race([previous, failed]);
    previous = new Promise<void>((done) => {
      archive.append(source, { ...entryData(entry), callback: done } as ZipEntryData);
    });
  }
  await Promise.race([previous, failed]);
  await Promise.race([archive.finalize(), failed]);
  await Promise.race([ended, failed]);
  return Buffer.concat(chunks);
}

function entryData(entry: LayerEntry): ZipEntryData & { linkname?: string } {
  switch (entry.type) {
    case 'file':
      return { name: entry.name, type: 'file', date: ZIP_EPOCH, mode: entry.executable ? 0o755 : 0o644 };
    case 'directory':
      return { name: `${entry.name}/`, type: 'directory', date: ZIP_EPOCH, mode: 0o755 };
    case 'symlink':
      return { name: entry.name, type: 'symlink', date: ZIP_EPOCH, mode: 0o777, linkname: entry.target };
  }
}

/** One entry of an existing zip, from its central directory. */
export interface ZipListing {
  name: string;
  uncompressedSize: number;
  compressedSize: number;
}

function openZip(bytes: Buffer, what: string): Promise<yauzl.ZipFile> {
  return new Promise((res, rej) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, decodeStrings: true }, (error, zip) => {
      if (error || !zip) {
        rej(
          new ArtifactError(`${what} is not a readable zip: ${error?.message ?? 'unknown error'}`, {
            cause: error,
          }),
        );
      } else res(zip);
    });
  });
}

/** Lists a zip's entries without extracting them. */
export async function listZip(bytes: Buffer, what = 'The file'): Promise<ZipListing[]> {
  const zip = await openZip(bytes, what);
  return new Promise((res, rej) => {
    const out: ZipListing[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      out.push({ name: e.fileName, uncompressedSize: e.uncompressedSize, compressedSize: e.compressedSize });
      zip.readEntry();
    });
    zip.on('end', () => res(out));
    zip.on('error', (error: Error) => rej(new ArtifactError(`${what} is a damaged zip: ${error.message}`)));
    zip.readEntry();
  });
}

/** Extracts one entry of a zip, whole, into memory. */
export async function extractZipEntry(bytes: Buffer, name: string, what = 'The file'): Promise<Buffer> {
  const zip = await openZip(bytes, what);
  return new Promise((res, rej) => {
    let found = false;
    zip.on('entry', (e: yauzl.Entry) => {
      if (e.fileName !== name) {
        zip.readEntry();
        return;
      }
      found = true;
      zip.openReadStream(e, (error, stream) => {
        if (error || !stream) {
          rej(new ArtifactError(`Could not read '${name}' from ${what}: ${error?.message}`));
          return;
        }
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', (err) =>
          rej(new ArtifactError(`Could not read '${name}' from ${what}: ${err.message}`)),
        );
        stream.on('end', () => {
          zip.close();
          res(Buffer.concat(chunks));
        });
      });
    });
    zip.on('end', () => {
      if (!found) rej(new ArtifactError(`${what} has no entry '${name}'`));
    });
    zip.on('error', (error: Error) => rej(new ArtifactError(`${what} is a damaged zip: ${error.message}`)));
    zip.readEntry();
  });
}
