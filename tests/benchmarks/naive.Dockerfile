# The naive reference for the benchmarks: the same lock installed the way most guides do it, so the
# numbers say what the project's Dockerfile buys. Not shipped. Built by the benchmark suite with
#   scripts/build --tag NAME -f tests/benchmarks/naive.Dockerfile
# from the project's context (requirements.lock and image/ only, see .dockerignore).
# Kept like a guide's on purpose, so it is not made any smaller; hadolint runs on it with one
# documented ignore (DL3066 at `USER jovyan`: a user by name, as guides write it).

# The same base as the project's image (scripts/build passes the one it uses).
ARG BASE_IMAGE=python:3.13-slim-trixie

FROM ${BASE_IMAGE} AS builder
# uv in a venv of its own in the build stage; guides copy it from uv's image, which cannot be
# pulled everywhere, so it comes from PyPI, hash-checked, at the same version as the project's.
# The CA secret: a TLS-intercepting proxy's CA, for this RUN only (as in the project's Dockerfile).
COPY image/build-tools.txt /tmp/build-tools.txt
RUN --mount=type=secret,id=ca,target=/run/secrets/ca.pem \
    if [ -s /run/secrets/ca.pem ]; then export PIP_CERT=/run/secrets/ca.pem; fi \
    && python3 -m venv /opt/uv \
    && /opt/uv/bin/pip install --require-hashes -r /tmp/build-tools.txt

# A stdlib venv: pip comes with it and stays in the image.
RUN python3 -m venv /opt/venv

# uv's Docker guide: compile every .py at install (UV_COMPILE_BYTECODE=1, all cores), copy out of
# the cache mount. Package tests, headers and pip are all kept.
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy
COPY requirements.lock /tmp/requirements.lock
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=secret,id=ca,target=/run/secrets/ca.pem \
    if [ -s /run/secrets/ca.pem ]; then export SSL_CERT_FILE=/run/secrets/ca.pem; fi \
    && /opt/uv/bin/uv pip install --python /opt/venv/bin/python --require-hashes -r /tmp/requirements.lock
# The module the project's server config loads (settings check, token guard, saves by rename).
COPY image/jupyterlab_minimalist /tmp/jupyterlab_minimalist
RUN cp -r /tmp/jupyterlab_minimalist "$(/opt/venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/"


FROM ${BASE_IMAGE}
# A non-root user with a home, the usual way.
RUN useradd --create-home --uid 1000 jovyan
COPY --from=builder /opt/venv /opt/venv
# The project's own server settings (token from JUPYTER_TOKEN, port 8888, no phoning home), so
# both images serve the same way and only the build differs.
COPY image/jupyter_server_config.py /opt/venv/etc/jupyter/jupyter_server_config.py
COPY image/overrides.json /opt/venv/share/jupyter/lab/settings/overrides.json
ENV PATH=/opt/venv/bin:$PATH
# By name on purpose, as guides write it (the project's Dockerfile uses the numeric UID:GID).
# hadolint ignore=DL3066
USER jovyan
WORKDIR /home/jovyan
EXPOSE 8888
# The same command as the project's image; no init process, as in most guides.
CMD ["jupyter", "lab"]
