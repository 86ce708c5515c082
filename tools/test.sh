#!/usr/bin/env bash
# `npm test`: set up, type-check, lint (format, ESLint, layer rules), check that published/ is current, then run every test tier
# (template assertions, cfn-lint, checkov, engine, CLI and end-to-end tests on the local emulator).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh

echo "test: type-checking..."
npx --no-install tsc -p tsconfig.json --noEmit
bash tools/lint.sh
echo "test: checking published/ is current..."
node bin/provision.js synth --check

mkdir -p .cache
status=0
npx --no-install jest --ci --json --outputFile=.cache/jest-results.json "$@" || status=$?
node -e '
  const r = require("./.cache/jest-results.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit $status
