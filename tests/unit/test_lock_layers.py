"""Layers, offline: how pyproject.toml declares them, how a layer's header records its base, and
which resolved packages a layer keeps."""

from __future__ import annotations

import dataclasses
import re

import pytest

from lock import header, layers
from lock.cutoff import Cutoffs
from lock.errors import InputError
from lock.lockfile import Entry
from lock.config import load_config

SETTINGS = header.Settings(backend="uv", python="3.13", platforms=("x86_64-manylinux_2_28", "aarch64-manylinux_2_28"),
                           resolver_options="--generate-hashes", cutoffs=Cutoffs("2024-06-01T00:00:00Z"),
                           inputs=(("-r", "requirements-hub.in", "1" * 64),))
BODY = "six==1.16.0 \\\n    --hash=sha256:" + "a" * 64 + "\n"


def with_layers(project, toml: str):
    root = project()
    with (root / "pyproject.toml").open("a") as f:
        f.write(toml)
    return root


def test_a_layer_defaults_to_requirements_name_in_and_lock(project):
    root = with_layers(project, "\n[tool.lock.layers.hub]\n[tool.lock.layers.gpu]\noutput = \"locks/gpu.lock\"\n")
    config = load_config(root)
    assert layers.names(config) == ["hub", "gpu"]
    hub = layers.select(config, "hub")
    assert (hub.requirements, hub.output, hub.base, hub.layer) == (
        root / "requirements-hub.in", root / "requirements-hub.lock", root / "requirements.lock", "hub")
    assert layers.select(config, "gpu").output == root / "locks/gpu.lock"
    assert layers.select(config, None) is config


@pytest.mark.parametrize("toml, message", [
    ("\n[tool.lock.layers.Hub]\n", "pyproject.toml [tool.lock] layers: 'Hub' is not a layer name (up to 64 "
                                   "lower-case letters, digits and -)"),
    ("\n[tool.lock.layers.hub]\ninput = \"x.in\"\n", "pyproject.toml [tool.lock].layers.hub: only requirements and "
                                                    "output may be set"),
    ("\n[tool.lock.layers]\nhub = 1\n", "pyproject.toml [tool.lock].layers.hub: only requirements and output may be set"),
])
def test_bad_layer_declarations_are_one_line(project, toml, message):
    with pytest.raises(InputError) as e:
        load_config(with_layers(project, toml))
    assert str(e.value) == message


def test_an_unknown_layer_is_named(project):
    config = load_config(with_layers(project, "\n[tool.lock.layers.hub]\n"))
    with pytest.raises(InputError, match=r"^--layer gpu: no such layer in pyproject.toml \[tool.lock.layers\] \(hub\)$"):
        layers.select(config, "gpu")


def test_a_layer_header_records_its_name_and_base_and_parses_back():
    s = dataclasses.replace(SETTINGS, layer="hub", base=("requirements.lock", "sha256:" + "b" * 64))
    text = header.render(s, BODY)
    assert "#    lock --layer hub\n" in text and "`lock add --layer hub SPEC`" in text
    assert text.index("# layer: hub\n") < text.index("# base: requirements.lock sha256:" + "b" * 64 + "\n") \
        < text.index("# fingerprint:")
    parsed = header.parse(text)
    assert parsed.settings == s and parsed.settings.fingerprint() == parsed.fingerprint
    assert header.parse(header.render(SETTINGS, BODY)).settings.base is None
    assert "layer" not in header.render(SETTINGS, BODY)  # a lock without a base looks as it always did


def test_a_layer_keeps_what_its_base_lacks_on_some_platform(project):
    config = layers.select(load_config(with_layers(project, "\n[tool.lock.layers.hub]\n")), "hub")
    base = layers.Base("requirements.lock", None, {
        "numpy": Entry("numpy", "2.0"), "psutil": Entry("psutil", "7.0", marker='platform_machine == "x86_64"')})
    resolved = [Entry("numpy", "2.0"), Entry("psutil", "7.0"), Entry("seaborn", "0.13")]
    kept = layers.only_new(resolved, base, config, "3.13")
    assert kept == [Entry("psutil", "7.0", marker='platform_machine == "aarch64"'), Entry("seaborn", "0.13")]


