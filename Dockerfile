# jupyterlab-minimalist: JupyterLab and the packages of requirements.lock, nothing else.
# Build: scripts/build (sets up an engine, a base image, the CA secret and SOURCE_DATE_EPOCH).
# By hand: docker buildx build --secret id=ca,src=<CA bundle> --build-arg SOURCE_DATE_EPOCH=... .

# The one base image for both stages, so the venv's python symlink is valid at runtime.
# The lock tool reads the image's Python version from this line. Pinned by digest (the multi-platform
# index), so two builds a week apart start from the same base; the weekly lock-upgrade job re-pins it
# with scripts/pin-base (docs/pins.md).
ARG BASE_IMAGE=python:3.13-slim-trixie@sha256:9662417aace5ae7b8e2609cce472b72a8958e134ba372808abe9cc1a0c0125e6

# Wheels for an offline build (scripts/wheelhouse, then --build-context wheelhouse=wheelhouse).
# Empty by default: the builder then downloads from the index.
FROM scratch AS wheelhouse

# The CycloneDX SBOM of the lock, written by scripts/build (--build-context sbom=DIR): shipped in
# /opt/sbom/. Empty by default (a hand build has no SBOM).
FROM scratch AS sbom

# The builder runs on the build machine's own platform, also when the image is for another one: it
# installs the target's wheels (uv as a cross-installer, image/cross_platform.sh) and only moves,
# prunes, strips and byte-compiles files, none of which needs the target CPU (a .pyc depends on the
# Python version, not the CPU). Only the runtime stage's few commands run under emulation.
FROM --platform=${BUILDPLATFORM} ${BASE_IMAGE} AS builder
# BuildKit's platforms, for image/cross_platform.sh and the steps that skip running target code.
ARG BUILDPLATFORM
ARG TARGETPLATFORM
# Fail a RUN when any command of a pipe fails.
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# uv: copy files instead of hard-linking from the cache mount, write no timestamped installer
# metadata, never download a Python of its own.
ENV UV_LINK_MODE=copy \
    UV_NO_INSTALLER_METADATA=1 \
    UV_PYTHON_DOWNLOADS=never

# Build tools (uv, dumb-init), pinned and hash-checked, from the wheelhouse when it has them.
# A TLS-intercepting proxy's CA comes in as a BuildKit secret for this RUN only, never a layer.
# dumb-init runs in the image: for another platform, the target's wheel of it goes over the
# build platform's binary (/build-tools/bin/dumb-init is what the image gets).
COPY image/build-tools.txt image/clamp_times.sh image/cross_platform.sh /tmp/
RUN --mount=type=secret,id=ca,target=/run/secrets/ca.pem \
    --mount=type=bind,from=wheelhouse,target=/wheelhouse \
    if [ -s /run/secrets/ca.pem ]; then export PIP_CERT=/run/secrets/ca.pem SSL_CERT_FILE=/run/secrets/ca.pem; fi \
    && if [ -n "$(ls -A /wheelhouse)" ]; then set -- --no-index --find-links /wheelhouse; fi \
    && python3 -m venv /build-tools \
    && /build-tools/bin/pip install --no-cache-dir --disable-pip-version-check --quiet \
       --require-hashes --only-binary :all: "$@" -r /tmp/build-tools.txt \
    && cross=$(/tmp/cross_platform.sh) \
    && if [ -n "$cross" ]; then \
         awk '/^dumb-init==/ {p = 1} p {print; if ($0 !~ /\\$/) exit}' /tmp/build-tools.txt > /tmp/dumb-init.txt \
         && /build-tools/bin/uv pip install --quiet --no-cache --target /tmp/target-tools ${cross:+"$cross"} \
            --require-hashes --no-deps --only-binary :all: "$@" -r /tmp/dumb-init.txt \
         && cp /tmp/target-tools/bin/dumb-init /build-tools/bin/dumb-init; \
       fi

# The application venv, without pip: nothing is ever installed into it after this stage.
RUN /build-tools/bin/uv venv --quiet --python python3 /opt/venv

# Exactly the lock: every file hash-checked, no dependency resolution, wheels only, the target
# platform's wheels (image/cross_platform.sh). The lock ships in the image (/opt/locks): layers
# and images built FROM this one lock their additions against it.
COPY requirements.lock /opt/locks/requirements.lock
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=secret,id=ca,target=/run/secrets/ca.pem \
    --mount=type=bind,from=wheelhouse,target=/wheelhouse \
    if [ -s /run/secrets/ca.pem ]; then export SSL_CERT_FILE=/run/secrets/ca.pem; fi \
    && if [ -n "$(ls -A /wheelhouse)" ]; then set -- --offline --no-index --find-links /wheelhouse; fi \
    && cross=$(/tmp/cross_platform.sh) \
    && /build-tools/bin/uv pip install --python /opt/venv/bin/python ${cross:+"$cross"} \
       --require-hashes --no-deps --only-binary :all: "$@" -r /opt/locks/requirements.lock \
    && /tmp/clamp_times.sh

