#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh >/dev/null
exec node tools/bench.js "$@"
