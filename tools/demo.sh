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

# A service is deployed only once its image is in ECR. A first run goes: the repository, the
# image pushed, then everything else. The emulator has no Docker registry, so the image is put the
# way a push ends (an image manifest under the tag, through the ECR API); on AWS this is `docker
# push` (deploy prints the exact commands when an image is missing).
node bin/provision.js deploy --params "$params" --yes --only repository
echo
echo "demo: pushing the services' images to the emulator's ECR, as \`docker push\` would"
node tools/push-image.js --params "$params"
echo
node bin/provision.js deploy --params "$params" --yes
echo
node bin/provision.js status --params "$params"
echo
node bin/provision.js outputs --params "$params"
