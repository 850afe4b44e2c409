# JupyterHub for a small team on one Docker host: every user gets their own container of the
# hub-ready image (jupyterlab-minimalist:hub), hardened as compose.yaml runs the plain image, with
# their notebooks in a named volume of their own. Used by hub/compose.yaml and, with loopback
# networking and test users on top, by tests/hub/. Settings are environment variables:
#   SINGLEUSER_IMAGE   the image to spawn (default jupyterlab-minimalist:hub); never pulled
#   DOCKER_NETWORK     the network hub and user containers share (default jupyterhub)
#   SINGLEUSER_MEMORY  memory per user, kernels included (default 2G)
#   SINGLEUSER_UID     the user containers' UID:GID (default: the image's user, non-root)
#   SPAWN_PREFIX       user containers and notebook volumes are named PREFIX-USERNAME (default jupyter)
#   CULL_IDLE_SECONDS  stop a server idle this long (default 3600; 0: never)
#   HUB_AUTHENTICATOR  how users log in. Default shared-password: the admins of HUB_ADMINS (default
#                      admin) log in with HUB_ADMIN_PASSWORD (scripts/hub makes one on first run and
#                      prints it), others with HUB_USER_PASSWORD if set; no sign-up. Or an OAuthenticator:
#                      github, gitlab, google, generic-oauth ..., which read OAUTH_CLIENT_ID,
#                      OAUTH_CLIENT_SECRET, OAUTH_CALLBACK_URL and their own variables (OAUTH2_*_URL,
#                      GITLAB_URL ...) from the environment: every variable of hub/.env reaches the hub.
#   HUB_ALLOWED_USERS  comma-separated user names allowed to log in; HUB_ADMINS: the admins among them
#   HUB_CONNECT_HOST   the hub's name on DOCKER_NETWORK when the hub runs in a container (compose: hub)
#   HUB_SSL_CERT, HUB_SSL_KEY  serve HTTPS with this certificate and key (files in the hub container)
import os
import sys

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file

c.JupyterHub.spawner_class = "docker"
c.DockerSpawner.image = os.environ.get("SINGLEUSER_IMAGE", "jupyterlab-minimalist:hub")
# The image is built locally (scripts/hub builds it): a pull could only fetch something else.
c.DockerSpawner.pull_policy = "never"
# jupyterhub-singleuser takes its address, base URL and login from the hub; the image's own
# settings (no news or update checks, saves by rename, notebooks/ as the working folder) stay.
c.DockerSpawner.cmd = ["jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.DockerSpawner.network_name = os.environ.get("DOCKER_NETWORK", "jupyterhub")
# A stopped server's container is removed: only the user's volume is kept.
c.DockerSpawner.remove = True
prefix = os.environ.get("SPAWN_PREFIX", "jupyter")
c.DockerSpawner.prefix = prefix
c.DockerSpawner.volumes = {f"{prefix}-{{username}}": "/home/jovyan/notebooks"}
c.DockerSpawner.mem_limit = os.environ.get("SINGLEUSER_MEMORY", "2G")
# compose.yaml's hardening: read-only root (HOME and the kernels' files on a tmpfs /tmp), no
# capabilities, no privilege gain; memory and swap equal, so the limit is the limit.
c.DockerSpawner.extra_host_config = {
    "read_only": True,
    "tmpfs": {"/tmp": "size=512m"},
    "cap_drop": ["ALL"],
    "security_opt": ["no-new-privileges"],
    "memswap_limit": c.DockerSpawner.mem_limit,
    # A fork bomb in a cell stops here, not at the host's process table (compose.yaml's number).
    "pids_limit": 4096,
}
if os.environ.get("SINGLEUSER_UID"):
    c.DockerSpawner.extra_create_kwargs = {"user": os.environ["SINGLEUSER_UID"]}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90

authenticator = os.environ.get("HUB_AUTHENTICATOR") or "shared-password"
c.JupyterHub.authenticator_class = authenticator
c.Authenticator.allowed_users = {name for name in os.environ.get("HUB_ALLOWED_USERS", "").split(",") if name}
c.Authenticator.admin_users = {name for name in os.environ.get("HUB_ADMINS", "").split(",") if name}
if authenticator == "shared-password":
    # A first run's way in: no sign-up, the admins' password from hub/.env (scripts/hub writes it).
    if not os.environ.get("HUB_ADMIN_PASSWORD"):
        sys.exit("error: HUB_AUTHENTICATOR=shared-password needs HUB_ADMIN_PASSWORD (32 characters or more):"
                 " run scripts/hub, which writes one into hub/.env, or set an OAuth provider")
    c.Authenticator.admin_users = c.Authenticator.admin_users or {"admin"}
    c.SharedPasswordAuthenticator.admin_password = os.environ["HUB_ADMIN_PASSWORD"]
    if os.environ.get("HUB_USER_PASSWORD"):
        # Whoever has the users' password, unless HUB_ALLOWED_USERS names who.
        c.SharedPasswordAuthenticator.user_password = os.environ["HUB_USER_PASSWORD"]
        c.Authenticator.allow_all = not c.Authenticator.allowed_users
    # Admins are not allowed users by themselves (JupyterHub 5+): the admins may log in too.
    c.Authenticator.allowed_users = c.Authenticator.allowed_users | c.Authenticator.admin_users

# In a container the hub listens on its network, where the user containers reach it by name.
if os.environ.get("HUB_CONNECT_HOST"):
    c.JupyterHub.hub_bind_url = "http://0.0.0.0:8081"
    c.JupyterHub.hub_connect_url = f"http://{os.environ['HUB_CONNECT_HOST']}:8081"
if os.environ.get("HUB_SSL_CERT"):
    c.JupyterHub.ssl_cert = os.environ["HUB_SSL_CERT"]
    c.JupyterHub.ssl_key = os.environ["HUB_SSL_KEY"]

# Idle servers are stopped by jupyterhub-idle-culler, a hub service with only the scopes it needs.
cull_seconds = int(os.environ.get("CULL_IDLE_SECONDS", "3600"))
c.JupyterHub.services, c.JupyterHub.load_roles = [], []
if cull_seconds:
    c.JupyterHub.services = [{
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={cull_seconds}",
                    f"--cull-every={max(5, min(300, cull_seconds // 4))}"],
    }]
    c.JupyterHub.load_roles = [{
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }]
