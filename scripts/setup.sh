#!/usr/bin/env bash
# Installs what hero_claude needs and is missing: Debian packages (as root) and npm dependencies.
# Usage: scripts/setup.sh run|test   ("test" adds Debian's chromium for the browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-run}"

declare -A pkg_of=([git]=git [rsync]=rsync [docker]=docker.io [dockerd]=docker.io [debootstrap]=debootstrap [ip]=iproute2)
[[ "$purpose" == "test" ]] && pkg_of[chromium]=chromium

missing=()
for cmd in "${!pkg_of[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${pkg_of[$cmd]}")
done
if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((node_major < 20)); then
  echo "setup: Node.js 20 or newer is needed (found $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installing npm dependencies"
  # npm ci refuses this npm's own lock (it leaves out other platforms' optional packages): install from the lock instead.
  npm install --no-audit --no-fund --loglevel=error
fi
