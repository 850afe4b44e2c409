# The test hub: hub/jupyterhub_config.py, as shipped, plus what only the tests need: everything on
# 127.0.0.1 (hub, proxy and user servers on the host's network, each server on a free port), test
# users with their own passwords, a token for the tests, the idle culler limited to one user, and
# SwarmSpawner instead of DockerSpawner when HUB_TEST_SPAWNER=swarm. Settings come from
# tests/support/hubs.py through HUB_TEST_* environment variables. A hub spanning two hosts
# (tests/hub/test_two_hosts.py) listens for its servers on HUB_TEST_HUB_ADDRESS, an address the
# test made, and its servers listen on HUB_TEST_SERVER_IP of whichever node runs them.
import json
import os
from pprint import pformat

from docker.types import Mount, RestartPolicy
from dockerspawner import DockerSpawner, SwarmSpawner
from jupyterhub.auth import Authenticator
from jupyterhub.utils import random_port
from traitlets import Dict, Unicode

c = get_config()  # noqa: F821
prefix = os.environ["SPAWN_PREFIX"]
if os.environ.get("HUB_TEST_STOCK"):
    # What a team's admin writes for any image: the image and a volume per user, nothing else (the
    # prefix only keeps the test's containers and volumes apart from everyone else's).
    c.DockerSpawner.image = os.environ["SINGLEUSER_IMAGE"]
    c.DockerSpawner.volumes = {f"{prefix}-{{username}}": "/home/jovyan/notebooks"}
    c.DockerSpawner.prefix = prefix
    c.JupyterHub.services, c.JupyterHub.load_roles = [], []
else:
    load_subconfig(os.environ["HUB_TEST_SHIPPED_CONFIG"])  # noqa: F821

state = os.environ["HUB_TEST_DIR"]
c.JupyterHub.bind_url = f"http://127.0.0.1:{os.environ['HUB_TEST_PUBLIC_PORT']}"
c.JupyterHub.hub_bind_url = f"http://{os.environ.get('HUB_TEST_HUB_ADDRESS', '127.0.0.1')}:{os.environ['HUB_TEST_HUB_PORT']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['HUB_TEST_PROXY_API_PORT']}"
c.JupyterHub.db_url = f"sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{state}/jupyterhub_cookie_secret"
c.ConfigurableHTTPProxy.pid_file = f"{state}/proxy.pid"


class PasswordsAuthenticator(Authenticator):
    """Each test user with a password of their own (a team would use OAuth, LDAP or NativeAuthenticator)."""

    passwords = Dict(config=True)

    async def authenticate(self, handler, data):
        if data["username"] in self.passwords and self.passwords[data["username"]] == data["password"]:
            return data["username"]
        return None


users = json.loads(os.environ["HUB_TEST_USERS"])
c.JupyterHub.authenticator_class = PasswordsAuthenticator
c.PasswordsAuthenticator.passwords = users
c.Authenticator.allowed_users = set(users)


class Loopback:
    """User servers on the host's network, each on a free port of 127.0.0.1."""

    async def start(self):
        self.port = random_port()
        return await super().start()

    async def get_ip_and_port(self):
        return "127.0.0.1", self.port


class LoopbackDockerSpawner(Loopback, DockerSpawner):
    pass


class LoopbackSwarmSpawner(Loopback, SwarmSpawner):
    """A service per user on the host network of whichever node the swarm picks, reached at that
    node's address. A server is running only while its task runs on the node it started on and
    that node is Ready: SwarmSpawner 14's poll counts a pending task, a task on a node that is down
    or one the swarm moved elsewhere as running, so the hub never saw such a server stop."""

    node_id = Unicode("")

    @property
    def mounts(self):
        """Named volumes as volume mounts: SwarmSpawner 14 makes every volume a bind mount, which a
        volume name is not (the task is rejected)."""
        return [Mount(target=v["bind"], source=name, type="volume", read_only=v["mode"] == "ro")
                for name, v in self.volume_binds.items()]

    async def start_object(self):
        await super().start_object()
        self.node_id = (await self.get_task())["NodeID"]

    async def get_ip_and_port(self):
        node = await self.docker("inspect_node", self.node_id)
        return node["Status"]["Addr"], self.port

    async def poll(self):
        task = await self.get_task()
        if not task:
            return 0
        if task["Status"]["State"] != "running" or task["DesiredState"] != "running" or task["NodeID"] != self.node_id:
            return pformat(task["Status"])
        node = await self.docker("inspect_node", self.node_id)
        if node["Status"]["State"] != "ready":
            return f"node {node['Description']['Hostname']} ({self.node_id[:12]}) is {node['Status']['State']}"
        return None

    def get_state(self):
        return {**super().get_state(), **({"node_id": self.node_id} if self.node_id else {})}

    def load_state(self, state):
        super().load_state(state)
        self.node_id = state.get("node_id", "")

    def clear_state(self):
        super().clear_state()
        self.node_id = ""


per_user = json.loads(os.environ.get("HUB_TEST_PER_USER", "{}"))


def per_user_settings(spawner):
    for name, value in per_user.get(spawner.user.name, {}).items():
        setattr(spawner, name, {k.replace("{prefix}", prefix): v for k, v in value.items()} if name == "volumes" else value)


c.Spawner.pre_spawn_hook = per_user_settings
c.Spawner.ip = os.environ.get("HUB_TEST_SERVER_IP", "127.0.0.1")
c.Spawner.poll_interval = int(os.environ.get("HUB_TEST_POLL_SECONDS", "30"))
c.DockerSpawner.network_name = "host"
c.DockerSpawner.use_internal_ip = True  # no published ports: there are none on the host network
if os.environ.get("HUB_TEST_SPAWNER") == "swarm":
    c.JupyterHub.spawner_class = LoopbackSwarmSpawner
    # A service's tmpfs mount is root-owned 755 on this engine: HOME=/tmp would not be writable,
    # so swarm services keep a writable root; no capabilities, the image's non-root user.
    c.SwarmSpawner.extra_container_spec = {"cap_drop": ["ALL"]}
    c.SwarmSpawner.mem_limit = None
    # A server that ends stays ended, as with DockerSpawner: the hub, not the swarm, starts it again
    # (a task restarted elsewhere would leave the hub's route pointing at the old node).
    c.SwarmSpawner.extra_task_spec = {"restart_policy": RestartPolicy(condition="none")}
else:
    c.JupyterHub.spawner_class = LoopbackDockerSpawner

c.JupyterHub.services = [*c.JupyterHub.services, {"name": "tests", "api_token": os.environ["HUB_TEST_TOKEN"]}]
c.JupyterHub.load_roles = [
    {"name": "tests", "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"], "services": ["tests"]},
    # The culler sees only the user HUB_TEST_IDLE_USER: the other test users' servers stay up.
    *({**role, "scopes": [f"{scope}!user={os.environ['HUB_TEST_IDLE_USER']}" for scope in role["scopes"]]}
      for role in c.JupyterHub.load_roles if role["name"] == "idle-culler"),
]
