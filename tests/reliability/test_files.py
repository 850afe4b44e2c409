"""Files as users name and keep them: the longest names jupyter_server itself saves, a 403 (not a
500) at the read-only top level, save temporaries a killed server left cleared at the next start,
and bash in the terminal."""

import os
import time

import pytest

from tests.support.containers import poll
from tests.support.terminal import type_in_terminal

pytestmark = pytest.mark.image

NOTEBOOK = {"type": "notebook", "content": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}}
# compose.yaml's read-only root, with the notebooks folder writable as a volume would be.
READ_ONLY = {"read_only": True, "tmpfs": {"/tmp": "", "/home/jovyan/notebooks": "uid=1000,gid=1000"}}


def test_longest_names_save(containers):
    """Stock jupyter_server: a file name of 255 bytes, a notebook of 244 (its checkpoint adds 11)."""
    server = containers.run_server(**READ_ONLY)
    file_name, notebook_name = "f" * 255, "n" * 238 + ".ipynb"
    text = {"type": "file", "format": "text", "content": "x"}
    assert server.request("PUT", f"/api/contents/notebooks/{file_name}", json=text).status_code == 201
    assert server.request("PUT", f"/api/contents/notebooks/{notebook_name}", json=NOTEBOOK).status_code == 201
    assert server.request("POST", f"/api/contents/notebooks/{notebook_name}/checkpoints").status_code == 201
    assert server.request("PUT", f"/api/contents/notebooks/{notebook_name}", json=NOTEBOOK).status_code == 200
    # Non-ASCII: the limit is in bytes.
    assert server.request("PUT", f"/api/contents/notebooks/{'é' * 127}", json=text).status_code == 201


def test_new_file_at_the_read_only_top_level_is_refused_with_403(containers):
    server = containers.run_server(**READ_ONLY)
    for method, path, body in [("POST", "/api/contents/", {"type": "file"}),
                               ("PUT", "/api/contents/top.txt", {"type": "file", "format": "text", "content": "x"})]:
        response = server.request(method, path, json=body)
        assert response.status_code == 403 and "Read-only" in response.json()["message"], response.text


def test_save_temporaries_left_by_a_killed_server_are_cleared_at_start(containers, host_dir):
    (host_dir / "sub").mkdir(mode=0o777)
    (host_dir / "sub").chmod(0o777)
    left = [host_dir / ".~kept.ipynb.0123abcd.saving", host_dir / "sub" / ".~x.txt.89abcdef.saving"]
    for path in left:
        path.write_text("")
        os.utime(path, (time.time() - 60, time.time() - 60))
    not_ours = host_dir / ".~mine.saving"
    not_ours.write_text("")
    containers.run_server(volumes={str(host_dir): {"bind": "/home/jovyan/notebooks"}})
    poll(lambda: not any(path.exists() for path in left), 30, "leftover save temporaries were not removed")
    assert not_ours.exists()


def test_the_terminal_is_bash(containers):
    server = containers.run_server()
    output = type_in_terminal(server, "echo shell=$0 version=${BASH_VERSINFO}", until="version=5")
    assert "shell=/bin/bash" in output and "version=5" in output, output
