# ensure_proxy: configurable-http-proxy, the proxy JupyterHub starts in front of the hub and the
# user servers, for the hub tests (tests/hub/). The hub image's own pins (hub/proxy/package-lock.json,
# integrity hashes) installed by `npm ci` into .cache/tools/node: one version for the image and the
# tests, moved by the weekly upgrade (docs/pins.md). Debian's node-configurable-http-proxy cannot
# load its own modules. Sourced after common.sh.

CHP_PREFIX="$PROJECT_ROOT/.cache/tools/node"
CHP_LOCK="$PROJECT_ROOT/hub/proxy/package-lock.json"

ensure_proxy() {
  local chp="$CHP_PREFIX/node_modules/.bin/configurable-http-proxy"
  if ! [ -x "$chp" ] || ! cmp -s "$CHP_LOCK" "$CHP_PREFIX/package-lock.json"; then
    if ! command -v npm >/dev/null 2>&1; then
      if is_root && is_debian; then
        say "installing Node.js and npm (Debian packages) for configurable-http-proxy"
        apt_install nodejs npm
      else
        die "npm not found: install Node.js and npm (configurable-http-proxy is needed by the hub tests)"
      fi
    fi
    say "installing configurable-http-proxy from hub/proxy/package-lock.json (npm ci) into .cache/tools/node"
    mkdir -p "$CHP_PREFIX"
    cp "$PROJECT_ROOT/hub/proxy/package.json" "$CHP_LOCK" "$CHP_PREFIX/"
    npm ci --prefix "$CHP_PREFIX" --omit=dev --no-audit --no-fund --loglevel=error >&2 ||
      die "npm ci of configurable-http-proxy failed"
  fi
  export PATH="$CHP_PREFIX/node_modules/.bin:$PATH"
}
