#!/usr/bin/env bash
# The whole test suite, as the README and CI run it: static checks, the dist/ freshness check,
# then unit and integration tests (the integration project starts the local stack itself).
set -euo pipefail
cd "$(dirname "$0")/.."

echo '== lint (biome)'
npx biome check --error-on-warnings .
echo '== typecheck (tsc)'
npx tsc --noEmit
echo '== dist/ is up to date'
node scripts/build.mjs --check
echo '== unit and integration tests (vitest)'
npx vitest run "$@"