# Settings: the server config (token, HTTPS, no phoning home) and JupyterLab's settings overrides.
COPY image/jupyter_server_config.py /opt/venv/etc/jupyter/jupyter_server_config.py
COPY image/overrides.json /opt/venv/share/jupyter/lab/settings/overrides.json
# The config's own module (settings check, token guard, saves by rename), moved into site-packages
# below; PID 1 (forwards signals, reaps zombie kernel processes) and the healthcheck, beside the venv.
COPY image/jupyterlab_minimalist /opt/venv/jupyterlab_minimalist
COPY image/healthcheck.py /opt/bin/jupyterlab-healthcheck
# The image's start (ENTRYPOINT): jupyterhub-singleuser instead of the lab when a hub started the
# container; a server, under the supervisor that starts it again whenever it dies after serving.
COPY image/start.sh /opt/bin/jupyterlab-start
COPY image/supervise.sh /opt/bin/jupyterlab-supervise
RUN mv /opt/venv/jupyterlab_minimalist "$(/opt/venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/" \
    && cp /build-tools/bin/dumb-init /opt/bin/dumb-init \
    && sed -i '1i #!/opt/venv/bin/python -IS' /opt/bin/jupyterlab-healthcheck \
    && chmod 0755 /opt/bin/jupyterlab-healthcheck /opt/bin/jupyterlab-start /opt/bin/jupyterlab-supervise

# What nobody running these packages needs; each removal's bytes show in the benchmark report.
COPY image/prune_typeshed.py image/link_duplicates.py image/defer_grammars.py image/strip_symbols.py /tmp/
RUN site=$(/opt/venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))') \
    # test suites and their data (~117 MB with bytecode): never imported by the packages themselves
    && find "$site" -depth -type d \( -name tests -o -name test \) -exec rm -rf {} + \
    # JupyterLab's UI-test harness (Galata, 7 MB): only loaded by its own test configuration
    && rm -rf "$site/jupyterlab/galata" \
    # Babel's locale data but English (31 MB): JupyterLab ships no other language pack
    && find "$site/babel/locale-data" -type f ! -name 'en.dat' ! -name 'en_*.dat' ! -name 'root.dat' -delete \
    # C/C++/Cython sources and headers (14 MB): there is no compiler in the image
    && find "$site" -type f \( -name '*.c' -o -name '*.cpp' -o -name '*.h' -o -name '*.pyx' -o -name '*.pxd' -o -name '*.pxi' \) -delete \
    # jedi's stubs for Django and for modules not installed (~12 MB): never read here
    && rm -rf "$site/jedi/third_party/django-stubs" \
    # (PYTHONDONTWRITEBYTECODE: importing jedi here must not leave timestamped .pyc behind)
    && PYTHONDONTWRITEBYTECODE=1 /opt/venv/bin/python /tmp/prune_typeshed.py \
    # JupyterLab's front end is in the wheel twice (17 MB): one copy, a symlink for the other
    && /opt/venv/bin/python /tmp/link_duplicates.py /opt/venv/share /opt/venv/lib \
    # rfc3987-syntax's 38 grammars built on first use, not at every server start (1.1 s of it)
    && PYTHONDONTWRITEBYTECODE=1 /opt/venv/bin/python /tmp/defer_grammars.py \
    # debug sections and static symbol tables of the shared libraries (41 MB): nothing loads them
    && /build-tools/bin/python /tmp/strip_symbols.py /opt/venv \
    # every file time under /opt the lock's cut-off (image/clamp_times.sh), here and in each RUN below
    && /tmp/clamp_times.sh

