#!/usr/bin/env bash
# Demo: build a Lambda image from the lambda preset on a stand-in base image, create its ECR
# repository (moto) with scan-on-push and a lifecycle policy, push it to the local registry
# and check Lambda would accept the manifest. Runs with the env loaded by scripts/demo.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${DEPLOYKIT:?run through scripts/demo.sh (or export DEPLOYKIT='node dist/cli.js')}"
: "${DEPLOYKIT_REGISTRY:?the local stack env is not loaded}"

run_id="demo$(date +%s)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# No internet here: the AWS base image is replaced by a FROM-scratch stand-in, pushed first.
echo "-- stand-in base image"
$DEPLOYKIT image build --context test/fixtures/images/stand-ins/lambda \
  --repository "$run_id/stand-in-lambda" --tag 1 \
  --registry "$DEPLOYKIT_REGISTRY" --no-ecr --push

echo "-- the function's code; a large directory that .dockerignore leaves out"
cp test/fixtures/images/lambda-app/app.py test/fixtures/images/lambda-app/.dockerignore "$work/"
mkdir -p "$work/fixtures-data"
head -c 8388608 /dev/zero >"$work/fixtures-data/big.bin"

echo "-- plan only"
$DEPLOYKIT --dry-run image build --context "$work" --preset lambda --handler app.handler \
  --base-image "$DEPLOYKIT_REGISTRY/$run_id/stand-in-lambda:1" \
  --repository "$run_id/hello" --tag demo --registry "$DEPLOYKIT_REGISTRY" --push \
  --expire-untagged-days 7 --keep-tagged 20

echo "-- build, create the ECR repository, push, verify"
$DEPLOYKIT image build --context "$work" --preset lambda --handler app.handler \
  --base-image "$DEPLOYKIT_REGISTRY/$run_id/stand-in-lambda:1" \
  --repository "$run_id/hello" --tag demo --registry "$DEPLOYKIT_REGISTRY" --push \
  --expire-untagged-days 7 --keep-tagged 20 --json >"$work/result.json"
image_uri="$(node -p "require('$work/result.json').imageUri")"
echo "pushed: $image_uri"

echo "-- what a deploy would check"
$DEPLOYKIT image verify --image "$image_uri"
