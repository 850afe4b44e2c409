# Server settings baked into the image (loaded from the venv's etc/jupyter). Everything a user may
# want to change is an environment variable, so compose and `docker run -e` need not repeat CMD.
import os

c = get_config()  # noqa: F821 -- provided by Jupyter when it loads this file

# Listen on every interface of the container; compose publishes the port on 127.0.0.1 only.
c.ServerApp.ip = os.environ.get("JUPYTER_IP", "0.0.0.0")
# JUPYTER_PORT is read by jupyter_server itself; JUPYTER_BASE_URL serves under a path prefix.
c.ServerApp.base_url = os.environ.get("JUPYTER_BASE_URL", "/")
c.ServerApp.root_dir = "/home/jovyan"
c.ServerApp.open_browser = False

# The token: JUPYTER_TOKEN when set and non-empty, else Jupyter's own random token (printed in
# the logs). An empty JUPYTER_TOKEN (as compose passes an unset variable) must not mean "no token".
if os.environ.get("JUPYTER_TOKEN", None) == "":
    del os.environ["JUPYTER_TOKEN"]

# HTTPS only, when a certificate and key are mounted (see README, "HTTPS").
if os.environ.get("JUPYTER_CERTFILE"):
    c.ServerApp.certfile = os.environ["JUPYTER_CERTFILE"]
    c.ServerApp.keyfile = os.environ.get("JUPYTER_KEYFILE", "")

# Nothing phones home: no news feed, no update check.
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
