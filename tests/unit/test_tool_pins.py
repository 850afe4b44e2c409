"""The dev environment runs the same uv and pyelftools as the image build: pyproject.toml pins each
at the version image/build-tools.txt pins (the weekly upgrade job moves both together)."""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.support.paths import PROJECT_ROOT

TOOLS = ("uv", "pyelftools")


def build_tools_pins(text: str) -> dict[str, str]:
    return dict(re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", text, re.M))


def dev_pins(pyproject: dict) -> dict[str, str]:
    specs = [*pyproject["project"]["dependencies"], *pyproject["dependency-groups"]["dev"]]
    return dict(m.groups() for s in specs if isinstance(s, str) and (m := re.match(r"^([A-Za-z0-9._-]+)==(\S+)$", s)))


@pytest.mark.parametrize("tool", TOOLS)
def test_the_dev_environment_pins_the_build_tools_version(tool):
    image = build_tools_pins((PROJECT_ROOT / "image" / "build-tools.txt").read_text())
    dev = dev_pins(tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text()))
    assert tool in image, f"image/build-tools.txt pins no {tool}"
    assert dev.get(tool) == image[tool], (
        f"pyproject.toml pins {tool}=={dev.get(tool)}, image/build-tools.txt {tool}=={image[tool]}")


def test_a_mismatch_is_seen():
    assert dev_pins({"project": {"dependencies": ["uv==0.1"]}, "dependency-groups": {"dev": []}}) == {"uv": "0.1"}
    assert build_tools_pins("uv==0.2 \\\n    --hash=sha256:00\n") == {"uv": "0.2"}
