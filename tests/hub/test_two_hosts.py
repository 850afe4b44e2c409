"""A hub across two Docker hosts: this machine's engine and a second engine in a network namespace
of its own (tests/support/second_engine.py), joined in a swarm on a veth pair the test makes. The
image reaches the second node through a local registry; the hub (SwarmSpawner) places one user on
each node; when the second node's engine stops, the hub reports that user's server stopped, and a
restart places it on the first node, with a new, empty volume there. Everything -- addresses,
swarm, registry, tags, services, volumes -- is made here and removed after, whatever happens."""

from __future__ import annotations

import os
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from tests.support.containers import poll
from tests.support.hubs import Hub, free_port
from tests.support.repro_helpers import registry_sh
from tests.support.second_engine import SecondEngine

pytestmark = [pytest.mark.hub, pytest.mark.image, pytest.mark.twohost]

USERS = {"erin": "erin-secret-6", "frank": "frank-secret-7"}
NOTEBOOK = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def docker(*args: str, timeout: float = 300) -> str:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"docker {' '.join(args)}: {result.stderr}"
    return result.stdout.strip()


def swarm(stack: ExitStack, docker_client, node2: SecondEngine) -> None:
    """This engine as the manager, listening only on its end of the veth pair; the second engine
    joined as a worker. Left again at the end (the second engine's state goes with its data root)."""
    if docker_client.info()["Swarm"]["LocalNodeState"] != "inactive":
        pytest.fail("the engine is already part of a swarm: this test makes its own and leaves it")
    docker("swarm", "init", "--advertise-addr", node2.host_address, "--listen-addr", f"{node2.host_address}:2377",
           "--data-path-addr", node2.host_address, "--dispatcher-heartbeat", "2s")
    stack.callback(docker, "swarm", "leave", "--force")
    token = docker("swarm", "join-token", "-q", "worker")
    node2.client.swarm.join([f"{node2.host_address}:2377"], token, listen_addr=f"{node2.address}:2377",
                            advertise_addr=node2.address, data_path_addr=node2.address)
    poll(lambda: [n.attrs["Status"]["State"] for n in docker_client.nodes.list()] == ["ready"] * 2, 60,
         "the second node was not ready")


def registry(stack: ExitStack, tmp_path, node2: SecondEngine, image: str) -> str:
    """The image in a local registry: pushed by this engine to 127.0.0.1 (an insecure registry to
    every engine), pulled by the second from a second server of the same storage on this machine's
    veth address (insecure to that engine only). Returns the name both nodes know the image by."""
    push_port, pull_port = free_port(), free_port()
    (tmp_path / "pull").mkdir()
    (tmp_path / "pull" / "storage").symlink_to(tmp_path / "push" / "storage")
    for where, port, address in (("push", push_port, "127.0.0.1"), ("pull", pull_port, node2.host_address)):
        started = registry_sh("registry_start", tmp_path / where, str(port), address)
        assert started.returncode == 0, started.stderr
        stack.callback(registry_sh, "registry_stop", started.stdout.split()[0])
    path = "jupyterlab-minimalist:" + image.split(":")[-1]
    pushed, name = f"127.0.0.1:{push_port}/{path}", f"{node2.host_address}:{pull_port}/{path}"
    for tag in (pushed, name):
        docker("tag", image, tag)
        stack.callback(docker, "rmi", tag)
    docker("push", "-q", pushed, timeout=600)
    return name


def node_of(hub: Hub, name: str) -> str:
    [service] = [s for s in hub.services() if s.name == f"{hub.prefix}-{name}"]
    [task] = [t for t in service.tasks() if t["DesiredState"] == "running" and t["Status"]["State"] == "running"]
    return task["NodeID"]


