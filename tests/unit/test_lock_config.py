"""Targets: the Python minor from the Dockerfile's base image, platforms and paths from pyproject."""

from __future__ import annotations

import pytest

from lock.errors import InputError
from lock.config import (
    DEFAULT_PLATFORMS,
    Platform,
    PythonTarget,
    find_root,
    load_config,
    read_python,
)


@pytest.mark.parametrize(
    ("dockerfile", "python", "where"),
    [
        ("ARG BASE_IMAGE=python:3.13-slim-trixie\nFROM ${BASE_IMAGE}\n", "3.13", "Dockerfile:1"),
        ("# comment\n\nARG BASE_IMAGE=python:3.12-slim-trixie@sha256:" + "a" * 64 + "\n", "3.12", "Dockerfile:3"),
        ("ARG BASE_IMAGE=127.0.0.1:5000/python:3.14-slim@sha256:" + "b" * 64 + "\n", "3.14", "Dockerfile:1"),
        ("ARG BASE_IMAGE=docker.io/library/python:3.13.9-slim\n", "3.13", "Dockerfile:1"),
        ("ARG  BASE_IMAGE = python:3.11\n", "3.11", "Dockerfile:1"),
        ("FROM python:3.12-slim AS builder\nFROM python:3.10\n", "3.12", "Dockerfile:1"),
    ],
)
def test_python_minor_from_the_base_image(tmp_path, dockerfile, python, where):
    path = tmp_path / "Dockerfile"
    path.write_text(dockerfile)
    target = read_python(path)
    assert (target.version, target.where) == (python, where)


@pytest.mark.parametrize(
    ("dockerfile", "message"),
    [
        (
            "ARG BASE_IMAGE=debian:trixie\nFROM ${BASE_IMAGE}\n",
            "Dockerfile:1: cannot read a Python version from base image 'debian:trixie'",
        ),
        ("# nothing\nARG BASE_IMAGE=mypython:3.13\n", "Dockerfile:2: cannot read a Python version"),
        ("RUN true\n", "Dockerfile: no `ARG BASE_IMAGE=python:3.X...` or FROM line"),
    ],
)
def test_unreadable_python_names_dockerfile_and_line(tmp_path, dockerfile, message):
    path = tmp_path / "Dockerfile"
    path.write_text(dockerfile)
    with pytest.raises(InputError) as e:
        read_python(path)
    assert str(e.value).startswith(message)


def test_missing_dockerfile(tmp_path):
    with pytest.raises(InputError, match=r"^Dockerfile: not found"):
        read_python(tmp_path / "Dockerfile")


@pytest.mark.parametrize(
    ("name", "machine", "glibc"),
    [
        ("x86_64-manylinux_2_28", "x86_64", (2, 28)),
        ("aarch64-manylinux_2_17", "aarch64", (2, 17)),
        ("x86_64-manylinux2014", "x86_64", (2, 17)),
        ("aarch64-unknown-linux-gnu", "aarch64", (2, 28)),
        ("x86_64-unknown-linux-musl", "x86_64", None),
    ],
)
def test_platforms(name, machine, glibc):
    p = Platform.parse(name)
    assert (p.machine, p.glibc) == (machine, glibc)
    assert p.marker == f'platform_machine == "{machine}"'


# uv refuses the last three (no glibc 2.27 / 2.5 target, no musllinux_1_X spelling): refused here first.
@pytest.mark.parametrize(
    "name",
    [
        "windows",
        "x86_64-pc-windows-msvc",
        "aarch64-apple-darwin",
        "linux",
        "",
        3,
        "aarch64-manylinux_2_27",
        "x86_64-musllinux_1_2",
        "x86_64-manylinux_2_5",
    ],
)
def test_unsupported_platforms(name):
    with pytest.raises(InputError, match="unsupported platform"):
        Platform.parse(name)


def test_config_defaults_and_relative_paths(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    config = load_config(tmp_path)
    assert tuple(p.name for p in config.platforms) == DEFAULT_PLATFORMS
    assert config.requirements == tmp_path / "requirements.in"
    assert config.rel(config.output) == "requirements.lock"


def test_config_from_tool_lock(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.lock]\nrequirements = "deps/main.in"\noutput = "deps/main.lock"\n'
        'dockerfile = "docker/Dockerfile"\nplatforms = ["aarch64-manylinux_2_28"]\n'
    )
    config = load_config(tmp_path)
    assert config.rel(config.requirements) == "deps/main.in"
    assert config.rel(config.dockerfile) == "docker/Dockerfile"
    assert [p.name for p in config.platforms] == ["aarch64-manylinux_2_28"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('platform = ["x86_64-manylinux_2_28"]', "unknown key 'platform'"),
        ("platforms = []", "platforms: must be a non-empty list"),
        ('platforms = "x86_64-manylinux_2_28"', "platforms: must be a non-empty list"),
        ('platforms = ["x86_64-manylinux_2_28", "x86_64-manylinux_2_28"]', "lists a platform twice"),
        ('platforms = ["win_amd64"]', "unsupported platform 'win_amd64'"),
        ("output = 3", "output: must be a non-empty path string"),
    ],
)
def test_bad_tool_lock_table(tmp_path, table, message):
    (tmp_path / "pyproject.toml").write_text(f"[tool.lock]\n{table}\n")
    with pytest.raises(InputError, match=message):
        load_config(tmp_path)


def test_invalid_toml(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.lock\n")
    with pytest.raises(InputError, match="pyproject.toml: not valid TOML"):
        load_config(tmp_path)


def test_find_root_walks_up(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_root(deep) == tmp_path.resolve()


def test_find_root_without_pyproject(tmp_path):
    with pytest.raises(InputError, match="no pyproject.toml"):
        find_root(tmp_path)


def test_the_python_of_a_lock_is_asked_of_the_layer_module(tmp_path):
    from lock.layers import target_python

    (tmp_path / "pyproject.toml").write_text("[tool.lock]\n")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("ARG BASE_IMAGE=python:3.13-slim-trixie\n")
    config = load_config(tmp_path)
    assert target_python(config) == PythonTarget("3.13", "Dockerfile:1", "python:3.13-slim-trixie")
    dockerfile.unlink()  # the config holds no Python of its own: it is read when asked
    with pytest.raises(InputError, match=r"^Dockerfile: not found"):
        target_python(config)
