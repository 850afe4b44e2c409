# build_image TAG [docker build args...]: build the Dockerfile from requirements.lock, with the
# lock's SBOM (written beside the image, in sbom/, and shipped in it) and the image's OCI labels.
# BUILD_CONTEXT: another context with the same layout (tests build altered locks that way).
# SOURCE_COMMIT: the commit being built (default HEAD; scripts/verify-rebuild sets it).
# Sourced after common.sh, engine.sh and base_image.sh.
. "$PROJECT_ROOT/scripts/lib/tooling.sh"

# base_label_args REF: the base for the labels: its image ID; the reference too when it is the
# Dockerfile's own default and pinned by digest (so a base given in BASE_IMAGE is not named as it).
base_label_args() {
  printf -- '--base-id\n%s\n' "$(docker image inspect --format '{{.Id}}' "$1")"
  case $1 in *@sha256:*) [ "$1" = "$(dockerfile_default_base)" ] && printf -- '--base\n%s\n' "$1" ;; esac
  return 0
}

# The image label that names the lock files an image carries in /opt/locks, each with its sha256.
LOCKS_LABEL=org.jupyterlab-minimalist.locks

# sha256sum on Linux, shasum on macOS.
lock_sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum <"$1"; else shasum -a 256 <"$1"; fi | cut -d' ' -f1
}

# SOURCE_DATE_EPOCH if set, else the last commit's time: the image's `created` and every file time,
# so rebuilds are identical.
source_epoch() {
  printf '%s\n' "${SOURCE_DATE_EPOCH:-$(git -C "$PROJECT_ROOT" log -1 --format=%ct 2>/dev/null || echo 0)}"
}

# The build arguments every build gets: SOURCE_DATE_EPOCH, the CA secret. Adds to the array `args`.
common_build_args() {
  local ca
  args+=(--build-arg "SOURCE_DATE_EPOCH=$(source_epoch)")
  if ca=$(host_ca_bundle); then args+=(--secret "id=ca,src=$ca"); fi
}

# pick_option NAME WHAT DEFAULT ARGS...: `picked` from `--NAME VALUE` or `--NAME=VALUE` wherever it is
# among ARGS (else DEFAULT; WHAT names the value in the error when it is missing), `rest` the other
# ARGS in order, for docker.
pick_option() {
  local name=$1 what=$2
  picked=$3; shift 3
  rest=()
  while [ $# -gt 0 ]; do
    case $1 in
      "--$name") [ $# -ge 2 ] || die "--$name needs $what"; picked=$2; shift 2 ;;
      "--$name="*) picked=${1#--"$name"=}; shift ;;
      *) rest+=("$1"); shift ;;
    esac
  done
}

# pick_tag DEFAULT ARGS...: `tag` from `--tag NAME` or `--tag=NAME` wherever it is among ARGS
# (else DEFAULT), `rest` the other ARGS in order, for docker.
pick_tag() {
  pick_option tag "a NAME" "$@"
  tag=$picked
}