def answers(hub: Hub, name: str) -> str:
    """name's lab through the hub: a token of theirs, /api/status; returns the token."""
    token = hub.api("POST", f"/users/{name}/tokens", json={"expires_in": 600}).json()["token"]
    status = requests.get(f"{hub.url}/user/{name}/api/status", headers={"Authorization": f"token {token}"}, timeout=30)
    assert status.status_code == 200, f"{name}: {status.status_code} {status.text[:300]}"
    return token


def test_a_hub_places_users_on_two_hosts_and_sees_one_go(hub_image, docker_client, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("makes a network namespace, a veth pair and a second engine: needs root")
    with ExitStack() as stack:
        node2 = SecondEngine()
        stack.callback(node2.remove)
        swarm(stack, docker_client, node2)
        image = registry(stack, tmp_path, node2, hub_image)
        (tmp_path / "hub").mkdir()
        hub = Hub(tmp_path / "hub", image, USERS, spawner="swarm", cull_seconds=0,
                  settings={"HUB_TEST_HUB_ADDRESS": node2.host_address, "HUB_TEST_SERVER_IP": "0.0.0.0",
                            "HUB_TEST_POLL_SECONDS": "2"})

        def stop_hub():
            print(f"--- hub log (tail) ---\n{hub.log_tail()}\n--- second engine (tail) ---\n{node2.log_tail()}")
            hub.stop()
            assert hub.services() == [] and hub.containers() == [] and hub.volumes() == []

        stack.callback(stop_hub)
        this_node = docker_client.info()["Swarm"]["NodeID"]
        second_node = node2.client.info()["Swarm"]["NodeID"]

        # One at a time: the swarm puts a new service on the node with the fewest tasks.
        spawn_seconds, nodes, tokens = {}, {}, {}
        for name in USERS:
            start = time.perf_counter()
            hub.start_server(name, timeout=300)
            spawn_seconds[name] = time.perf_counter() - start
            nodes[name] = node_of(hub, name)
            tokens[name] = answers(hub, name)
        assert sorted(nodes.values()) == sorted([this_node, second_node]), "one user on each node"
        [there] = [name for name in USERS if nodes[name] == second_node]
        [here] = [name for name in USERS if nodes[name] == this_node]
        print(f"spawn, REST start to ready: {here} on this node {spawn_seconds[here]:.1f} s, {there} on the second "
              f"node {spawn_seconds[there]:.1f} s (its first pull of the image from the registry included)")

        # Each keeps its notebook: saved through the hub, it is in the user's volume on their node.
        for name, client in ((here, docker_client), (there, node2.client)):
            saved = requests.put(f"{hub.url}/user/{name}/api/contents/notebooks/kept.ipynb", timeout=30,
                                 headers={"Authorization": f"token {tokens[name]}"},
                                 json={"type": "notebook", "content": NOTEBOOK})
            assert saved.status_code in (200, 201), saved.text[:300]
        kept = {name: Path(client.volumes.get(f"{hub.prefix}-{name}").attrs["Mountpoint"]) / "kept.ipynb"
                for name, client in ((here, docker_client), (there, node2.client))}
        assert all(path.is_file() for path in kept.values()), kept

        # The second host goes down (its engine and containers killed, no one told): the swarm marks
        # the node down, the hub sees that server stop, and the other one stays.
        node2.go_down()
        start = time.perf_counter()
        poll(lambda: hub.stopped(there), 120, f"the hub did not report {there}'s server stopped")
        print(f"the hub reported {there}'s server stopped {time.perf_counter() - start:.1f} s after its host went down")
        assert hub.ready(here)
        answers(hub, here)

        # Started again, it runs on this node, with a new, empty volume of the same name; the
        # notebook stays in the volume on the second node (its data root) until that node is back.
        hub.start_server(there, timeout=300)
        assert node_of(hub, there) == this_node
        token = answers(hub, there)
        missing = requests.get(f"{hub.url}/user/{there}/api/contents/notebooks/kept.ipynb", timeout=30,
                               headers={"Authorization": f"token {token}"})
        assert missing.status_code == 404, missing.text[:300]
        assert kept[there].is_file()
