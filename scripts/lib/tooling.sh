# ensure_tooling: the project's own Python tooling -- uv (pinned and hash-checked, from
# image/build-tools.txt, the same pin the image build uses) and the dev environment in .venv,
# installed exactly as uv.lock says. Sourced after common.sh.

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
  say "syncing the dev environment (.venv) from uv.lock"
  (cd "$PROJECT_ROOT" && "$UV" sync --locked --quiet) || die "uv sync --locked failed (is uv.lock up to date with pyproject.toml?)"
  export PATH="$PROJECT_ROOT/.venv/bin:$TOOLS_DIR/bin:$PATH"
}
