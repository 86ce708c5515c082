#!/usr/bin/env bash
# Idempotent set-up for a fresh clone: npm dependencies (which also builds dist/) and the Python
# tools (cfn-lint, checkov, moto) in ./.venv. Re-runs are quick: each step is skipped while its
# inputs (package-lock.json, tools/requirements.txt) are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

npm_stamp=$(stamp package-lock.json package.json)
if [ ! -d node_modules ] || [ "$(cat .cache/npm.stamp 2>/dev/null)" != "$npm_stamp" ]; then
  echo "setup: installing npm dependencies..."
  # `npm install`, not `npm ci`: the lock file pins every version, but some registries (mirrors)
  # lack the platform-specific optional packages of a dependency (e.g. @unrs/resolver-binding-*),
  # which npm ci counts as a lock mismatch even though nothing on this platform needs them.
  npm install --no-audit --no-fund --loglevel=error
  echo "$npm_stamp" > .cache/npm.stamp
fi

py_stamp=$(stamp tools/requirements.txt)
if [ ! -x .venv/bin/python ] || [ "$(cat .cache/venv.stamp 2>/dev/null)" != "$py_stamp" ]; then
  echo "setup: creating .venv with cfn-lint, checkov and moto (first run takes a minute or two)..."
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r tools/requirements.txt
  echo "$py_stamp" > .cache/venv.stamp
fi

# Always rebuild: tsc is incremental enough and a stale dist/ is worse than a second's wait.
npm run --silent build
