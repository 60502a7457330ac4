#!/usr/bin/env bash
# Makes sure a Docker engine answers `docker info`. As root it installs what is missing
# (docker.io, rsync, debootstrap) and starts dockerd in the background; otherwise it says how.
# Env: HERO_DOCKERD_LOG (default /var/log/hero-dockerd.log).
set -euo pipefail

docker info >/dev/null 2>&1 && exit 0

say() { echo "docker: $*"; }
if [[ $(id -u) -ne 0 ]]; then
  echo "docker: no Docker engine is reachable as $(id -un); start it with 'sudo make docker' (or 'sudo systemctl start docker') and make sure $(id -un) may use it ('sudo usermod -aG docker $(id -un)', then log in again)" >&2
  exit 1
fi
if [[ -n ${DOCKER_HOST:-} && ${DOCKER_HOST} != unix:///var/run/docker.sock && ${DOCKER_HOST} != unix:///run/docker.sock ]]; then
  echo "docker: DOCKER_HOST=$DOCKER_HOST does not answer; start that engine, or unset DOCKER_HOST to use a local dockerd" >&2
  exit 1
fi

declare -A pkg_of=([docker]=docker.io [dockerd]=docker.io [rsync]=rsync [debootstrap]=debootstrap)
missing=()
for cmd in "${!pkg_of[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${pkg_of[$cmd]}")
done
if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  command -v apt-get >/dev/null || { echo "docker: missing ${missing[*]} and no apt-get to install them" >&2; exit 1; }
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # On a systemd machine the package starts the engine itself.
  docker info >/dev/null 2>&1 && { say "engine started by the docker.io package"; exit 0; }
fi

wait_for_engine() { # <pid or ""> <seconds>
  local pid=$1 i
  for ((i = 0; i < $2; i++)); do
    docker info >/dev/null 2>&1 && return 0
    [[ -z $pid ]] || kill -0 "$pid" 2>/dev/null || return 1
    sleep 1
  done
  return 1
}

if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
  say "starting the docker service (systemd)"
  systemctl start docker.service 2>/dev/null && wait_for_engine "" 60 && exit 0
fi

running=$(pidof dockerd || true)
if [[ -n $running ]]; then
  say "dockerd ($running) is running but does not answer yet; waiting up to 60 s"
  wait_for_engine "" 60 && exit 0
  echo "docker: dockerd ($running) runs but 'docker info' fails; see its log or restart it" >&2
  exit 1
fi

# Inside a container on cgroup v2, dockerd can only delegate controllers once no process sits in
# the root group (what moby's dind script does). Not on a systemd host: systemd owns the tree.
if [[ -f /sys/fs/cgroup/cgroup.controllers && ! -d /run/systemd/system && -w /sys/fs/cgroup/cgroup.subtree_control ]]; then
  mkdir -p /sys/fs/cgroup/init
  xargs -rn1 </sys/fs/cgroup/cgroup.procs >/sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true
  sed -e 's/ / +/g' -e 's/^/+/' </sys/fs/cgroup/cgroup.controllers >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
fi

log=${HERO_DOCKERD_LOG:-/var/log/hero-dockerd.log}
mkdir -p "$(dirname "$log")" && touch "$log"
start_dockerd() {
  say "starting dockerd${*:+ $*} (log: $log)"
  setsid nohup dockerd "$@" >>"$log" 2>&1 </dev/null &
  dockerd_pid=$!
  wait_for_engine "$dockerd_pid" 60
}
stop_dockerd() {
  kill "$dockerd_pid" 2>/dev/null || return 0
  for _ in $(seq 1 15); do kill -0 "$dockerd_pid" 2>/dev/null || return 0; sleep 1; done
  kill -9 "$dockerd_pid" 2>/dev/null || true
}

log_mark=$(wc -l <"$log")
start_dockerd && { say "dockerd is up"; exit 0; }
# Only a failing overlay2 earns the slow vfs driver; any other failure is reported as it is.
if tail -n +"$((log_mark + 1))" "$log" | grep -qi 'overlay'; then
  stop_dockerd
  say "overlay2 failed here; retrying with the vfs storage driver (slower, uses more disk)"
  start_dockerd --storage-driver=vfs && { say "dockerd is up (vfs)"; exit 0; }
fi
stop_dockerd
tail -n 15 "$log" >&2
echo "docker: dockerd did not come up within 60 s; full log: $log" >&2
exit 1
