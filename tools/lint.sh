#!/usr/bin/env bash
# `npm run lint` (and a step of `npm test`): formatting, ESLint, and the layer rules. Any error fails.
# `npm run format` rewrites the tree in Prettier's style.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "lint: formatting (prettier --check)..."
npx --no-install prettier --check --log-level warn .
echo "lint: eslint..."
npx --no-install eslint --max-warnings 0 .
echo "lint: layers (dependency-cruiser, rules in .dependency-cruiser.cjs)..."
npx --no-install depcruise --no-progress src stages templates bin
