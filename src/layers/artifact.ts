import { ArtifactError } from '../core/errors.ts';
import { extractZipEntry, listZip } from './layerZip.ts';

/** Top-level folders Lambda reads from a layer (/opt/<folder>); their presence marks a layer zip. */
const LAYER_FOLDERS = ['nodejs/', 'python/', 'java/', 'ruby/', 'bin/', 'lib/', 'etc/', 'extensions/'];

/**
 * Finds the layer zip in a CodePipeline input artifact. The artifact is either the layer zip
 * itself (its entries start with nodejs/, python/, ...) or a zip that contains it (a CodeBuild
 * output artifact holding `layer.zip`). `file` names the inner zip when there are several.
 */
export async function layerZipFromArtifact(
  artifact: Buffer,
  file?: string,
): Promise<{ bytes: Buffer; source: string }> {
  const entries = await listZip(artifact, 'The input artifact');
  const zips = entries.filter((e) => e.name.toLowerCase().endsWith('.zip')).map((e) => e.name);
  if (file) {
    if (!zips.includes(file) && !entries.some((e) => e.name === file)) {
      throw new ArtifactError(
        `The input artifact has no '${file}' (zips in it: ${zips.join(', ') || 'none'})`,
        {
          hint: "set 'file' in UserParameters to the path of the layer zip inside the artifact",
        },
      );
    }
    return { bytes: await extractZipEntry(artifact, file, 'The input artifact'), source: file };
  }
  if (entries.some((e) => LAYER_FOLDERS.some((d) => e.name.startsWith(d)))) {
    return { bytes: artifact, source: 'the artifact itself' };
  }
  if (zips.length === 1) {
    const only = zips[0] as string;
    return { bytes: await extractZipEntry(artifact, only, 'The input artifact'), source: only };
  }
  if (zips.length > 1) {
    throw new ArtifactError(
      `The input artifact holds ${zips.length} zips (${zips.join(', ')}), and none was chosen`,
      {
        hint: 'name the layer zip with \'file\' in UserParameters, e.g. {"file":"layer.zip"}',
      },
    );
  }
  // No known folder and no inner zip: a layer may lay out anything under /opt, publish it as is.
  return { bytes: artifact, source: 'the artifact itself' };
}
