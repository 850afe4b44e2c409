# ensure_engine: make `docker` answer with buildx and compose v2, installing and starting an engine
# on a Debian host as root when none runs. Sourced after common.sh.

engine_answers() { docker info >/dev/null 2>&1; }
engine_complete() { docker buildx version >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; }

# Debian bookworm's docker.io is 20.10 (no buildx, no compose v2). trixie's docker.io, docker-buildx
# and docker-compose install on bookworm as they are: their dependencies are met by bookworm's own
# packages. Download just those three from trixie through a private apt source list, so the host's
# own sources stay untouched.
install_engine_debian() {
  local mirror tmp
  mirror=$(debian_mirror) || true
  [ -n "$mirror" ] || die "no Docker engine, and no Debian mirror found in /etc/apt/sources*: install Docker Engine with buildx and compose v2"
  tmp=$(mktemp -d)
  mkdir -p "$tmp/lists/partial" "$tmp/debs"
  printf 'deb %s trixie main\n' "$mirror" > "$tmp/sources.list"
  local opts=(-o "Dir::Etc::sourcelist=$tmp/sources.list" -o "Dir::Etc::sourceparts=-"
              -o "Dir::State::Lists=$tmp/lists" -o "APT::Get::List-Cleanup=0")
  say "installing Docker Engine, buildx and compose from Debian trixie ($mirror)"
  apt-get ${opts[@]+"${opts[@]}"} update -qq >&2 || die "apt-get update of trixie from $mirror failed"
  (cd "$tmp/debs" && apt-get ${opts[@]+"${opts[@]}"} download docker.io docker-buildx docker-compose >&2) ||
    die "could not download docker.io, docker-buildx, docker-compose from trixie"
  apt_update_once
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tmp"/debs/*.deb >&2 ||
    die "installing the Docker Engine packages failed"
  rm -rf "$tmp"
}

start_dockerd() {
  say "starting dockerd (log: /var/log/dockerd.log)"
  # setsid: the daemon must outlive this script and not get the terminal's signals.
  setsid dockerd >>/var/log/dockerd.log 2>&1 < /dev/null &
  wait_for 60 docker info || die "dockerd did not answer within 60 s; see /var/log/dockerd.log"
}

# Whether this Debian host needs trixie's engine: none at all, or bookworm's 20.10 (no buildx or
# compose v2 to go with it). An engine that did not come from Debian's docker.io is left alone.
engine_needs_install() {
  command -v dockerd >/dev/null 2>&1 || return 0
  local version
  version=$(dpkg-query -W -f '${Version}' docker.io 2>/dev/null) || return 1
  ! dpkg --compare-versions "$version" ge 23
}

ensure_engine() {
  if engine_answers && engine_complete; then return 0; fi
  if engine_answers; then
    die "the Docker engine answers but buildx or compose v2 is missing: install docker-buildx-plugin and docker-compose-plugin"
  fi
  if ! is_root; then
    die "no Docker engine answers and this is not root: start Docker (or install Docker Engine with buildx and compose v2) and retry"
  fi
  if ! is_debian; then
    die "no Docker engine answers: install Docker Engine with buildx and compose v2 (https://docs.docker.com/engine/install/)"
  fi
  if engine_needs_install; then install_engine_debian; fi
  engine_answers || start_dockerd
  engine_complete || die "Docker answers but buildx or compose v2 is missing: install docker-buildx and docker-compose"
}

# ensure_disk_room GB: stop with one line when the engine's data root (where it is a local folder:
# not inside Docker Desktop's VM) has less than GB gigabytes free. A full test run builds about a
# dozen images; on a full disk it fails minutes in, with errors that do not say why.
ensure_disk_room() {
  local root free_kb
  root=$(docker info --format '{{.DockerRootDir}}' 2>/dev/null) || return 0
  [ -d "$root" ] || return 0
  free_kb=$(df -Pk "$root" | awk 'NR == 2 { print $4 }')
  [ -n "$free_kb" ] || return 0
  if [ "$free_kb" -lt $(($1 * 1024 * 1024)) ]; then
    die "only $((free_kb / 1024 / 1024)) GB free under $root; the suite needs about $1 GB: remove unused images (docker image prune) and retry"
  fi
}

# bound_build_cache: the suite's no-cache and variant builds add about 30 GB of build cache a run;
# keep it under 8 GB before and after one (least recently used entries go first; what every run
# reuses stays). This prunes other projects' build cache on the engine too.
bound_build_cache() {
  docker builder prune -f --keep-storage 8GB >/dev/null || warn "could not prune the build cache"
}