# Bytecode for what a start and a first cell load, and for what importing any public module of
# numpy, pandas, matplotlib, scikit-learn or SciPy loads (a session's imports, whichever come first),
# compiled once here: the venv is read-only at run time, so anything left out is recompiled in
# memory at each kernel start (docs/benchmarks/bytecode.md weighs the options). Which modules those
# are was found by running them in the built image and is committed (image/startup-modules.txt; scripts/startup-modules refreshes it after a lock upgrade):
# no server starts in the build. Unchecked-hash .pyc (no timestamp, and no re-hashing of the source
# at every import: the venv never changes), fixed slices in fixed processes: byte-identical on every rebuild.
COPY image/compile_startup.py image/startup-modules.txt /tmp/
RUN PYTHONDONTWRITEBYTECODE=1 /opt/venv/bin/python /tmp/compile_startup.py compile /tmp/startup-modules.txt \
    && /tmp/clamp_times.sh

# matplotlib's font list, built here rather than by each container's first import (18 % of its CPU,
# docs/benchmarks/font-cache.md); image/start.sh copies it into matplotlib's cache folder. It reads
# the fonts with the target's own extension: a build for another platform skips it (that image
# builds the list at first use, as matplotlib does by default).
COPY image/font_cache.py /tmp/
RUN if [ -z "$(/tmp/cross_platform.sh)" ]; then \
      MPLCONFIGDIR=$(mktemp -d) PYTHONDONTWRITEBYTECODE=1 /opt/venv/bin/python /tmp/font_cache.py /opt/venv/share/matplotlib; \
    fi \
    && /tmp/clamp_times.sh

# Kernels: `%pip install` into a throwaway site under HOME, never into this venv (notebook_pip.py).
COPY image/ipython_kernel_config.py image/notebook_pip.py /opt/venv/etc/ipython/

# Here, after the slow steps: a new SBOM (a new lock) only re-runs the clamp below, which sets the
# times of the files copied since the last RUN (the checkout's) to the lock's cut-off as well.
COPY --from=sbom / /opt/sbom/
RUN /tmp/clamp_times.sh

FROM ${BASE_IMAGE}
ARG SOURCE_DATE_EPOCH=0
# The user's UID/GID, so files on the host's volumes belong to the host user (compose passes them).
ARG NB_UID=1000
ARG NB_GID=1000

# A non-root user. --non-unique: a host GID may already name a system group (20 on macOS).
# .jupyter/lab: the user's lab settings and workspaces, where compose mounts a volume that
# keeps them (a fresh volume takes this folder's owner).
# --no-log-init: no lastlog/faillog entries. Then clamp the times of what this RUN wrote
# (/etc/hosts, hostname and resolv.conf are mounted by the build, not files of the image).
RUN groupadd --non-unique --gid "${NB_GID}" jovyan \
    && useradd --no-log-init --non-unique --uid "${NB_UID}" --gid "${NB_GID}" \
       --home-dir /home/jovyan --no-create-home --shell /bin/bash jovyan \
    && mkdir -p /home/jovyan/notebooks /home/jovyan/data /home/jovyan/work \
       /home/jovyan/.jupyter/lab/user-settings /home/jovyan/.jupyter/lab/workspaces \
    && chown "${NB_UID}:${NB_GID}" /home/jovyan/notebooks /home/jovyan/data /home/jovyan/work \
    && chown -R "${NB_UID}:${NB_GID}" /home/jovyan/.jupyter \
    && find /etc /home \( -path /etc/hosts -o -path /etc/hostname -o -path /etc/resolv.conf \) -prune \
       -o -newermt "@${SOURCE_DATE_EPOCH}" -exec touch -h -d "@${SOURCE_DATE_EPOCH}" {} +

# All of /opt in one copy: its own time is the builder's (clamped), not this build's clock.
COPY --from=builder /opt /opt

# HOME is /tmp: writable for any UID, even one with no passwd entry, and with a read-only root
# filesystem (tmpfs on /tmp). What is worth keeping goes to the notebooks and data volumes.
ENV PATH=/opt/venv/bin:/opt/bin:$PATH \
    HOME=/tmp \
    PYTHONUNBUFFERED=1 \
    JUPYTER_PORT=8888
USER ${NB_UID}:${NB_GID}
WORKDIR /home/jovyan
EXPOSE 8888
# Follows JUPYTER_PORT, JUPYTER_BASE_URL and HTTPS through the server's own runtime file.
# Every 5 s while starting: a probe is a process in the container, and sooner ones were
# measured slowing the first cell on 2 cores.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --start-interval=5s --retries=3 \
    CMD ["/opt/bin/jupyterlab-healthcheck"]
# A hub's spawner may run the image with its own CMD or none: the start script sees the hub, and
# runs a server under the supervisor (a crash restarts it in place; a bad setting, exit 2, stops).
ENTRYPOINT ["/opt/bin/dumb-init", "--", "/opt/bin/jupyterlab-start"]
CMD ["jupyter", "lab"]
