# ensure_emulation PLATFORM...: make the engine able to run containers of each PLATFORM that is not
# the host's own (qemu through binfmt_misc, registered with the F flag so that it works inside
# containers too). Only the runtime stage of a build for another platform, and that image's tests,
# run emulated. Sourced after common.sh.

# The kernel's name for a platform's CPU, as binfmt_misc registrations name qemu's handlers.
qemu_arch() {
  case $1 in
    linux/arm64*) echo aarch64 ;;
    linux/amd64*) echo x86_64 ;;
    *) die "platform $1: only linux/amd64 and linux/arm64 are built" ;;
  esac
}

host_platform() {
  case $(uname -m) in
    aarch64|arm64) echo linux/arm64 ;;
    x86_64) echo linux/amd64 ;;
    *) die "host CPU $(uname -m): only amd64 and arm64 hosts are supported" ;;
  esac
}

# The platforms the engine's builder can run, one a line.
engine_platforms() {
  docker buildx inspect 2>/dev/null | sed -n 's/^Platforms: *//p' | tr ',' '\n' | sed 's/^ *//; s/\*$//'
}

binfmt_registered() { grep -qx enabled "/proc/sys/fs/binfmt_misc/qemu-$1" 2>/dev/null; }

ensure_emulation() {
  local platform arch conf
  for platform in "$@"; do
    [ "$platform" = "$(host_platform)" ] && continue
    arch=$(qemu_arch "$platform")
    # Docker Desktop, colima and hosts set up with tonistiigi/binfmt: the builder lists it already.
    engine_platforms | grep -qx "$platform" && continue
    is_root || die "running $platform containers needs qemu registered in binfmt_misc, and that needs root"
    is_debian || die "running $platform containers needs qemu-user-static registered in binfmt_misc"
    [ -e /proc/sys/fs/binfmt_misc/register ] ||
      mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || die "mounting binfmt_misc failed"
    conf=/usr/lib/binfmt.d/qemu-$arch.conf
    [ -r "$conf" ] || apt_install qemu-user-static
    [ -r "$conf" ] || die "$conf: not installed by qemu-user-static"
    # The package's own line (flags OPF: F opens qemu now, so containers need no copy of it).
    binfmt_registered "$arch" || cat "$conf" > /proc/sys/fs/binfmt_misc/register ||
      die "registering qemu-$arch in binfmt_misc failed"
    say "qemu-$arch registered for $platform containers"
  done
}
