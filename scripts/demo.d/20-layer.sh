#!/usr/bin/env bash
# Demo: build a reproducible layer zip twice (same bytes), publish it to five Regions of the
# local moto with grants, re-run (nothing changes), then publish a changed build (one new
# version per Region). Runs with the env loaded by scripts/demo.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${DEPLOYKIT:?run through scripts/demo.sh (or export DEPLOYKIT='node dist/cli.js')}"
: "${AWS_ENDPOINT_URL:?the local stack env is not loaded}"

name="demo-greeting-$(date +%s)"
regions="us-east-1,eu-west-1,ap-south-1,sa-east-1,ca-central-1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "-- build the layer twice from two copies: the same bytes"
cp -R test/fixtures/layers/greeting "$work/a"
cp -R test/fixtures/layers/greeting "$work/b"
touch -d '2001-02-03 04:05:06' "$work/b/nodejs/node_modules/greeting/index.js"
$DEPLOYKIT layer build "$work/a" --runtime nodejs22.x --no-install --out "$work/a.zip"
$DEPLOYKIT layer build "$work/b" --runtime nodejs22.x --no-install --out "$work/b.zip" >/dev/null
cmp "$work/a.zip" "$work/b.zip" && echo "identical zips"

echo "-- plan only"
$DEPLOYKIT --dry-run layer publish --zip "$work/a.zip" --name "$name" --regions "$regions" \
  --grant account:210987654321 --grant public

echo "-- publish to five Regions"
$DEPLOYKIT layer publish --zip "$work/a.zip" --name "$name" --regions "$regions" \
  --compatible-runtimes nodejs20.x,nodejs22.x --grant account:210987654321 --grant public

echo "-- again: every Region is unchanged"
$DEPLOYKIT layer publish --zip "$work/a.zip" --name "$name" --regions "$regions" \
  --grant account:210987654321 --grant public --json >"$work/again.json"
node -e 'const r = require(process.argv[1]); console.log("statuses:", Object.values(r.regions).map((x) => x.status).join(" "))' "$work/again.json"

echo "-- a changed module: one new version per Region"
cat >"$work/a/nodejs/node_modules/greeting/index.js" <<'JS'
exports.greet = (name) => `hello again, ${name}`;
JS
$DEPLOYKIT layer build "$work/a" --runtime nodejs22.x --no-install --out "$work/a2.zip" >/dev/null
$DEPLOYKIT layer publish --zip "$work/a2.zip" --name "$name" --regions "$regions" \
  --grant account:210987654321 --grant public

echo "-- a typo in a Region is refused before anything is published (exit 2)"
set +e
$DEPLOYKIT layer publish --zip "$work/a2.zip" --name "$name" --regions us-east-1,eu-west-9
code=$?
set -e
[ "$code" -eq 2 ] || { echo "expected exit 2, got $code" >&2; exit 1; }
