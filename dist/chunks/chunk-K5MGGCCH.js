import { createRequire as __dkRequire } from 'node:module'; import { fileURLToPath as __dkPath } from 'node:url'; const require = __dkRequire(import.meta.url); const __filename = __dkPath(import.meta.url); const __dirname = __dkPath(new URL('.', import.meta.url));

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
  fanOut
};
