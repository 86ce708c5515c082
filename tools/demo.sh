#!/usr/bin/env bash
# `npm run demo`: set up, start the local AWS emulator (moto, on 127.0.0.1), provision the full
# example environment with live progress, show its status and outputs, then stop the emulator.
# Nothing here reaches a real AWS account.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh

params=${DEMO_PARAMS:-examples/full.yaml}
endpoint=$(node tools/emulator.js start)
trap 'node tools/emulator.js stop >/dev/null 2>&1 || true' EXIT INT TERM
echo "demo: local AWS emulator at $endpoint"

# Dummy credentials for the emulator only.
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="$endpoint"

node bin/provision.js deploy --params "$params" --yes
echo
node bin/provision.js status --params "$params"
echo
node bin/provision.js outputs --params "$params"
