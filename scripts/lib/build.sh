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

build_image() {
  local tag=$1; shift
  local base ca epoch commit context sbom_dir label labels base_args
  base=$(ensure_base_image)
  ensure_tooling >&2
  context=${BUILD_CONTEXT:-$PROJECT_ROOT}
  # The last commit's time: the image's `created` and every file time, so rebuilds are identical.
  epoch=$(git -C "$PROJECT_ROOT" log -1 --format=%ct 2>/dev/null || echo 0)
  commit=${SOURCE_COMMIT:-$(git -C "$PROJECT_ROOT" rev-parse HEAD 2>/dev/null || echo unknown)}
  epoch=${SOURCE_DATE_EPOCH:-$epoch}
  local args=(--build-arg "BASE_IMAGE=$base" --build-arg "SOURCE_DATE_EPOCH=$epoch")
  [ -n "${NB_UID:-}" ] && args+=(--build-arg "NB_UID=$NB_UID")
  [ -n "${NB_GID:-}" ] && args+=(--build-arg "NB_GID=$NB_GID")
  if ca=$(host_ca_bundle); then args+=(--secret "id=ca,src=$ca"); fi
  # The SBOM, from the context's lock (a function of the lock alone), modes fixed for the image.
  sbom_dir=$(mktemp -d)
  "$PROJECT_ROOT/.venv/bin/python" -m lock.sbom --project "$PROJECT_ROOT" --lock "$context/requirements.lock" \
    --output "$sbom_dir/jupyterlab-minimalist.cdx.json" || die "the SBOM of $context/requirements.lock could not be made"
  chmod 0755 "$sbom_dir" && chmod 0644 "$sbom_dir/jupyterlab-minimalist.cdx.json"
  args+=(--build-context "sbom=$sbom_dir")
  mapfile -t base_args < <(base_label_args "$base")
  labels=$("$PROJECT_ROOT/.venv/bin/python" -m lock.labels --project "$PROJECT_ROOT" --lock "$context/requirements.lock" \
    --revision "$commit" --created "$epoch" "${base_args[@]}") || die "the image labels could not be computed"
  while IFS= read -r label; do args+=(--label "$label"); done <<<"$labels"
  say "building $tag on $base"
  docker buildx build --load --progress "${BUILD_PROGRESS:-quiet}" -t "$tag" "${args[@]}" "$@" "$context" >&2 ||
    die "docker build of $tag failed"
  # Beside the image: sbom/<name>_<tag>.cdx.json.
  mkdir -p "$PROJECT_ROOT/sbom"
  cp "$sbom_dir/jupyterlab-minimalist.cdx.json" "$PROJECT_ROOT/sbom/$(printf '%s' "$tag" | tr '/:' '__').cdx.json"
  rm -rf "$sbom_dir"
}
