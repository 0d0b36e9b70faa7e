import { createHash } from 'node:crypto';

/**
 * Facts about Lambda code packages (function zips and layer zips alike), kept in one place so
 * layers and functions agree on them.
 */

/** Lambda's limit for a function and all its layers, unzipped (250 MB). */
export const MAX_UNZIPPED_BYTES = 262_144_000;
/** The largest zip Lambda accepts uploaded directly in the request; larger ones go through S3. */
export const MAX_DIRECT_UPLOAD_BYTES = 50 * 1024 * 1024;

/** Lambda's CodeSha256: the base64 of the SHA-256 of the package's bytes. */
export function codeSha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/** The hex SHA-256, used to name content-addressed S3 objects. */
export function sha256HexOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Formats a byte count for people (`12.3 MB`, in units of 1024² like Lambda's quotas page). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
