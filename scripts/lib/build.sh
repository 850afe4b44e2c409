# build_image TAG [docker build args...]: build the Dockerfile from requirements.lock.
# BUILD_CONTEXT: another context with the same layout (tests build altered locks that way).
# Sourced after common.sh, engine.sh and base_image.sh.

# The image label that names the lock files an image carries in /opt/locks, each with its sha256.
LOCKS_LABEL=org.jupyterlab-minimalist.locks

# The build arguments every build gets: SOURCE_DATE_EPOCH, the CA secret. Fills the array `args`.
common_build_args() {
  local ca epoch
  # The last commit's time: the image's `created` and every file time, so rebuilds are identical.
  epoch=$(git -C "$PROJECT_ROOT" log -1 --format=%ct 2>/dev/null || echo 0)
  args+=(--build-arg "SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$epoch}")
  if ca=$(host_ca_bundle); then args+=(--secret "id=ca,src=$ca"); fi
}

lock_sha256() { sha256sum <"$1" | cut -d' ' -f1; }

build_image() {
  local tag=$1; shift
  local base context=${BUILD_CONTEXT:-$PROJECT_ROOT}
  base=$(ensure_base_image)
  local args=(--build-arg "BASE_IMAGE=$base")
  common_build_args
  [ -n "${NB_UID:-}" ] && args+=(--build-arg "NB_UID=$NB_UID")
  [ -n "${NB_GID:-}" ] && args+=(--build-arg "NB_GID=$NB_GID")
  [ -f "$context/requirements.lock" ] &&
    args+=(--label "$LOCKS_LABEL=requirements.lock sha256:$(lock_sha256 "$context/requirements.lock")")
  say "building $tag on $base"
  docker buildx build --load --progress "${BUILD_PROGRESS:-quiet}" -t "$tag" "${args[@]}" "$@" "${BUILD_CONTEXT:-$PROJECT_ROOT}" >&2 ||
    die "docker build of $tag failed"
}

# build_layer TAG BASE LOCK [docker build args...]: image/layer.Dockerfile, the packages of LOCK
# (a layer lock, relative to the context) as one layer on top of the image BASE.
build_layer() {
  local tag=$1 base=$2 lock=$3; shift 3
  local context=${BUILD_CONTEXT:-$PROJECT_ROOT} locks
  [ -f "$context/$lock" ] || die "$lock: not found in $context (make it with: scripts/lock --layer NAME)"
  locks=$(docker image inspect --format "{{index .Config.Labels \"$LOCKS_LABEL\"}}" "$base" 2>/dev/null) ||
    die "no image $base to build the layer on (build it first: scripts/build --tag $base)"
  local args=(-f "$context/image/layer.Dockerfile" --build-arg "BASE=$base" --build-arg "LOCK=$lock"
              --label "$LOCKS_LABEL=${locks:+$locks }${lock##*/} sha256:$(lock_sha256 "$context/$lock")")
  common_build_args
  say "building $tag: $lock on $base"
  docker buildx build --load --progress "${BUILD_PROGRESS:-quiet}" -t "$tag" "${args[@]}" "$@" "$context" >&2 ||
    die "docker build of $tag failed"
}
