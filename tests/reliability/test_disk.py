"""Saving onto a full volume fails with an error the user sees and leaves the last saved version
whole; killing the container (SIGKILL) in the middle of a stream of saves never leaves a
truncated or invalid notebook on disk."""

import json
import random
import threading

import pytest

from tests.support.containers import poll

pytestmark = pytest.mark.image

UID, GID = 1000, 1000
HARDENED = {"read_only": True, "tmpfs": {"/tmp": ""}, "cap_drop": ["ALL"], "security_opt": ["no-new-privileges"]}
KILLS = 5


def notebook(version: int, padding: int = 0) -> dict:
    """A notebook that says which save it is; padding makes it take a while to write."""
    cell = {"cell_type": "code", "source": f"version = {version}", "metadata": {}, "execution_count": 1,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "x" * padding}]}
    return {"type": "notebook", "content": {"cells": [cell], "metadata": {"version": version},
                                            "nbformat": 4, "nbformat_minor": 5}}


def saved_version(text: str) -> int:
    """The version of a complete, valid notebook (json.loads fails on a truncated one)."""
    saved = json.loads(text)
    source = "".join(saved["cells"][0]["source"])  # nbformat may store it as a list of lines
    assert saved["nbformat"] == 4 and source == f"version = {saved['metadata']['version']}"
    return saved["metadata"]["version"]


def test_full_volume_save_fails_visibly_and_keeps_the_last_version(containers):
    volume = "/home/jovyan/notebooks"
    server = containers.run_server(user=f"{UID}:{GID}", **{**HARDENED, "tmpfs": {
        "/tmp": "", volume: f"size=2m,uid={UID},gid={GID}"}})
    path = "/api/contents/notebooks/kept.ipynb"
    assert server.request("PUT", path, json=notebook(1)).status_code == 201
    # Fill the volume as a user would, with a data file, until the disk says no.
    code, out = server.exec("sh", "-c", f"head -c 4M /dev/zero > {volume}/filler")
    assert code != 0 and "No space left on device" in out, out

    response = server.request("PUT", path, json=notebook(2, padding=100_000))
    # JupyterLab shows this message in its "File Save Error" dialog.
    assert response.status_code == 500, response.text
    assert "No space left on device" in response.json()["message"], response.text
    assert saved_version(server.exec("cat", f"{volume}/kept.ipynb")[1]) == 1
    assert server.get(path).json()["content"]["metadata"]["version"] == 1
    code, listing = server.exec("ls", "-A", volume)
    assert sorted(listing.split()) == [".ipynb_checkpoints", "filler", "kept.ipynb"], "a half-written file was left"

    server.exec("rm", f"{volume}/filler")
    assert server.request("PUT", path, json=notebook(2)).status_code == 200, "saving must work again once there is room"


def test_sigkill_during_saves_never_leaves_a_broken_notebook(containers, host_dir):
    """KILLS times: a stream of ~4 MB saves, the container killed after a random number of them."""
    container = None
    attempted = 0
    for kill in range(KILLS):
        if container is None:
            server = containers.run_server(volumes={str(host_dir): {"bind": "/home/jovyan/notebooks"}}, **HARDENED)
            container = server.container
        else:
            container.start()
            server.wait_ready()
        confirmed, stop = [], threading.Event()

        def save_until_killed():
            nonlocal attempted
            while not stop.is_set():
                attempted += 1
                try:
                    if server.request("PUT", "/api/contents/notebooks/stream.ipynb",
                                      json=notebook(attempted, padding=4_000_000)).status_code in (200, 201):
                        confirmed.append(attempted)
                except OSError:
                    return  # the container is gone

        saver = threading.Thread(target=save_until_killed)
        saver.start()
        wanted = random.randint(2, 6)
        poll(lambda: len(confirmed) >= wanted, 120, f"{wanted} saves did not complete")
        container.kill()  # SIGKILL, mid-save or between saves
        stop.set()
        saver.join(timeout=60)
        version = saved_version((host_dir / "stream.ipynb").read_text())
        assert confirmed[-1] <= version <= attempted, (kill, confirmed[-1], version, attempted)
        container.wait(timeout=60)
    # After the last kill, the server reads it back (no "Unreadable Notebook").
    container.start()
    server.wait_ready()
    assert server.get("/api/contents/notebooks/stream.ipynb").status_code == 200
