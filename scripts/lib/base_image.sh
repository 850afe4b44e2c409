# ensure_base_image: print the base image to build on. The configured one (BASE_IMAGE, else the
# Dockerfile's default) when it is present or can be pulled; otherwise a stand-in built from the host's
# Debian mirror -- Debian trixie with its Python 3.13, the same release and Python minor as
# python:3.13-slim-trixie. That is also the air-gapped path. Sourced after common.sh.

. "$PROJECT_ROOT/scripts/lib/emulation.sh"

STANDIN_IMAGE=${STANDIN_IMAGE:-jupyterlab-minimalist/python-standin:3.13-slim-trixie}
# Bumped whenever build_standin changes, so machines that kept an older stand-in rebuild it: the
# host's own stand-in, and one built for another platform (debootstrap --foreign, emulated second
# stage). Separate, so that changing the emulated path leaves the host's stand-in's image ID alone.
STANDIN_RECIPE=2
STANDIN_FOREIGN_RECIPE=3

# standin_recipe [PLATFORM]: the recipe number of PLATFORM's stand-in (the host's when omitted).
standin_recipe() {
  if [ -z "${1:-}" ] || [ "$1" = "$(host_platform)" ]; then echo "$STANDIN_RECIPE"; else echo "$STANDIN_FOREIGN_RECIPE"; fi
}

# What the emulated second stage must not run: Python's byte-compilation of its standard library
# (python3.13-minimal's, python3.13's and python3.13-venv's postinst run py_compile.py over every
# module; python3's and python3-minimal's run py3compile) -- most of the second stage under qemu.
# The official python:3.13-slim image ships no standard-library .pyc either (its Dockerfile deletes
# them), so skipping it is closer to that image, not further. Each is diverted the way dpkg-divert
# records it (debootstrap writes /var/lib/dpkg/diversions itself the same way), a no-op stands in
# its place, and the package's own file is put back after the second stage.
FOREIGN_SKIPPED="/usr/lib/python3.13/py_compile.py /usr/bin/py3compile /usr/bin/py3clean"

# divert_for_second_stage ROOT: record each skipped file as diverted to FILE.standin-real, with a
# no-op in its place (an empty module for py_compile.py run as a script, `true` for the others).
divert_for_second_stage() {
  local root=$1 path
  for path in $FOREIGN_SKIPPED; do
    printf '%s\n%s\n:\n' "$path" "$path.standin-real" >>"$root/var/lib/dpkg/diversions"
    mkdir -p "$root${path%/*}"
    case $path in
      *.py) : >"$root$path" ;;
      *) printf '#!/bin/sh\nexit 0\n' >"$root$path"; chmod 755 "$root$path" ;;
    esac
  done
}

# undivert_after_second_stage ROOT: the packages' own files back in place, the diversions dropped.
undivert_after_second_stage() {
  local root=$1 path list=$1/var/lib/dpkg/diversions
  for path in $FOREIGN_SKIPPED; do
    [ -e "$root$path.standin-real" ] || die "stand-in: $path.standin-real is missing after the second stage"
    mv -f "$root$path.standin-real" "$root$path"
  done
  # Records are three lines (file, diverted-to, package); keep every record that is not ours.
  awk -v skipped=" $FOREIGN_SKIPPED " '
    NR % 3 == 1 { file = $0 } NR % 3 == 2 { to = $0 }
    NR % 3 == 0 { if (!(index(skipped, " " file " ") && to == file ".standin-real")) printf "%s\n%s\n%s\n", file, to, $0 }
  ' "$list" >"$list.new" && mv "$list.new" "$list"
  [ -s "$list" ] || rm -f "$list"
}

dockerfile_default_base() {
  sed -n 's/^ARG BASE_IMAGE=\(.*\)$/\1/p' "${BUILD_CONTEXT:-$PROJECT_ROOT}/Dockerfile" | head -n 1
}

# standin_name [PLATFORM]: the stand-in's tag for PLATFORM (the host's own when omitted or the
# same): the host's keeps its old name, another platform's gets the architecture appended.
standin_name() {
  local platform=${1:-}
  if [ -z "$platform" ] || [ "$platform" = "$(host_platform)" ]; then
    printf '%s\n' "$STANDIN_IMAGE"
  else
    printf '%s-%s\n' "$STANDIN_IMAGE" "${platform#linux/}"
  fi
}

