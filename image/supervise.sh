#!/bin/sh
# The image's command: runs the server (the arguments) and starts it again whenever it dies after
# it had started serving, however long it ran before (a container restart policy counts crashes
# over the container's whole life, and cannot tell a crash from a bad setting). It exits with the
# server's code when the server stops on purpose (0: docker stop; 2: a bad setting, its one line
# already printed) or fails three times in a row before serving: a restart loop helps nobody.
set -u

# An empty JUPYTER_NO_CONFIG is unset; a set one would skip the image's config: its token guard,
# its settings check and its saves by rename.
if [ -n "${JUPYTER_NO_CONFIG:-}" ]; then
    echo "error: JUPYTER_NO_CONFIG is set, which would skip the image's settings, saves and token check: unset it" >&2
    exit 2
fi
unset JUPYTER_NO_CONFIG

# JupyterLab's HTTP client has no SOCKS support: such a proxy stopped the server at import with a
# traceback. Ignored with one line (the value may hold a password: never printed).
for name in ALL_PROXY HTTP_PROXY HTTPS_PROXY all_proxy http_proxy https_proxy; do
    case $(printenv "$name") in
        [Ss][Oo][Cc][Kk][Ss]*)
            echo "warning: $name is a SOCKS proxy, which JupyterLab cannot use: ignored" >&2
            unset "$name" ;;
    esac
done

# Where jupyter_server writes jpserver-PID.json once it listens (as the healthcheck finds it).
runtime=${JUPYTER_RUNTIME_DIR:-${JUPYTER_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/jupyter}/runtime}
# dumb-init (PID 1) passes docker stop's SIGTERM to the server and to this script: note it, and
# wait for the server to shut its kernels down.
stopping=
trap 'stopping=1' TERM INT HUP
failed_before_serving=0

while :; do
    started=$(date +%s)
    "$@" &
    server=$!
    # A trapped signal ends `wait` early: wait again until the server is gone.
    until wait "$server"; code=$?; ! kill -0 "$server" 2>/dev/null; do :; done
    if [ -n "$stopping" ] || [ "$code" = 0 ] || [ "$code" = 2 ]; then
        exit "$code"
    fi
    # Served: its runtime file is still there (a SIGKILL, the OOM killer), or it ran a minute.
    if [ -e "$runtime/jpserver-$server.json" ] || [ $(($(date +%s) - started)) -ge 60 ]; then
        failed_before_serving=0
    else
        failed_before_serving=$((failed_before_serving + 1))
        if [ "$failed_before_serving" -ge 3 ]; then
            echo "error: the server failed three times in a row before it served (exit code $code): stopping" >&2
            exit "$code"
        fi
    fi
    rm -f "$runtime/jpserver-$server.json" "$runtime/jpserver-$server-open.html"
    reason=
    [ "$code" = 137 ] && reason=" (killed: out of memory, or SIGKILL)"
    echo "The server exited with code $code$reason: starting it again" >&2
done
