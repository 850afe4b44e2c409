# Shared helpers for the scripts in scripts/. Sourced, never run.
# Messages go to stderr so that a script's stdout stays usable (e.g. the URL from scripts/start).

say()  { printf '==> %s\n' "$*" >&2; }
warn() { printf '!!! %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# Project root, whatever directory the script was started from.
PROJECT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export PROJECT_ROOT

# `SCRIPT -h|--help` for scripts without options of their own: print the script's header comment
# (the lines after the shebang) and exit, before anything is set up, started or stopped.
help_from_header() {
  case "${1:-}" in
    -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
  esac
}

# Poll a command until it succeeds or the deadline (seconds) passes. No fixed sleeps elsewhere.
wait_for() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

is_root() { [ "$(id -u)" = 0 ]; }
is_debian() { [ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }

# The host's CA bundle: what pip, uv and curl on this host trust. Passed to builds as a BuildKit
# secret so that a TLS-intercepting proxy works inside `docker build` too; it never lands in a layer.
# The search list lives in lock/ca_bundle.py only (the wheelhouse and `lock` use the same).
host_ca_bundle() {
  python3 -I "$PROJECT_ROOT/lock/ca_bundle.py"  # -I: nothing of lock/ shadows the standard library
}

# The Debian mirror this host already uses (first non-security URI in its apt sources).
# Taken from the machine, never hard-coded, so it works behind any site's mirror.
debian_mirror() {
  local uri
  uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '/^[[:space:]]*#/ {next}
         /^deb[[:space:]]/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\//) { print $i; break } }
         /^URIs:/ { for (i = 2; i <= NF; i++) print $i }' |
    grep -E '/debian/?$' | grep -v -- '-security' | head -n 1)
  [ -n "$uri" ] && printf '%s\n' "${uri%/}"
}

apt_updated=""
apt_update_once() {
  [ -n "$apt_updated" ] && return 0
  say "apt-get update"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || die "apt-get update failed"
  apt_updated=1
}

apt_install() {
  apt_update_once
  # Lock::Timeout: wait for another apt that holds dpkg's lock instead of failing at once.
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" >&2 ||
    die "apt-get install $* failed"
}
