"""Backend commands and how their failures become one line: uv's reports are condensed; pip-tools
refuses targets it cannot resolve for. (The real resolver runs in tests/lock.)"""

from __future__ import annotations

import inspect
import sys

import pytest

from lock.backends import piptools as piptools_backend, uv as uv_backend
from lock.cutoff import Cutoffs
from lock.errors import InputError, ResolutionError, ResolverError
from lock.config import Platform

X86, ARM = Platform.parse("x86_64-manylinux_2_28"), Platform.parse("aarch64-manylinux_2_28")
HOST_PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}"


def test_uv_command_has_targets_wheels_only_and_cutoffs():
    cmd = uv_backend.command(
        "requirements.in", "3.13", ARM, Cutoffs("2024-06-01T00:00:00Z", (("six", "2025-01-01T00:00:00Z"),))
    )
    joined = " ".join(cmd[1:])
    for part in [
        "pip compile --no-config --no-python-downloads",
        "--generate-hashes",
        "--only-binary :all:",
        "--python-version 3.13",
        "--python-platform aarch64-manylinux_2_28",
        "--exclude-newer 2024-06-01T00:00:00Z",
        "--exclude-newer-package six=2025-01-01T00:00:00Z",
    ]:
        assert part in joined
    assert cmd[-1] == "requirements.in"


def test_uv_environment_drops_variables_that_change_resolution(monkeypatch):
    monkeypatch.setenv("UV_EXCLUDE_NEWER", "2020-01-01")
    monkeypatch.setenv("UV_CONSTRAINT", "/tmp/c.txt")
    monkeypatch.setenv("UV_INDEX_URL", "https://mirror.example/simple")
    env = uv_backend.environment({"UV_CACHE_DIR": "/tmp/c"})
    assert "UV_EXCLUDE_NEWER" not in env and "UV_CONSTRAINT" not in env
    assert env["UV_INDEX_URL"] == "https://mirror.example/simple" and env["UV_CACHE_DIR"] == "/tmp/c"


UNKNOWN = """\
error: No solution found when resolving dependencies
  cause: Because nosuchpkg-zzq was not found in the package registry and you require nosuchpkg-zzq, we can
         conclude that your requirements are unsatisfiable.
"""
CONFLICT = """\
error: No solution found when resolving dependencies
  cause: Because you require attrs<20 and attrs>21, we can conclude that your requirements are unsatisfiable.
"""
NO_WHEEL = """\
error: No solution found when resolving dependencies
  cause: Because all versions of tbb have no wheels with a matching platform tag (e.g., `manylinux_2_28_aarch64`) and you require tbb, we can conclude that your requirements are unsatisfiable.

hint: Wheels are available for `tbb` (v2023.2.0) on the following platforms: `manylinux_2_28_x86_64`, `win_amd64`
"""
NO_WHEEL_RANGES = """\
error: No solution found when resolving dependencies
  cause: Because all of:
             intel-openmp<=2023.2.4
             intel-openmp>=2024.0.3
          have no wheels with a matching platform tag (e.g., `manylinux_2_28_aarch64`) and you require intel-openmp, we can conclude that your requirements are unsatisfiable.
"""
NETWORK = """\
error: Request failed after 3 retries in 10.6s
  cause: Failed to fetch: https://pypi.org/simple/six/
  cause: error sending request for url (https://pypi.org/simple/six/)
  cause: client error (Connect)
  cause: tunnel error: failed to create underlying connection
  cause: tcp connect error
  cause: Connection refused (os error 111)
"""


