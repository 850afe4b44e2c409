# ensure_base_image: print the base image to build on. The configured one (BASE_IMAGE, else the
# Dockerfile's default) when it is present or can be pulled; otherwise a stand-in built from the host's
# Debian mirror -- Debian trixie with its Python 3.13, the same release and Python minor as
# python:3.13-slim-trixie. That is also the air-gapped path. Sourced after common.sh.

STANDIN_IMAGE=${STANDIN_IMAGE:-jupyterlab-minimalist/python-standin:3.13-slim-trixie}
# Bumped whenever build_standin changes, so machines that kept an older stand-in rebuild it.
STANDIN_RECIPE=2

dockerfile_default_base() {
  sed -n 's/^ARG BASE_IMAGE=\(.*\)$/\1/p' "${BUILD_CONTEXT:-$PROJECT_ROOT}/Dockerfile" | head -n 1
}

build_standin() {
  local mirror root
  mirror=$(debian_mirror) || true
  [ -n "$mirror" ] || die "base image $1 cannot be pulled and no Debian mirror is configured in /etc/apt/sources* to build a stand-in"
  is_root || die "base image $1 cannot be pulled; building a stand-in needs root (debootstrap)"
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  root=$(mktemp -d)
  say "debootstrap trixie from $mirror (about a minute)"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    trixie "$root" "$mirror" >"$root.log" 2>&1 || { tail -n 5 "$root.log" >&2; die "debootstrap of trixie failed (log: $root.log)"; }
  # What the official image leaves out too: apt's lists, caches and downloaded packages.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/log/*.log
  tar -C "$root" -c . | docker import \
    --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' \
    --change "LABEL org.jupyterlab-minimalist.standin-recipe=$STANDIN_RECIPE" - "$STANDIN_IMAGE" >/dev/null ||
    die "docker import of the stand-in base failed"
  rm -rf "$root" "$root.log"
}

ensure_base_image() {
  local want=${BASE_IMAGE:-$(dockerfile_default_base)}
  if docker image inspect "$want" >/dev/null 2>&1 || docker pull -q "$want" >/dev/null 2>&1; then
    printf '%s\n' "$want"; return 0
  fi
  if [ "$(docker image inspect -f '{{index .Config.Labels "org.jupyterlab-minimalist.standin-recipe"}}' \
        "$STANDIN_IMAGE" 2>/dev/null)" != "$STANDIN_RECIPE" ]; then
    build_standin "$want"
  fi
  warn "base image $want cannot be pulled (no registry reachable?)."
  warn "USING A STAND-IN BASE: $STANDIN_IMAGE, Debian trixie + Python 3.13 built from the local Debian mirror."
  # The default is pinned by digest (scripts/pin-base): say that the stand-in is not what it pins.
  case $want in *@sha256:*) warn "The Dockerfile pins $want; the stand-in is NOT that image." ;; esac
  warn "Set BASE_IMAGE to use another image. See README, 'Without a registry'."
  printf '%s\n' "$STANDIN_IMAGE"
}