def test_a_layer_keeps_no_pylock_of_its_own(project):
    """`[tool.lock] pylock` is the project lock's: `lock --layer hub` once wrote the hub layer's
    resolution over the project's pylock.toml, and `lock check` then called the base stale."""
    from lock import pylock

    root = with_layers(project, "\n[tool.lock.layers.hub]\n")
    text = (root / "pyproject.toml").read_text().replace("[tool.lock]\n", "[tool.lock]\npylock = \"pylock.toml\"\n", 1)
    (root / "pyproject.toml").write_text(text)
    config = load_config(root)
    assert pylock.path_for(config) == root / "pylock.toml"
    assert pylock.path_for(layers.select(config, "hub")) is None


@pytest.mark.parametrize("toml, key", [
    ('[tool.lock.layers.hub]\noutput = "requirements.lock"\n', "[tool.lock.layers.hub] output"),
    ('[tool.lock.layers.hub]\noutput = "./requirements.in"\n', "[tool.lock.layers.hub] output"),
    ('[tool.lock.layers.hub]\noutput = "requirements-hub.in"\n', "[tool.lock.layers.hub] output"),
    ('[tool.lock.layers.hub]\noutput = "requirements.lock.index-view"\n', "[tool.lock.layers.hub] output"),
    ('[tool.lock.layers.a]\noutput = "x.lock"\n[tool.lock.layers.b]\noutput = "x.lock"\n',
     "[tool.lock.layers.b] output"),
    ('[tool.lock.layers.hub]\noutput = "../elsewhere.lock"\n', "[tool.lock.layers.hub] output"),
    ('[tool.lock.layers.hub]\noutput = "/tmp/hub.lock"\n', "[tool.lock.layers.hub] output"),
    ('[tool.lock.layers.hub]\noutput = "Dockerfile"\n', "[tool.lock.layers.hub] output"),
    ('[tool.lock.layers.hub]\noutput = "pyproject.toml"\n', "[tool.lock.layers.hub] output"),
])
def test_a_layer_output_that_would_clobber_a_file_is_refused_naming_the_key(project, toml, key):
    """Finding 3: a layer writing over the base lock, an input or another layer's lock."""
    from lock.commands import open_config

    root = with_layers(project, "\n" + toml)
    with pytest.raises(InputError, match=re.escape(f"pyproject.toml {key}: ")):
        open_config(str(root))


def test_a_base_lock_that_is_the_lock_itself_is_refused(project):
    """Finding 3: `base-lock` equal to the lock's own output emptied the base lock."""
    from lock.commands import open_config

    root = project()
    text = (root / "pyproject.toml").read_text().replace("[tool.lock]\n", '[tool.lock]\nbase-lock = "requirements.lock"\n')
    (root / "pyproject.toml").write_text(text)
    with pytest.raises(InputError, match=re.escape("pyproject.toml [tool.lock] output: requirements.lock is also "
                                                   "pyproject.toml [tool.lock] base-lock")):
        open_config(str(root))
    (root / "pyproject.toml").write_text(text.replace('base-lock = "requirements.lock"\n', ""))
    with pytest.raises(InputError, match=re.escape("is also --base-lock")):
        open_config(str(root), base_lock=str(root / "requirements.lock"))
    with pytest.raises(InputError, match=re.escape("pyproject.toml [tool.lock] pylock: pylock.toml is also pyproject.toml [tool.lock] output")):
        (root / "pyproject.toml").write_text(text.replace('base-lock = "requirements.lock"\n', 'output = "pylock.toml"\npylock = "pylock.toml"\n'))
        open_config(str(root))
