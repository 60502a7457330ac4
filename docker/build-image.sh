#!/usr/bin/env bash
# Builds the sandbox image (HERO_CLAUDE_IMAGE, default hero-claude-sandbox:latest) with no container
# registry needed: the base is debian:bookworm-slim when present or pullable, else a debootstrap
# of bookworm from the host's own apt mirror. Skipped when an image with the same inputs exists.
# Env: HERO_CLAUDE_IMAGE, HERO_CLAUDE_UID, HERO_CLAUDE_GID (default 1000), HERO_CLAUDE_CA_BUNDLE
# (extra CA certificates; default: the host's /usr/local/share/ca-certificates/*.crt).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
image=${HERO_CLAUDE_IMAGE:-hero-claude-sandbox:latest}
uid=${HERO_CLAUDE_UID:-1000}
gid=${HERO_CLAUDE_GID:-1000}
claude_version=2.1.330
upstream_base=debian:bookworm-slim
local_base=hero-claude-base:bookworm
pull_timeout_s=20

say() { echo "image: $*"; }
die() { echo "image: $*" >&2; exit 1; }

[[ $uid =~ ^[0-9]+$ && $gid =~ ^[0-9]+$ ]] || die "HERO_CLAUDE_UID/HERO_CLAUDE_GID must be numbers (got '$uid'/'$gid')"
command -v docker >/dev/null || die "docker is not installed; run: make docker"
docker info >/dev/null 2>&1 || die "Docker is not reachable; run: make docker"

ctx=$(mktemp -d -t hero-claude-image.XXXXXX)
rootfs=""
cleanup() {
  rm -rf "$ctx"
  if [[ -n $rootfs && -d $rootfs ]]; then
    # debootstrap can leave proc/sys mounted inside a failed target; never delete through them.
    awk -v r="$rootfs" 'index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf --one-file-system "$rootfs"
  fi
}
trap cleanup EXIT

# --- build context: Dockerfile, the host's Debian apt sources, CA certificates ---------------
cp "$here/Dockerfile" "$ctx/Dockerfile"
mkdir -p "$ctx/apt/sources.list.d" "$ctx/ca"

[[ -f /etc/apt/sources.list ]] && grep -qE '^[[:space:]]*deb' /etc/apt/sources.list &&
  cp /etc/apt/sources.list "$ctx/apt/sources.list"
shopt -s nullglob
for f in /etc/apt/sources.list.d/*.sources; do
  # Only sources signed by Debian's own keyring: third-party repos' keys are not in the image.
  if ! grep -i '^Signed-By:' "$f" | grep -qv 'debian-archive-keyring'; then
    cp "$f" "$ctx/apt/sources.list.d/"
  fi
done
shopt -u nullglob
[[ -n $(ls -A "$ctx/apt/sources.list.d") || -f $ctx/apt/sources.list ]] ||
  die "no Debian apt sources on this host (/etc/apt/sources.list or /etc/apt/sources.list.d/*.sources)"

# Append each file with a trailing newline so PEM blocks never run together.
cat_pem() { local f; for f in "$@"; do sed -e '$a\' "$f"; done; }
if [[ -n ${HERO_CLAUDE_CA_BUNDLE:-} ]]; then
  [[ -r $HERO_CLAUDE_CA_BUNDLE ]] || die "HERO_CLAUDE_CA_BUNDLE=$HERO_CLAUDE_CA_BUNDLE is not a readable file"
  cat_pem "$HERO_CLAUDE_CA_BUNDLE" >"$ctx/ca/extra-ca.crt"
  ca_from=$HERO_CLAUDE_CA_BUNDLE
else
  mapfile -t host_certs < <(find -L /usr/local/share/ca-certificates -type f -name '*.crt' 2>/dev/null | sort)
  cat_pem "${host_certs[@]}" >"$ctx/ca/extra-ca.crt"
  ca_from="${#host_certs[@]} file(s) in /usr/local/share/ca-certificates"
fi
# apt over https has no CA store before ca-certificates is installed: lend it the host's.
: >"$ctx/ca/build-ca.crt"
if grep -rqs 'https://' "$ctx/apt"; then
  cat_pem /etc/ssl/certs/ca-certificates.crt "$ctx/ca/extra-ca.crt" >"$ctx/ca/build-ca.crt" 2>/dev/null || true
fi

# The host's npm registry, as its npm is configured; none configured → npm's own default in the build.
registry=$(npm config get registry 2>/dev/null || true)
[[ $registry == http* ]] || registry=""

# --- skip when an image with these inputs exists ----------------------------------------------
hash=$(
  {
    cat "$here/build-image.sh"
    (cd "$ctx" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
    printf '%s\n' "claude=$claude_version" "uid=$uid" "gid=$gid" "registry=$registry"
  } | sha256sum | cut -c1-16
)
current=$(docker image inspect -f '{{ index .Config.Labels "hero_claude.inputs_hash" }}' "$image" 2>/dev/null || true)
if [[ $current == "$hash" ]]; then
  say "$image is up to date (inputs $hash); nothing to build"
  exit 0
fi
same=$(docker images -q --filter "label=hero_claude.inputs_hash=$hash" | head -n1)
if [[ -n $same ]]; then
  docker tag "$same" "$image"
  say "$image tagged from existing image $same (inputs $hash); nothing to build"
  exit 0
fi
old_id=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)

# --- base image --------------------------------------------------------------------------------
# The host's Debian mirror: deb822 URIs of the stanza listing bookworm, else the first `deb` line.
host_mirror() {
  local f=/etc/apt/sources.list.d/debian.sources
  if [[ -r $f ]]; then
    awk 'BEGIN { RS = ""; FS = "\n" }
      { uris = ""; suites = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { uris = $i; sub(/^URIs:[ \t]*/, "", uris) }
          if ($i ~ /^Suites:/) { suites = " " $i " " }
        }
        split(uris, u, /[ \t]+/)
        if (first == "" && u[1] != "") first = u[1]
        if (suites ~ /[ \t]bookworm[ \t]/ && u[1] != "") { print u[1]; found = 1; exit }
      }
      END { if (!found && first != "") print first }' "$f"
    return
  fi
  [[ -r /etc/apt/sources.list ]] &&
    awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } print $i; exit }' /etc/apt/sources.list
}