@pytest.mark.parametrize(
    ("stderr", "kind", "start", "contains"),
    [
        (
            UNKNOWN,
            ResolutionError,
            "unknown package 'nosuchpkg-zzq': the index has no such project (uv: Because nosuchpkg-zzq was not found in the package registry",
            "we can conclude that your requirements are unsatisfiable.)",
        ),
        (
            CONFLICT,
            ResolutionError,
            "your requirements conflict: attrs<20 and attrs>21 cannot all hold on Python 3.13 on aarch64-manylinux_2_28 "
            "(uv: Because you require attrs<20 and attrs>21",
            "",
        ),
        (
            NO_WHEEL,
            ResolutionError,
            "no wheel of 'tbb' installs on aarch64-manylinux_2_28 with Python 3.13 (uv: Because all versions of tbb",
            "Wheels are available for `tbb` (v2023.2.0)",
        ),
        (NO_WHEEL_RANGES, ResolutionError, "no wheel of 'intel-openmp' installs on aarch64-manylinux_2_28", ""),
        (
            NETWORK,
            ResolverError,
            "cannot reach the package index (Request failed after 3 retries in 10.6s: Connection refused (os error 111)); check the network and proxy settings",
            "",
        ),
        (
            "Segmentation fault\n",
            ResolverError,
            "uv pip compile failed for Python 3.13 on aarch64-manylinux_2_28: Segmentation fault",
            "",
        ),
    ],
)
def test_uv_failures_become_one_line(stderr, kind, start, contains):
    error = uv_backend.explain(stderr, "3.13", ARM)
    assert type(error) is kind
    assert str(error).startswith(start)
    assert contains in str(error)
    assert "\n" not in str(error)


def test_pip_tools_refuses_other_pythons_and_several_platforms():
    reason = piptools_backend.refusal("3.99", (X86, ARM))
    running, machine = piptools_backend.host_target()
    assert reason == (
        f"pip-tools resolves for the running Python {running} on {machine} only; the lock targets Python 3.99 "
        "on x86_64, aarch64 (x86_64-manylinux_2_28 aarch64-manylinux_2_28): use the uv backend, or run lock "
        "inside a Python 3.99 x86_64 Linux environment with a single target platform"
    )
    assert piptools_backend.refusal(HOST_PYTHON, (X86, ARM)) is not None  # two platforms: never


@pytest.mark.skipif(
    sys.platform != "linux" or piptools_backend.host_target()[1] != "x86_64", reason="x86_64 Linux host"
)
def test_pip_tools_accepts_the_host_target():
    assert piptools_backend.refusal(HOST_PYTHON, (X86,)) is None
    assert piptools_backend.refusal(HOST_PYTHON, (ARM,)) is not None
    with pytest.raises(InputError, match="pip-tools cannot apply per-package cut-offs \\(six="):
        piptools_backend.check_target(
            HOST_PYTHON, (X86,), Cutoffs("2024-01-01T00:00:00Z", (("six", "2025-01-01T00:00:00Z"),))
        )


def test_pip_tools_command_and_environment(monkeypatch):
    cmd = piptools_backend.command("requirements.in", "/tmp/out.txt", Cutoffs("2024-06-01T00:00:00Z"))
    assert cmd[:4] == [sys.executable, "-m", "piptools", "compile"]
    assert "--generate-hashes" in cmd and "--allow-unsafe" in cmd
    assert cmd[cmd.index("--pip-args") + 1] == "--only-binary :all: --uploaded-prior-to 2024-06-01T00:00:00Z"
    monkeypatch.setenv("PIP_FIND_LINKS", "/opt/wheels")
    env = piptools_backend.environment()
    assert "PIP_FIND_LINKS" not in env and env["PIP_CONFIG_FILE"]


def test_pip_tools_failures():
    conflict = (
        "ERROR: Cannot install attrs<20 and attrs>21 because these package versions have conflicting dependencies.\n"
    )
    error = piptools_backend.explain(conflict, "3.11", X86)
    assert isinstance(error, ResolutionError) and "Cannot install attrs<20 and attrs>21" in str(error)
    offline = "WARNING: Retrying ... ProxyError('Cannot connect to proxy.', NewConnectionError(...))\nERROR: Could not find a version\n"
    assert isinstance(piptools_backend.explain(offline, "3.11", X86), ResolverError)


