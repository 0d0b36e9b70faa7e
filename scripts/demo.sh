#!/usr/bin/env bash
# `npm run demo`: starts the local stack and runs each capability's demo step against it
# (scripts/demo.d/*.sh, in order). Nothing here touches real AWS: the env file points every
# AWS call at the local moto server and every push at the local registry.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/local-stack.sh start
eval "$(bash scripts/local-stack.sh env)"
# Each step calls the bundled CLI exactly as a user's workflow would.
export DEPLOYKIT="node $PWD/dist/cli.js"

echo '== deploykit doctor'
$DEPLOYKIT doctor

for step in scripts/demo.d/*.sh; do
  [ -e "$step" ] || continue
  echo "== demo: $(basename "$step" .sh)"
  bash "$step"
done
echo '== demo finished'
