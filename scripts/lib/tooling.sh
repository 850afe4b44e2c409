# ensure_tooling [dev]: the project's own Python tooling -- uv (pinned and hash-checked, from
# image/build-tools.txt, the same pin the image build uses) and .venv, installed as uv.lock says.
# Without `dev`: only the `lock` tool's own dependencies (what the SBOM and labels of a build
# need, about 20 packages), added to whatever .venv holds. With `dev`: the whole dev group
# (tests, linters, browser driver, JupyterHub; over 100 packages). Sourced after common.sh.

TOOLS_DIR="$PROJECT_ROOT/.cache/tools"
UV="$TOOLS_DIR/bin/uv"

ensure_tooling() {
  local want
  want=$(sed -n 's/^uv==\([^ ]*\).*/\1/p' "$PROJECT_ROOT/image/build-tools.txt")
  if ! [ -x "$UV" ] || [ "$("$UV" --version 2>/dev/null | cut -d' ' -f2)" != "$want" ]; then
    command -v python3 >/dev/null 2>&1 || die "python3 (3.11 or newer) is needed: install it first"
    say "installing uv $want into .cache/tools"
    rm -rf "$TOOLS_DIR"
    python3 -m venv "$TOOLS_DIR" || die "python3 -m venv failed: install python3-venv"
    "$TOOLS_DIR/bin/pip" install --quiet --disable-pip-version-check --require-hashes \
      --only-binary :all: -r "$PROJECT_ROOT/image/build-tools.txt" >&2 || die "installing uv failed"
  fi
  # uv trusts its own roots, not the host's store: hand it the host's bundle (a TLS-intercepting
  # proxy's CA added there then works for uv as it does for pip and curl).
  if [ -z "${SSL_CERT_FILE:-}" ]; then
    local ca
    if ca=$(host_ca_bundle); then export SSL_CERT_FILE=$ca; fi
  fi
  local sync=(sync --locked --quiet)
  if [ "${1:-}" = dev ]; then
    say "syncing the dev environment (.venv) from uv.lock"
  else
    # --inexact: a dev environment already there stays as it is.
    sync+=(--no-default-groups --inexact)
    say "syncing the lock tool's environment (.venv) from uv.lock"
  fi
  (cd "$PROJECT_ROOT" && "$UV" ${sync[@]+"${sync[@]}"}) || die "uv sync --locked failed (is uv.lock up to date with pyproject.toml?)"
  export PATH="$PROJECT_ROOT/.venv/bin:$TOOLS_DIR/bin:$PATH"
}
