"""Networks as users have them: a proxy in the environment (corporate networks) must not reach the
healthcheck, and the server answers on an IPv6 Docker network as well as on IPv4."""

import uuid

import docker.types
import pytest

from tests.support.containers import poll

pytestmark = pytest.mark.image

# Nothing listens there: a probe that used the proxy would fail. It is the container's own loopback.
DEAD_PROXY = "http://127.0.0.1:9"
# A unique-local /64 for the test's own network (the engine needs no IPv6 address pool for it).
SUBNET = "fd00:6a6c:6d{:02x}::/64"

STATUS = ("import sys, urllib.request\n"
          "request = urllib.request.Request(sys.argv[1], headers={'Authorization': 'token t'})\n"
          "opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))\n"
          "print(opener.open(request, timeout=10).status)\n")


def health(container):
    container.reload()
    return container.attrs["State"].get("Health", {}).get("Status")


def test_healthcheck_ignores_proxy_settings(containers, docker_client, image):
    test = docker_client.images.get(image).attrs["Config"]["Healthcheck"]["Test"]
    proxies = {name: DEAD_PROXY for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY")}
    # Failures while starting (30 s) do not count; the first success makes it healthy.
    container = containers.run(environment={"JUPYTER_TOKEN": "t", **proxies},
                               healthcheck={"test": test, "interval": 1_000_000_000, "timeout": 5_000_000_000,
                                            "retries": 2, "start_period": 30_000_000_000})
    poll(lambda: health(container) in ("healthy", "unhealthy"), 60, "the healthcheck never decided")
    assert health(container) == "healthy", container.attrs["State"]["Health"]["Log"][-1]["Output"]


@pytest.fixture
def ipv6_network(docker_client):
    """A user-defined network with IPv6, removed afterwards (with anything still attached)."""
    ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=SUBNET.format(uuid.uuid4().int % 256))])
    network = docker_client.networks.create(f"jlm-v6-{uuid.uuid4().hex[:8]}", driver="bridge",
                                            enable_ipv6=True, ipam=ipam)
    yield network
    network.reload()
    for container in network.containers:
        container.remove(force=True)
    network.remove()


def test_server_answers_on_ipv6_and_ipv4(containers, ipv6_network):
    server = containers.run(environment={"JUPYTER_TOKEN": "t"}, network=ipv6_network.name)

    def addresses():
        server.reload()
        settings = server.attrs["NetworkSettings"]["Networks"][ipv6_network.name]
        return settings["GlobalIPv6Address"] and (settings["GlobalIPv6Address"], settings["IPAddress"])

    ipv6, ipv4 = poll(addresses, 30, "the container got no IPv6 address")
    for url in (f"http://[{ipv6}]:8888/api/status", f"http://{ipv4}:8888/api/status"):
        def answered(url=url):
            client = containers.run(command=["python", "-c", STATUS, url], network=ipv6_network.name)
            code = client.wait(timeout=60)["StatusCode"]
            output = client.logs().decode(errors="replace")
            client.remove(force=True)
            return code == 0 and output.strip() == "200"
        poll(answered, 60, f"{url} did not answer from another container on the network", interval=1)
