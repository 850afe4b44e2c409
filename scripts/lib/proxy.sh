# ensure_proxy: configurable-http-proxy, the proxy JupyterHub starts in front of the hub and the
# user servers, for the hub tests (tests/hub/). From npm, pinned, into .cache/tools/node (Debian's
# node-configurable-http-proxy cannot load its own modules). Sourced after common.sh.

CHP_VERSION=5.3.0
CHP_PREFIX="$PROJECT_ROOT/.cache/tools/node"

ensure_proxy() {
  local chp="$CHP_PREFIX/bin/configurable-http-proxy"
  if ! [ -x "$chp" ] || [ "$("$chp" --version 2>/dev/null)" != "$CHP_VERSION" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      if is_root && is_debian; then
        say "installing Node.js and npm (Debian packages) for configurable-http-proxy"
        apt_install nodejs npm
      else
        die "npm not found: install Node.js and npm (configurable-http-proxy is needed by the hub tests)"
      fi
    fi
    say "installing configurable-http-proxy $CHP_VERSION (npm) into .cache/tools/node"
    npm install --global --prefix "$CHP_PREFIX" --no-audit --no-fund --loglevel=error \
      "configurable-http-proxy@$CHP_VERSION" >&2 || die "npm install of configurable-http-proxy failed"
  fi
  export PATH="$CHP_PREFIX/bin:$PATH"
}
