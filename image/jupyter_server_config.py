# Server settings baked into the image (loaded from the venv's etc/jupyter). Everything a user may
# want to change is an environment variable, so compose and `docker run -e` need not repeat CMD.
import os

from jupyterlab_minimalist import settings

c = get_config()  # noqa: F821 -- provided by Jupyter when it loads this file

# A bad setting (port, base URL, certificate, a volume this user cannot write) stops here with
# one line and exit code 2, before anything else is printed.
settings.check()

# Listen on every interface of the container, IPv4 and IPv6 ("" is both families; "0.0.0.0"
# would refuse connections on an IPv6 network). compose publishes the port on 127.0.0.1 only.
c.ServerApp.ip = os.environ.get("JUPYTER_IP", "")
# JUPYTER_PORT is read by jupyter_server itself; JUPYTER_BASE_URL serves under a path prefix.
c.ServerApp.base_url = os.environ.get("JUPYTER_BASE_URL", "/")
c.ServerApp.root_dir = "/home/jovyan"
# The lab opens in notebooks/ (the root is read-only), and saves by rename: see contents.py.
c.ServerApp.contents_manager_class = "jupyterlab_minimalist.contents.AtomicContentsManager"
# /api/status answers while many kernels start at once: see kernels.py.
c.ServerApp.kernel_manager_class = "jupyterlab_minimalist.kernels.StartingKernelsUnlisted"
c.ServerApp.open_browser = False
# The terminal: bash (history, completion), not the sh it would take with SHELL unset.
os.environ.setdefault("SHELL", "/bin/bash")
# One request body at most 64 MiB (jupyter_server allows 512): the server holds about 7 times a
# single-request upload in memory while it decodes it. JupyterLab sends files over 15 MB in 1 MiB
# chunks, so only an API client sending a bigger file in one piece gets "400 Bad Request".
c.ServerApp.max_body_size = c.ServerApp.max_buffer_size = 64 * 2**20

# The user's lab settings (theme, shortcuts) and workspaces (open tabs, layout): in the volume
# compose mounts on /home/jovyan/.jupyter, so they outlive restarts and HOME's tmpfs (which also
# counts against the memory limit). Where it is not writable (a read-only root, no volume), the
# Jupyter default under HOME; JUPYTERLAB_SETTINGS_DIR / JUPYTERLAB_WORKSPACES_DIR still win.
LAB_STATE = "/home/jovyan/.jupyter/lab"
if os.access(LAB_STATE, os.W_OK):
    if not os.environ.get("JUPYTERLAB_SETTINGS_DIR"):
        c.LabApp.user_settings_dir = f"{LAB_STATE}/user-settings"
    if not os.environ.get("JUPYTERLAB_WORKSPACES_DIR"):
        c.LabApp.workspaces_dir = f"{LAB_STATE}/workspaces"

# The token: JUPYTER_TOKEN when set and non-empty, else Jupyter's own random token (printed in
# the logs). An empty JUPYTER_TOKEN (as compose passes an unset variable) must not mean "no token".
if os.environ.get("JUPYTER_TOKEN", None) == "":
    del os.environ["JUPYTER_TOKEN"]
# Nor may an empty --IdentityProvider.token on the command line: the server refuses to start.
c.ServerApp.identity_provider_class = "jupyterlab_minimalist.auth.TokenRequired"

# HTTPS only, when a certificate and key are mounted (see README, "HTTPS").
if os.environ.get("JUPYTER_CERTFILE"):
    c.ServerApp.certfile = os.environ["JUPYTER_CERTFILE"]
    c.ServerApp.keyfile = os.environ.get("JUPYTER_KEYFILE", "")

# Nothing phones home: no news feed, no update check.
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
