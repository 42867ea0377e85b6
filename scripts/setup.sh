#!/usr/bin/env bash
# Installs ahead of time what `npm start` and `npm test` would install on first use: the system packages in
# .ci/apt-packages.txt (with sudo when not root) and the node modules. Safe to run again. Same as `npm run setup`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node scripts/ensure-installed.mjs --system-packages=required "$@"
