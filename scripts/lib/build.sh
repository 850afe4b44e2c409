# build_image TAG [docker build args...]: build the Dockerfile from requirements.lock.
# BUILD_CONTEXT: another context with the same layout (tests build altered locks that way).
# Sourced after common.sh, engine.sh and base_image.sh.

build_image() {
  local tag=$1; shift
  local base ca epoch
  base=$(ensure_base_image)
  # The last commit's time: the image's `created` and every file time, so rebuilds are identical.
  epoch=$(git -C "$PROJECT_ROOT" log -1 --format=%ct 2>/dev/null || echo 0)
  local args=(--build-arg "BASE_IMAGE=$base" --build-arg "SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$epoch}")
  [ -n "${NB_UID:-}" ] && args+=(--build-arg "NB_UID=$NB_UID")
  [ -n "${NB_GID:-}" ] && args+=(--build-arg "NB_GID=$NB_GID")
  if ca=$(host_ca_bundle); then args+=(--secret "id=ca,src=$ca"); fi
  say "building $tag on $base"
  docker buildx build --load --progress "${BUILD_PROGRESS:-quiet}" -t "$tag" "${args[@]}" "$@" "${BUILD_CONTEXT:-$PROJECT_ROOT}" >&2 ||
    die "docker build of $tag failed"
}
