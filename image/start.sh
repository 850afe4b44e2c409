#!/bin/sh
# The image's start: `jupyter lab` as given, unless JupyterHub started the container. A hub's
# spawner passes its API token (JUPYTERHUB_API_TOKEN) and its prefix, URLs and root folder
# (JUPYTERHUB_*) in the environment, and often a command that knows nothing of them (the image's
# own CMD when the spawner sets none). Under a hub, a command that starts a Jupyter server runs as
# jupyterhub-singleuser with the same arguments: the hub's login and URL prefix, whatever the cmd.
# A server command runs under the image's supervisor (image/supervise.sh: started again whenever
# it dies after serving); any other command runs as given. Bad setting: one line on stderr, exit 2.
set -eu

fail() {
  echo "error: $*" >&2
  exit 2
}

# How many leading words of "$@" name a Jupyter server (0: not a server command).
server_words() {
  case ${1:-} in
    jupyter)
      case ${2:-} in lab | server | notebook | labhub) echo 2 ;; *) echo 0 ;; esac ;;
    jupyter-lab | jupyter-server | jupyter-notebook | jupyter-labhub | jupyterhub-singleuser | \
      start-notebook.sh | start-notebook.py | start-singleuser.sh | start-singleuser.py) echo 1 ;;
    *) echo 0 ;;
  esac
}

# matplotlib's font list, built in the image (image/font_cache.py), put where matplotlib looks for
# it: its cache folder, which must be writable (so not the image). Saves every first import of
# matplotlib a font scan. Quietly left out where that folder cannot be made.
mpl_cache=${MPLCONFIGDIR:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/matplotlib}
for list in /opt/venv/share/matplotlib/fontlist-v*.json; do
  if [ -f "$list" ] && ! [ -e "$mpl_cache/${list##*/}" ]; then
    { mkdir -p "$mpl_cache" && cp "$list" "$mpl_cache/"; } 2>/dev/null || true
  fi
done

words=$(server_words "$@")
if [ -n "${JUPYTERHUB_API_TOKEN:-}" ] && [ "$words" != 0 ]; then
  command -v jupyterhub-singleuser >/dev/null 2>&1 \
    || fail "JupyterHub started this container (JUPYTERHUB_API_TOKEN is set), but this image has no jupyterhub-singleuser: spawn the hub image, jupyterlab-minimalist:hub (scripts/build-layer requirements-hub.lock), instead"
  # The hub's notebook_dir: a volume mounted where the image has no folder is created by the
  # engine as root's, and the lab could open but never save there.
  root=${JUPYTERHUB_ROOT_DIR:-}
  if [ -n "$root" ] && [ -d "$root" ] && ! [ -w "$root" ]; then
    fail "the notebook folder $root (the spawner's notebook_dir) is not writable by UID $(id -u): mount the volume at /home/jovyan/work or /home/jovyan/notebooks (folders of the image, owned by that user), or chown it to $(id -u):$(id -g)"
  fi
  shift "$words"
  exec jupyterlab-supervise jupyterhub-singleuser "$@"
fi
[ "$words" = 0 ] || exec jupyterlab-supervise "$@"
exec "$@"