# build_standin WANTED [PLATFORM]: debootstrap the stand-in for PLATFORM (default the host's).
# Another platform's: debootstrap --foreign unpacks its packages natively (no emulation), and only
# the second stage (the packages' configure scripts) runs under qemu, in a chroot.
build_standin() {
  local mirror root platform=${2:-$(host_platform)} name arch=() second=""
  name=$(standin_name "$platform")
  mirror=$(debian_mirror) || true
  [ -n "$mirror" ] || die "base image $1 cannot be pulled and no Debian mirror is configured in /etc/apt/sources* to build a stand-in"
  is_root || die "base image $1 cannot be pulled; building a stand-in needs root (debootstrap)"
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  if [ "$platform" != "$(host_platform)" ]; then
    ensure_emulation "$platform"
    arch=(--arch="${platform#linux/}" --foreign); second=1
  fi
  root=$(mktemp -d)
  say "debootstrap trixie for $platform from $mirror (about a minute${second:+, then its second stage emulated})"
  debootstrap ${arch[@]+"${arch[@]}"} --variant=minbase --include=python3,python3-venv,ca-certificates \
    trixie "$root" "$mirror" >"$root.log" 2>&1 || { tail -n 5 "$root.log" >&2; die "debootstrap of trixie failed (log: $root.log)"; }
  if [ -n "$second" ]; then
    # The second stage looks each package up in the suite's whole Packages index with perl and grep,
    # all emulated (over 10 minutes): cut the index to the packages it installs first, natively.
    local list
    for list in "$root"/var/lib/apt/lists/*_Packages; do
      awk 'NR == FNR {keep[$1]; next} /^Package: / {p = ($2 in keep)} p' \
        <(cat "$root/debootstrap/required" "$root/debootstrap/base" | tr ' ' '\n') "$list" >"$list.needed" &&
        mv "$list.needed" "$list"
    done
    divert_for_second_stage "$root"
    chroot "$root" /debootstrap/debootstrap --second-stage >>"$root.log" 2>&1 ||
      { tail -n 5 "$root.log" >&2; die "debootstrap's second stage for $platform failed (log: $root.log)"; }
    undivert_after_second_stage "$root"
  fi
  # What the official image leaves out too: apt's lists, caches and downloaded packages.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/log/*.log
  tar -C "$root" -c . | docker import --platform "$platform" \
    --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' \
    --change "LABEL org.jupyterlab-minimalist.standin-recipe=$(standin_recipe "$platform")" - "$name" >/dev/null ||
    die "docker import of the stand-in base failed"
  rm -rf "$root" "$root.log"
}

# ensure_standin WANTED [PLATFORM]: print the stand-in's name for PLATFORM, built if missing or old.
ensure_standin() {
  local name
  name=$(standin_name "${2:-}")
  if [ "$(docker image inspect -f '{{index .Config.Labels "org.jupyterlab-minimalist.standin-recipe"}}' \
        "$name" 2>/dev/null)" != "$(standin_recipe "${2:-}")" ]; then
    build_standin "$1" "${2:-}"
  fi
  printf '%s\n' "$name"
}

ensure_base_image() {
  local want=${BASE_IMAGE:-$(dockerfile_default_base)}
  if docker image inspect "$want" >/dev/null 2>&1 || docker pull -q "$want" >/dev/null 2>&1; then
    printf '%s\n' "$want"; return 0
  fi
  ensure_standin "$want" >/dev/null
  warn "base image $want cannot be pulled (no registry reachable?)."
  warn "USING A STAND-IN BASE: $STANDIN_IMAGE, Debian trixie + Python 3.13 built from the local Debian mirror."
  # The default is pinned by digest (scripts/pin-base): say that the stand-in is not what it pins.
  case $want in *@sha256:*) warn "The Dockerfile pins $want; the stand-in is NOT that image." ;; esac
  warn "Set BASE_IMAGE to use another image. See README, 'Without a registry'."
  printf '%s\n' "$STANDIN_IMAGE"
}
