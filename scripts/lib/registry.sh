# A throw-away container registry on 127.0.0.1, to pin and pull a base image by digest where no
# public registry is reachable (tests do that; so can an air-gapped site with its own mirror).
# The engine treats 127.0.0.0/8 as an insecure registry, so plain HTTP is enough. Sourced after
# common.sh.
#   registry_start DIR [PORT] [ADDR]  serve with storage in DIR on ADDR (default 127.0.0.1; another
#                               address must be one the caller made, and its pullers must list it as
#                               an insecure registry); prints "PID PORT" once /v2/ answers
#   registry_stop PID           stop that registry and wait until it is gone

REGISTRY_CACHE="$PROJECT_ROOT/.cache/registry"

# Debian's docker-registry: the one on PATH, else the binary unpacked from the package into .cache.
# Unpacked rather than installed: the package's maintainer script would also start a system-wide
# registry on :5000 through its init script on hosts without systemd, and add a system user.
registry_binary() {
  local tmp
  if command -v docker-registry >/dev/null 2>&1; then command -v docker-registry; return 0; fi
  if [ -x "$REGISTRY_CACHE/usr/bin/docker-registry" ]; then
    printf '%s\n' "$REGISTRY_CACHE/usr/bin/docker-registry"; return 0
  fi
  is_debian || { warn "no docker-registry on PATH and this is not Debian: install Distribution's registry"; return 1; }
  tmp=$(mktemp -d)
  if ! (cd "$tmp" && apt-get download docker-registry >/dev/null 2>&1); then
    is_root || { warn "apt-get download docker-registry failed (apt lists missing?), and updating them needs root"; rm -rf "$tmp"; return 1; }
    apt_update_once
    (cd "$tmp" && apt-get download docker-registry >&2) || { warn "apt-get download docker-registry failed"; rm -rf "$tmp"; return 1; }
  fi
  mkdir -p "$REGISTRY_CACHE"
  dpkg-deb -x "$tmp"/docker-registry_*.deb "$REGISTRY_CACHE" || { warn "unpacking docker-registry failed"; rm -rf "$tmp"; return 1; }
  rm -rf "$tmp"
  printf '%s\n' "$REGISTRY_CACHE/usr/bin/docker-registry"
}

free_tcp_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

registry_answers() {  # PORT [ADDR]
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null "http://${2:-127.0.0.1}:$1/v2/"
  else
    python3 -c 'import sys, urllib.request; urllib.request.urlopen(f"http://{sys.argv[2]}:{sys.argv[1]}/v2/", timeout=2)' "$1" "${2:-127.0.0.1}"
  fi
}

registry_start() {
  local dir=$1 port=${2:-} addr=${3:-127.0.0.1} bin pid
  bin=$(registry_binary) || return 1
  [ -n "$port" ] || port=$(free_tcp_port)
  mkdir -p "$dir/storage"
  cat > "$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: $addr:$port
EOF
  # setsid: its own session, so a terminal's Ctrl-C does not reach it; registry_stop ends it.
  setsid "$bin" serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
  pid=$!
  if ! wait_for 30 registry_answers "$port" "$addr"; then
    kill "$pid" 2>/dev/null || true
    tail -n 5 "$dir/registry.log" >&2
    warn "the registry on $addr:$port did not answer within 30 s"
    return 1
  fi
  printf '%s %s\n' "$pid" "$port"
}

registry_gone() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 0
  case $state in Z*) return 0 ;; esac  # exited, waiting to be reaped
  return 1
}

registry_stop() {
  local pid=$1
  # Only ever the registry this file started: check the PID is still a docker-registry.
  case $(ps -o args= -p "$pid" 2>/dev/null) in
    *docker-registry*serve*) ;;
    *) return 0 ;;
  esac
  kill "$pid" 2>/dev/null || true
  wait_for 10 registry_gone "$pid" || { kill -KILL "$pid" 2>/dev/null || true; wait_for 5 registry_gone "$pid"; }
}

# The project's own local registry, for multi-platform images where the engine's image store holds
# one platform per name: storage under .cache, kept between runs (what it holds survives a stop).
#   local_registry_start        start it (or reuse the one running); sets LOCAL_REGISTRY=127.0.0.1:PORT
#   local_registry_stop         stop the one local_registry_start started in this shell
LOCAL_REGISTRY_DIR="$PROJECT_ROOT/.cache/local-registry"
local_registry_pid=""

local_registry_start() {
  local state
  state=$(registry_start "$LOCAL_REGISTRY_DIR") || die "the local registry could not be started"
  local_registry_pid=${state% *}
  LOCAL_REGISTRY=127.0.0.1:${state#* }
}

local_registry_stop() {
  [ -n "$local_registry_pid" ] && registry_stop "$local_registry_pid"
  local_registry_pid=""
}

# push_index REPO TAG IMAGE...: push each single-platform IMAGE (a local tag) to REPO, then one
# multi-platform index REPO:TAG naming them all; prints the index's digest. The index is a
# function of the images' manifests alone, so identical images give an identical digest.
push_index() {
  local repo=$1 tag=$2 image arch refs=() digest
  shift 2
  for image in "$@"; do
    arch=$(docker image inspect -f '{{.Architecture}}' "$image") || die "no image $image"
    docker tag "$image" "$repo:$tag-$arch"
    docker push -q "$repo:$tag-$arch" >/dev/null || die "docker push of $repo:$tag-$arch failed"
    docker rmi "$repo:$tag-$arch" >/dev/null
    refs+=("$repo:$tag-$arch")
  done
  docker buildx imagetools create --progress plain -t "$repo:$tag" ${refs[@]+"${refs[@]}"} >&2 ||
    die "the index $repo:$tag could not be made"
  digest=$(docker buildx imagetools inspect --format '{{json .Manifest}}' "$repo:$tag" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["digest"])') || die "the index $repo:$tag could not be read"
  printf '%s\n' "$digest"
}
