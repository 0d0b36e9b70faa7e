import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        test: {
          name: 'unit',
          // Unit tests run first; the integration project (its own worker limit) after them.
          sequence: { groupOrder: 0 },
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // @actions/workflow-parser imports its JSON schema without an import attribute, which
          // Node refuses; let Vite transform it instead.
          server: { deps: { inline: ['@actions/workflow-parser'] } },
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          // Starts (or reuses) the local stack: podman, two registries, moto. Fails loudly if it cannot.
          globalSetup: ['test/integration/globalSetup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // Image builds on podman (vfs storage) are disk-heavy; do not run them all at once on 2 cores.
          maxWorkers: 2,
        },
      },
    ],
  },
});
