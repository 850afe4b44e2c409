# One layer of packages on top of a jupyterlab-minimalist image: the packages of a layer lock
# (lock --layer NAME), and nothing else, as a single image layer over the base's unchanged ones.
# Build: scripts/build-layer NAME. By hand, from the project folder:
#   docker buildx build -f image/layer.Dockerfile --build-arg BASE=jupyterlab-minimalist:latest \
#     --build-arg LOCK=requirements-NAME.lock --build-arg SOURCE_DATE_EPOCH=... --secret id=ca,src=<CA bundle> .

# The image to extend: the project's, or any image built FROM it.
ARG BASE=jupyterlab-minimalist:latest

# Wheels for an offline build (scripts/wheelhouse), as for the base image. Empty by default.
FROM scratch AS wheelhouse

# The layer's own CycloneDX SBOM (scripts/build-layer: --build-context sbom=DIR), shipped beside the
# base's in /opt/sbom/. Empty by default (a hand build has none).
FROM scratch AS sbom

# The base image itself, as root: the layer is installed into its very venv, next to its packages.
FROM ${BASE} AS installer
# Root only in this stage, which is never run: the final stage keeps the base image's user.
# hadolint ignore=DL3002
USER 0
# Fail a RUN when any command of a pipe fails.
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ARG LOCK=requirements-layer.lock

# The lock ships with the image, beside the base's (/opt/locks), and is what gets installed; it
# must have been locked against this very base: the base lock its header names is one in the image.
COPY ${LOCK} /tmp/layer/
RUN base=$(sed -n 's/^# base: .* \(sha256:[0-9a-f]*\)$/\1/p' "/tmp/layer/${LOCK##*/}") \
    && if [ -e "/opt/locks/${LOCK##*/}" ]; then \
         echo "the image has a ${LOCK##*/} already: give the layer's lock another name ([tool.lock] output)" >&2; exit 1; fi \
    && if [ -z "$base" ] || ! grep -qlx "# body-sha256: $base" /opt/locks/*.lock; then \
         echo "${LOCK##*/} was not locked against this image's lock (/opt/locks): relock it (lock --layer NAME, or lock --base-image IMAGE)" >&2; exit 1; fi

# Exactly the layer's lock: every file hash-checked, wheels only, no dependency resolution (the
# lock holds every package the base lacks). pip of the base's Python in a throwaway venv, since
# the image's venv has none, installs into the image's venv; the CA is a secret of this RUN only.
# The layer's SBOM, if given, lands in /opt/sbom/ with the packages. Then: bytecode for the new modules (unchecked-hash, one process, a fixed hash seed for the order
# of set constants: the same bytes every build);
# refuse a layer that changed a file of its base; copy what is new to /layer, every file time set
# to the lock's cut-off: a function of the lock alone, so a cached layer equals a fresh one.
RUN --mount=type=secret,id=ca,target=/run/secrets/ca.pem \
    --mount=type=bind,from=wheelhouse,target=/wheelhouse \
    --mount=type=bind,from=sbom,target=/sbom \
    if [ -s /run/secrets/ca.pem ]; then set -- --cert /run/secrets/ca.pem; fi \
    && if [ -n "$(ls -A /wheelhouse)" ]; then set -- "$@" --no-index --find-links /wheelhouse; fi \
    && find /opt -mindepth 1 ! -type d -printf '%p %s %T@ %m\n' | sort > /tmp/before \
    && cp "/tmp/layer/${LOCK##*/}" /opt/locks/ \
    && /opt/venv/bin/python -m venv /tmp/pip \
    && /tmp/pip/bin/pip --python /opt/venv/bin/python install --no-cache-dir --disable-pip-version-check \
       --quiet --no-compile --require-hashes --no-deps --only-binary :all: "$@" -r "/opt/locks/${LOCK##*/}" \
    && if [ -n "$(ls -A /sbom)" ]; then mkdir -p /opt/sbom && cp /sbom/*.cdx.json /opt/sbom/; fi \
    && find /opt -mindepth 1 ! -type d -printf '%p %s %T@ %m\n' | sort > /tmp/after \
    && if comm -23 /tmp/before /tmp/after | grep . >&2; then echo "the layer changed the files above of its base" >&2; exit 1; fi \
    && comm -13 /tmp/before /tmp/after | cut -d' ' -f1 | { grep '\.py$' || true; } \
       | PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0 /opt/venv/bin/python -m compileall -q -j 1 --invalidation-mode unchecked-hash -i - \
    && find /opt -mindepth 1 ! -type d -printf '%p\n' | sort > /tmp/after \
    && sed 's/ .*//' /tmp/before | sort | comm -13 - /tmp/after > /tmp/new \
    && mkdir /layer && xargs -a /tmp/new -d '\n' cp -a --no-dereference --parents -t /layer \
    && find /layer -exec touch -h -d "$(sed -n 's/^# exclude-newer: //p' "/opt/locks/${LOCK##*/}")" {} +

# The layered image: the base, unchanged, plus one layer with the new files.
FROM ${BASE}
COPY --from=installer /layer/ /
