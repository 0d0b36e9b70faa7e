#!/usr/bin/env bash
# Demo: gated Lambda deploys on the local stack (moto). Creates a zip function, then with
# deploykit: plans a deploy, deploys new code with a published version and an alias, waits,
# shows that an unchanged deploy uploads nothing, and rolls the alias back.
# moto's functions are always Active/Successful, so the gate passes at its first look here;
# the Pending/InProgress/Failed paths are covered by the unit tests.
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${DEPLOYKIT:?run through scripts/demo.sh (or export DEPLOYKIT='node dist/cli.js')}"
: "${AWS_ENDPOINT_URL:?the local stack env is not loaded}"

region="${AWS_REGION:-us-east-1}"
run_id="demo$(date +%s)"
fn="$run_id-hello"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Two versions of the function's code, as zips.
mkdir -p "$work/v1" "$work/v2"
printf 'export const handler = async () => "v1";\n' >"$work/v1/index.mjs"
printf 'export const handler = async () => "v2";\n' >"$work/v2/index.mjs"
(cd "$work/v1" && zip -qX ../v1.zip index.mjs)
(cd "$work/v2" && zip -qX ../v2.zip index.mjs)

echo "-- the function to deploy to (created with the AWS CLI; moto wants its role to exist)"
aws --endpoint-url "$AWS_ENDPOINT_URL" --region "$region" iam create-role --role-name "$fn" \
  --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}' \
  --query Role.Arn --output text >"$work/role"
aws --endpoint-url "$AWS_ENDPOINT_URL" --region "$region" lambda create-function --function-name "$fn" \
  --runtime nodejs20.x --handler index.handler --role "$(cat "$work/role")" \
  --zip-file "fileb://$work/v1.zip" --query State --output text

echo "-- wait until it is Active and its last update Successful"
$DEPLOYKIT --region "$region" function wait --function "$fn" --timeout 2m

echo "-- plan only: current and new CodeSha256, the version it would publish, the alias move"
$DEPLOYKIT --region "$region" --dry-run function deploy --function "$fn" --zip "$work/v2.zip" --alias live

echo "-- deploy v2: gate, update, gate, publish, wait for the version, point alias 'live' at it"
$DEPLOYKIT --region "$region" function deploy --function "$fn" --zip "$work/v2.zip" --alias live \
  --description "demo v2"

echo "-- the same zip again: unchanged, nothing uploaded"
$DEPLOYKIT --region "$region" function deploy --function "$fn" --zip "$work/v2.zip"

echo "-- v1 again as a new version, then roll the alias back to the version before"
$DEPLOYKIT --region "$region" function deploy --function "$fn" --zip "$work/v1.zip" --alias live
$DEPLOYKIT --region "$region" function rollback --function "$fn" --alias live