# layer_args ARGS...: scripts/build-layer's arguments. `tag` and `base` from `--tag NAME` and
# `--base IMAGE` (or `--tag=NAME`, `--base=IMAGE`) wherever they are (else jupyterlab-minimalist:NAME for
# requirements-NAME.lock, and jupyterlab-minimalist:latest), `lock` the first other argument, `rest`
# the docker arguments after it.
layer_args() {
  pick_option base "an IMAGE" jupyterlab-minimalist:latest "$@"
  base=$picked
  pick_tag "" ${rest[@]+"${rest[@]}"}
  [ ${#rest[@]} -gt 0 ] || die "which layer lock? (usage: scripts/build-layer [--base IMAGE] [--tag TAG] LOCK)"
  lock=${rest[0]}
  rest=("${rest[@]:1}")
  local name
  name=$(basename "$lock" .lock); name=${name#requirements-}
  tag=${tag:-jupyterlab-minimalist:$name}
}

# build_image TAG [docker build args...]; BUILD_BASE: the base to use instead of ensure_base_image's
# (build_platforms's multi-platform one), BUILD_BASE_ID: the image ID the labels name for it.
build_image() {
  local tag=$1; shift
  local base epoch commit context sbom_dir label labels base_args
  base=${BUILD_BASE:-$(ensure_base_image)}
  ensure_tooling >&2
  context=${BUILD_CONTEXT:-$PROJECT_ROOT}
  epoch=$(source_epoch)
  commit=${SOURCE_COMMIT:-$(git -C "$PROJECT_ROOT" rev-parse HEAD 2>/dev/null || echo unknown)}
  local args=(--build-arg "BASE_IMAGE=$base")
  common_build_args
  [ -n "${NB_UID:-}" ] && args+=(--build-arg "NB_UID=$NB_UID")
  [ -n "${NB_GID:-}" ] && args+=(--build-arg "NB_GID=$NB_GID")
  [ -f "$context/requirements.lock" ] &&
    args+=(--label "$LOCKS_LABEL=requirements.lock sha256:$(lock_sha256 "$context/requirements.lock")")
  # The SBOM, from the context's lock (a function of the lock alone), modes fixed for the image.
  sbom_dir=$(mktemp -d)
  "$PROJECT_ROOT/.venv/bin/python" -m lock.sbom --project "$PROJECT_ROOT" --lock "$context/requirements.lock" \
    --output "$sbom_dir/jupyterlab-minimalist.cdx.json" || die "the SBOM of $context/requirements.lock could not be made"
  chmod 0755 "$sbom_dir" && chmod 0644 "$sbom_dir/jupyterlab-minimalist.cdx.json"
  args+=(--build-context "sbom=$sbom_dir")
  base_args=()
  if [ -n "${BUILD_BASE_ID:-}" ]; then base_args=(--base-id "$BUILD_BASE_ID")
  else while IFS= read -r label; do base_args+=("$label"); done < <(base_label_args "$base"); fi
  labels=$("$PROJECT_ROOT/.venv/bin/python" -m lock.labels --project "$PROJECT_ROOT" --lock "$context/requirements.lock" \
    --revision "$commit" --created "$epoch" ${base_args[@]+"${base_args[@]}"}) || die "the image labels could not be computed"
  while IFS= read -r label; do args+=(--label "$label"); done <<<"$labels"
  say "building $tag on $base"
  docker buildx build --load --progress "${BUILD_PROGRESS:-quiet}" -t "$tag" ${args[@]+"${args[@]}"} "$@" "$context" >&2 ||
    die "docker build of $tag failed"
  # Beside the image: sbom/<name>_<tag>.cdx.json.
  mkdir -p "$PROJECT_ROOT/sbom"
  cp "$sbom_dir/jupyterlab-minimalist.cdx.json" "$PROJECT_ROOT/sbom/$(printf '%s' "$tag" | tr '/:' '__').cdx.json"
  rm -rf "$sbom_dir"
}

# build_layer TAG BASE LOCK [docker build args...]: image/layer.Dockerfile, the packages of LOCK
# (a layer lock, relative to the context) as one layer on top of the image BASE.
build_layer() {
  local tag=$1 base=$2 lock=$3; shift 3
  local context=${BUILD_CONTEXT:-$PROJECT_ROOT} locks sbom_dir name=${lock##*/}
  [ -f "$context/$lock" ] || die "$lock: not found in $context (make it with: scripts/lock --layer NAME)"
  ensure_tooling >&2
  # The layer's SBOM: its own packages only (the base's SBOM is in the base), named after its lock.
  sbom_dir=$(mktemp -d)
  "$PROJECT_ROOT/.venv/bin/python" -m lock.sbom --project "$PROJECT_ROOT" --lock "$context/$lock" \
    --output "$sbom_dir/${name%.lock}.cdx.json" || die "the SBOM of $context/$lock could not be made"
  chmod 0755 "$sbom_dir" && chmod 0644 "$sbom_dir/${name%.lock}.cdx.json"
  locks=$(docker image inspect --format "{{index .Config.Labels \"$LOCKS_LABEL\"}}" "$base" 2>/dev/null) ||
    die "no image $base to build the layer on (build it first: scripts/build --tag $base)"
  local args=(-f "$context/image/layer.Dockerfile" --build-arg "BASE=$base" --build-arg "LOCK=$lock"
              --build-context "sbom=$sbom_dir"
              --label "$LOCKS_LABEL=${locks:+$locks }${lock##*/} sha256:$(lock_sha256 "$context/$lock")")
  common_build_args
  say "building $tag: $lock on $base"
  docker buildx build --load --progress "${BUILD_PROGRESS:-quiet}" -t "$tag" ${args[@]+"${args[@]}"} "$@" "$context" >&2 ||
    die "docker build of $tag failed"
  mkdir -p "$PROJECT_ROOT/sbom"
  cp "$sbom_dir/${name%.lock}.cdx.json" "$PROJECT_ROOT/sbom/$(printf '%s' "$tag" | tr '/:' '__').cdx.json"
  rm -rf "$sbom_dir"
}

# platforms_base PLATFORM...: set `multi_base` to a BASE_IMAGE name that serves the builder (the
# host's platform) and the runtime stage of every PLATFORM. A configured base that names several
# platforms in its registry is used as it is; otherwise the stand-ins of those platforms go to the local registry as
# one index (local_registry_start first), named by digest. Sets `standin_ids` (platform=image ID).
platforms_base() {
  local want=${BASE_IMAGE:-$(dockerfile_default_base)} platform images=() image
  standin_ids=()
  if docker buildx imagetools inspect "$want" >/dev/null 2>&1; then multi_base=$want; return 0; fi
  warn "base image $want cannot be pulled: USING STAND-IN BASES, one per platform, as one index in the local registry"
  for platform in $(printf '%s\n' "$(host_platform)" "$@" | sort -u); do
    image=$(ensure_standin "$want" "$platform")
    images+=("$image")
    standin_ids+=("$platform=$(docker image inspect -f '{{.Id}}' "$image")")
  done
  multi_base=$LOCAL_REGISTRY/python-standin@$(push_index "$LOCAL_REGISTRY/python-standin" "${STANDIN_IMAGE##*:}" ${images[@]+"${images[@]}"})
}

# prepare_platform_builds PLATFORM...: what build_platforms sets up on its first use, done now: qemu
# for each PLATFORM and, where the base cannot be pulled, each one's stand-in and the local
# registry's binary. scripts/test and scripts/bench call it before the arm64 group, whose benchmark
# times builds: on a bare machine the first arm64 build took 229 s against the next one's 24 s
# (the stand-in's emulated debootstrap), as if the amd64 builds timed the host's stand-in too.
prepare_platform_builds() {
  local want=${BASE_IMAGE:-$(dockerfile_default_base)} platform
  ensure_emulation "$@"
  docker buildx imagetools inspect "$want" >/dev/null 2>&1 && return 0
  for platform in "$@"; do ensure_standin "$want" "$platform" >/dev/null; done
  registry_binary >/dev/null || die "no registry binary for the stand-in bases' local registry"
}

# build_platforms TAG PLATFORMS [docker build args...]: build TAG for each of the comma-separated
# PLATFORMS (linux/amd64, linux/arm64), each as its own local image: TAG itself for one platform,
# TAG-ARCH for several. The builder stage runs natively; qemu runs the runtime stage of the others.
# Sets `built` to the local tags, in PLATFORMS's order. Starts the local registry (stop it after).
build_platforms() {
  local tag=$1 platforms=$2 platform base id one
  shift 2
  IFS=, read -r -a platform_list <<<"$platforms"
  [ ${#platform_list[@]} -gt 0 ] || die "--platform needs PLATFORMS (linux/amd64, linux/arm64, or both: linux/amd64,linux/arm64)"
  for platform in ${platform_list[@]+"${platform_list[@]}"}; do qemu_arch "$platform" >/dev/null; done
  ensure_emulation ${platform_list[@]+"${platform_list[@]}"}
  local_registry_start
  platforms_base ${platform_list[@]+"${platform_list[@]}"}
  base=$multi_base
  built=()
  for platform in ${platform_list[@]+"${platform_list[@]}"}; do
    one=$tag
    [ ${#platform_list[@]} -eq 1 ] || one=$tag-${platform#linux/}
    id=""
    for pair in ${standin_ids[@]+"${standin_ids[@]}"}; do [ "${pair%%=*}" = "$platform" ] && id=${pair#*=}; done
    BUILD_BASE=$base BUILD_BASE_ID=$id build_image "$one" --platform "$platform" "$@"
    built+=("$one")
  done
}