build_local_base() {
  [[ $(id -u) -eq 0 ]] || die "cannot pull $upstream_base and debootstrap needs root; run as root, or load $upstream_base (docker load)"
  command -v debootstrap >/dev/null || die "debootstrap is not installed; run: make docker (as root) or apt-get install debootstrap"
  local mirror log
  mirror=$(host_mirror)
  [[ -n $mirror ]] || die "no Debian mirror found in the host's apt configuration"
  rootfs=$(mktemp -d /var/tmp/hero-claude-rootfs.XXXXXX)
  log=$(mktemp -t hero-claude-debootstrap.XXXXXX.log)
  say "base: debootstrap bookworm from the host's mirror $mirror (a few minutes; log $log)"
  if ! debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "debootstrap failed; full log: $log"
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  rm -f "$rootfs/etc/resolv.conf" "$rootfs/etc/hostname" # the engine provides both at run time
  tar --numeric-owner -C "$rootfs" -c . | docker import - "$local_base" >/dev/null
  rm -f "$log"
  say "base: imported as $local_base"
}

if docker image inspect "$upstream_base" >/dev/null 2>&1; then
  base=$upstream_base
  say "base: $upstream_base (present locally)"
elif docker image inspect "$local_base" >/dev/null 2>&1; then
  base=$local_base
  say "base: $local_base (debootstrapped earlier)"
elif timeout "$pull_timeout_s" docker pull -q "$upstream_base" >/dev/null 2>&1; then
  base=$upstream_base
  say "base: $upstream_base (pulled)"
else
  say "base: $upstream_base is not present and cannot be pulled within ${pull_timeout_s}s"
  build_local_base
  base=$local_base
fi

# --- build -------------------------------------------------------------------------------------
build_log=$(mktemp -t hero-claude-image-build.XXXXXX.log)
say "building $image: claude-code $claude_version, uid:gid $uid:$gid, CA from $ca_from, npm ${registry:-(npm default)}, inputs $hash"
if ! docker build \
  --build-arg "BASE_IMAGE=$base" \
  --build-arg "AGENT_UID=$uid" \
  --build-arg "AGENT_GID=$gid" \
  --build-arg "CLAUDE_CODE_VERSION=$claude_version" \
  --build-arg "NPM_REGISTRY=$registry" \
  --build-arg "INPUTS_HASH=$hash" \
  --tag "$image" "$ctx" >"$build_log" 2>&1; then
  tail -n 30 "$build_log" >&2
  die "docker build failed; full log: $build_log"
fi
rm -f "$build_log"

new_id=$(docker image inspect -f '{{.Id}}' "$image")
# The image this build replaced is now untagged; drop it unless a container still uses it.
if [[ -n $old_id && $old_id != "$new_id" ]]; then
  docker image rm "$old_id" >/dev/null 2>&1 || true
fi
say "built $image ($(docker run --rm --entrypoint claude "$image" --version 2>/dev/null | head -n1))"
