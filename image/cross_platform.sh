#!/bin/sh
# Builder step helper: the uv arguments that install wheels for the image's platform. The builder
# runs on the build platform (FROM --platform=$BUILDPLATFORM); when the target differs, uv installs
# the target's wheels as a cross-installer (--python-platform) and nothing of them is run here.
# Prints nothing for a native build, so a native install is exactly what it always was.
#   cross_platform.sh    reads BUILDPLATFORM and TARGETPLATFORM (BuildKit's automatic build args)
set -eu
[ "${TARGETPLATFORM:-}" = "${BUILDPLATFORM:-}" ] && exit 0
# manylinux_2_40: the newest glibc uv names; Debian trixie has 2.41, so every wheel a native
# install would pick is picked here too.
case ${TARGETPLATFORM:-} in
  linux/arm64*) echo "--python-platform=aarch64-manylinux_2_40" ;;
  linux/amd64*) echo "--python-platform=x86_64-manylinux_2_40" ;;
  *) echo "cross_platform.sh: no wheels for target platform '${TARGETPLATFORM:-}' (linux/amd64, linux/arm64)" >&2; exit 2 ;;
esac
