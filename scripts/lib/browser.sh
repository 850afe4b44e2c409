# ensure_browser: a Chromium for the browser test. Playwright drives the system's Chromium; its own
# browser download is not used. Sourced after common.sh.

chromium_path() {
  local c
  for c in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
    [ -n "$c" ] && [ -x "$c" ] && { printf '%s\n' "$c"; return 0; }
  done
  return 1
}

ensure_browser() {
  if ! chromium_path >/dev/null; then
    if is_root && is_debian; then
      say "installing Chromium (Debian package) for the browser test"
      apt_install chromium
    else
      die "no Chromium found: install chromium (or set CHROMIUM=/path/to/chrome)"
    fi
  fi
  CHROMIUM=$(chromium_path) || die "Chromium was installed but not found"
  export CHROMIUM
}
