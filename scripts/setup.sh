#!/usr/bin/env bash
# One-time set-up on a fresh Debian/Ubuntu machine: system packages the server's tools use
# (listed in .ci/apt-packages.txt, if any) and the node modules. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -s .ci/apt-packages.txt ]; then
  missing=()
  while read -r package; do
    [ -z "$package" ] && continue
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done < .ci/apt-packages.txt
  if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

npm ci