def test_pip_tools_traceback_becomes_its_exception_message():
    stderr = (
        "Traceback (most recent call last):\n"
        '  File "/x/piptools/resolver.py", line 642, in resolve\n'
        "    is_resolved = self._do_resolve(\n"
        "                  ^^^^^^^^^^^^^^^^^\n"
        "pip._internal.exceptions.InstallationError: Invalid requirement: 'x y'\n"
    )
    error = piptools_backend.explain(stderr, "3.11", X86)
    assert str(error) == (
        "cannot resolve for Python 3.11 on x86_64-manylinux_2_28 with pip-tools: Invalid requirement: 'x y'"
    )


def members(backend) -> dict[str, inspect.Signature]:
    """prepare's and resolve's signatures, without `self` (a backend is a module or an object)."""
    out = {}
    for member in ("prepare", "resolve"):
        signature = inspect.signature(getattr(backend, member))
        if isinstance(backend, type):  # the Protocol itself: its methods still take self
            signature = signature.replace(parameters=list(signature.parameters.values())[1:])
        out[member] = signature.replace(return_annotation=inspect.Signature.empty)
    return out


def keyword_only(signature: inspect.Signature) -> list[tuple[str, object]]:
    """Every parameter's name and default, and each is keyword-only (else the name of one that is not)."""
    return [(p.name, p.default) if p.kind is p.KEYWORD_ONLY else ("NOT KEYWORD-ONLY", p.name)
            for p in signature.parameters.values()]


@pytest.mark.parametrize("module", [uv_backend, piptools_backend])
def test_each_backend_implements_the_interface(module):
    """Both backends (and the unit tests' stand-in, below) take exactly the Protocol's parameters,
    keyword-only, with its defaults: lock.resolve calls every backend the same way."""
    from lock.backends import Backend
    from lock.resolve import BACKENDS

    assert isinstance(module, Backend) and BACKENDS[module.NAME] is module
    assert isinstance(module.RESOLVER_OPTIONS, str)
    wanted = members(Backend)
    assert keyword_only(wanted["resolve"]) == [("root", inspect.Parameter.empty), ("requirements", inspect.Parameter.empty),
                                               ("python", inspect.Parameter.empty), ("platform", inspect.Parameter.empty),
                                               ("cutoffs", inspect.Parameter.empty), ("env", None), ("preferences", None)]
    for member, signature in members(module).items():
        assert keyword_only(signature) == keyword_only(wanted[member]), member


def test_the_stand_in_backend_has_the_interface_too(fake_resolver):
    from lock.backends import Backend

    wanted = members(Backend)
    for member, signature in members(fake_resolver).items():
        assert keyword_only(signature) == keyword_only(wanted[member]), member


def test_a_backend_is_not_called_with_positional_arguments(tmp_path):
    with pytest.raises(TypeError):
        uv_backend.resolve(tmp_path, "requirements.in", "3.13", X86, Cutoffs("2024-06-01T00:00:00Z"))  # noqa
    with pytest.raises(TypeError):
        piptools_backend.prepare(HOST_PYTHON, (X86,), Cutoffs("2024-06-01T00:00:00Z"))  # noqa


def test_a_registered_backend_is_one_lock_can_use_and_records(project, fake_resolver):
    """The registry is the one list: a backend registered under a new name is a `--backend` choice,
    resolves the lock, and is the name its header records."""
    from lock import backends, cli, header

    class Other(type(fake_resolver)):
        NAME = "other"

    other = Other()
    assert backends.register(other) is None
    try:
        root = project("six\n")
        assert cli.main(["--project", str(root), "--backend", "other", "-q"]) == 0
    finally:
        del backends.REGISTRY["other"]
    assert [call["requirements"] for call in other.calls] == ["requirements.in", "requirements.in"]
    assert header.parse((root / "requirements.lock").read_text()).settings.backend == "other"
