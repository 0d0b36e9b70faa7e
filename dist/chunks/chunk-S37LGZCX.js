import { createRequire as __dkRequire } from 'node:module'; import { fileURLToPath as __dkPath } from 'node:url'; const require = __dkRequire(import.meta.url); const __filename = __dkPath(import.meta.url); const __dirname = __dkPath(new URL('.', import.meta.url));

// src/core/lambdaPackage.ts
import { createHash } from "node:crypto";
var MAX_UNZIPPED_BYTES = 262144e3;
var MAX_DIRECT_UPLOAD_BYTES = 50 * 1024 * 1024;
function codeSha256Of(bytes) {
  return createHash("sha256").update(bytes).digest("base64");
}
function sha256HexOf(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}
function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// src/core/fanout.ts
async function fanOut(targets, task, options = {}) {
  const now = options.now ?? Date.now;
  const limit = Math.max(1, Math.min(options.concurrency ?? targets.length, targets.length));
  const results = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const index = next++;
      const target = targets[index];
      const started = now();
      try {
        const value = await task(target, index);
        results[index] = { target, ok: true, value, durationMs: now() - started };
      } catch (error) {
        results[index] = { target, ok: false, error, durationMs: now() - started };
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

export {
  MAX_UNZIPPED_BYTES,
  MAX_DIRECT_UPLOAD_BYTES,
  codeSha256Of,
  sha256HexOf,
  formatBytes,
  fanOut
};
