"""README's "Publish the image for a team", run as written against a throw-away registry on
127.0.0.1: `docker tag` and `docker push` the image, pull it back as a teammate would (the same
image ID), and compose.yaml runs that image when `.env` names it (`IMAGE=`)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess

import pytest

from tests.support.paths import PROJECT_ROOT

pytestmark = pytest.mark.image

README = (PROJECT_ROOT / "README.md").read_text()


def docker(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=300)


def test_tag_push_and_run_the_published_image(image, registry, tmp_path):
    recipe = re.search(r"\*\*Publish the image for a team\*\*: `(docker tag \S+ (\S+))`\s+and `docker push` it", README)
    assert recipe, "README's publish recipe changed: update this test"
    command, example = recipe[1], recipe[2]
    target = example.replace(example.split("/", 1)[0], registry, 1)
    words = shlex.split(command.replace("jupyterlab-minimalist:latest", image).replace(example, target))
    assert words[:2] == ["docker", "tag"], command
    assert docker(*words[1:]).returncode == 0
    try:
        pushed = docker("push", target)
        assert pushed.returncode == 0, pushed.stderr
        assert docker("rmi", target).returncode == 0
        pulled = docker("pull", target)
        assert pulled.returncode == 0, pulled.stderr
        ids = [docker("image", "inspect", "--format", "{{.Id}}", name).stdout.strip() for name in (image, target)]
        assert ids[0] == ids[1]
        (tmp_path / ".env").write_text(f"IMAGE={target}\n")
        (tmp_path / "compose.yaml").write_text((PROJECT_ROOT / "compose.yaml").read_text())
        config = subprocess.run(["docker", "compose", "config", "--format", "json"], cwd=tmp_path,
                                capture_output=True, text=True, timeout=60)
        assert config.returncode == 0, config.stderr
        assert json.loads(config.stdout)["services"]["jupyterlab"]["image"] == target
    finally:
        docker("rmi", target)
