import { readFile } from 'node:fs/promises';
import { ArtifactError, InputError } from '../core/errors.ts';
import { formatBytes, MAX_UNZIPPED_BYTES } from '../core/lambdaPackage.ts';
import { listZip } from './layerZip.ts';
import type { PublishOptions } from './options.ts';
import {
  type LayerContent,
  layerContentOf,
  type PublishDeps,
  type PublishReport,
  publishLayer,
} from './publishLayer.ts';

/**
 * Checks a layer zip before anything in AWS is touched: it is a zip, and it fits Lambda's
 * 250 MB unzipped limit. Returns the content, read once for every Region.
 */
export async function loadLayerZip(bytes: Buffer, what: string): Promise<LayerContent> {
  const entries = await listZip(bytes, what);
  if (entries.length === 0) throw new ArtifactError(`${what} is an empty zip: a layer needs files`);
  const unzipped = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (unzipped > MAX_UNZIPPED_BYTES) {
    throw new ArtifactError(
      `${what} unzips to ${formatBytes(unzipped)} (${unzipped} bytes), over Lambda's limit of 250 MB (${MAX_UNZIPPED_BYTES} bytes) unzipped`,
      {
        hint: 'that limit covers a function and all its layers together: make the layer smaller or split it',
      },
    );
  }
  return layerContentOf(bytes);
}

/** Reads the `--zip` file; a missing file is an input problem, reported before any AWS call. */
export async function readLayerZipFile(path: string): Promise<LayerContent> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw InputError.single(
      'zip',
      code === 'ENOENT'
        ? `names '${path}', which does not exist: build it first with 'deploykit layer build'`
        : `names '${path}', which cannot be read (${code ?? String(error)})`,
    );
  }
  return loadLayerZip(bytes, path);
}

/** The shared body of `layer publish` and the publish-layer action: validated options in, report out. */
export async function publishFromOptions(
  options: PublishOptions,
  deps: PublishDeps & { dryRun: boolean },
): Promise<PublishReport> {
  const content = await readLayerZipFile(options.zip);
  for (const note of options.regions.notes) deps.reporter.info(note);
  deps.reporter.info(
    `Layer ${options.name}: ${formatBytes(content.bytes.length)}, CodeSha256 ${content.codeSha256}, ${options.regions.regions.length} Region(s)`,
  );
  return publishLayer(
    {
      name: options.name,
      regions: options.regions.regions,
      description: options.description,
      compatibleRuntimes: options.compatibleRuntimes,
      compatibleArchitectures: options.compatibleArchitectures,
      licenseInfo: options.licenseInfo,
      grants: options.grants,
      s3Bucket: options.s3Bucket,
      force: options.force,
      concurrency: options.concurrency,
      dryRun: deps.dryRun,
    },
    content,
    deps,
  );
}
