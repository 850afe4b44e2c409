"""Generated bad inputs thrown at the `lock` command line: random printable lines, cut and
re-encoded files, huge names, odd arguments, odd `[tool.lock]` platforms and Dockerfiles.

For every input: the exit code is a documented one, nothing escapes as a traceback, stderr holds at
most one `lock: error:` line, and on failure every project file is byte-identical afterwards (no
staged copy or project lock left either). A run that succeeds (possible only for inputs that need
nothing from the index) must leave a lock that `lock check` accepts.

The index is unreachable on purpose (a refused proxy, an empty uv cache): inputs that parse reach
the real uv and fail with 3 or 4. Seeded and bounded (about a minute in all); the number of inputs
run is printed at the end (`-s`)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from tests.support.paths import PROJECT_ROOT

from lock.cli import main
from lock.errors import EXIT_FILESYSTEM, EXIT_INPUT, EXIT_OK, EXIT_RESOLUTION, EXIT_RESOLVER, EXIT_STALE

pytestmark = pytest.mark.generated

DOCUMENTED = {EXIT_OK, EXIT_STALE, EXIT_INPUT, EXIT_RESOLUTION, EXIT_RESOLVER, EXIT_FILESYSTEM}


def bounded(examples: int):
    """Seeded by @seed on each test; inputs that reach uv cost about a second, the rest milliseconds."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,  # nothing written into the repository
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
    )


OFFLINE = {
    **{k: "http://127.0.0.1:9" for k in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy")},
    "NO_PROXY": "",
    "no_proxy": "",
    "UV_HTTP_RETRIES": "0",
    "UV_HTTP_TIMEOUT": "5",
}
PYPROJECT = '[project]\nname = "demo"\nversion = "0"\n\n[tool.lock]\nplatforms = {platforms}\n'
PLATFORMS = '["x86_64-manylinux_2_28", "aarch64-manylinux_2_28"]'
DOCKERFILE = "ARG BASE_IMAGE=python:3.13-slim-trixie\nFROM ${BASE_IMAGE}\n"
REQUIREMENTS_IN = (PROJECT_ROOT / "requirements.in").read_bytes()
REQUIREMENTS_LOCK = (PROJECT_ROOT / "requirements.lock").read_bytes()
RUNS = {"count": 0}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """One project, reset before every input; the environment makes the index unreachable."""
    root = tmp_path_factory.mktemp("generated")
    cache = tmp_path_factory.mktemp("caches")
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {**OFFLINE, "UV_CACHE_DIR": str(cache / "uv"), "XDG_CACHE_HOME": str(cache)}.items():
            mp.setenv(key, value)
        yield root
    print(f"\n{RUNS['count']} generated inputs ran")


def reset(root: Path, **files: bytes) -> dict[str, bytes]:
    for path in list(root.iterdir()):
        if path.is_file() or path.is_symlink():
            path.unlink()
    base = {
        "pyproject.toml": PYPROJECT.format(platforms=PLATFORMS).encode(),
        "Dockerfile": DOCKERFILE.encode(),
        "requirements.in": REQUIREMENTS_IN,
        "requirements.lock": REQUIREMENTS_LOCK,
        **files,
    }
    for name, data in base.items():
        (root / name).write_bytes(data)
    return {name: (root / name).read_bytes() for name in sorted(base)}


def state(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.is_file()}


def run(root: Path, *args: str) -> tuple[int, str]:
    RUNS["count"] += 1
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))  # an exception escaping here is the traceback a user would see
    return code, err.getvalue()


def attempt(root: Path, args: list[str], writes: bool = False, **files: bytes) -> None:
    before = reset(root, **files)
    code, err = run(root, *args)
    assert code in DOCUMENTED, (args, code, err)
    assert "Traceback" not in err, err
    assert len([line for line in err.splitlines() if line.startswith("lock: error:")]) <= 1, err
    assert all(len(line) <= 1100 for line in err.splitlines()), err[:2000]
    if code == EXIT_OK and writes:
        assert run(root, "check", "-q", "--project", str(root))[0] == EXIT_OK
    elif code != EXIT_OK or not writes:
        assert state(root) == before, (args, code, err)


# -- strategies ------------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "six", "attrs", "numpy", "==", ">=", "<", "~=", "===", "!=", "1.0", "*", ",", ";", " ", "\t", "\\",
        "#", "@", "[", "]", "(", ")", "'", '"', "-r ", "-c ", "-e ", "--hash=sha256:", "-i ", "https://",
        "file:///", "git+https://x/y", "#sha256=", "0" * 64, "python_version", "platform_machine",
        " and ", " or ", "extra", ".whl", ".tar.gz", "é", "\u2028", "\x0c", "\x00", "\ufeff",
    ]
)
_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
line = st.one_of(_TEXT, st.lists(st.one_of(_PIECES, _TEXT), max_size=8).map("".join))
lines = st.lists(line, max_size=8).map("\n".join)
huge_name = st.integers(min_value=129, max_value=200_000).map(lambda n: "a" * n)
encoded = st.tuples(lines, st.sampled_from(["utf-8", "utf-16", "latin-1", "utf-8-sig", "cp1252"])).map(
    lambda t: t[0].encode(t[1], errors="replace")
)


def cut(data: bytes) -> st.SearchStrategy[bytes]:
    """The file cut short, with a line dropped or doubled, with CRLF line ends, or a byte flipped."""
    n = len(data)
    lines_of = data.splitlines(keepends=True)
    return st.one_of(
        st.integers(0, n).map(lambda i: data[:i]),
        st.integers(0, max(len(lines_of) - 1, 0)).map(lambda i: b"".join(lines_of[:i] + lines_of[i + 1 :])),
        st.integers(0, max(len(lines_of) - 1, 0)).map(lambda i: b"".join(lines_of[: i + 1] + lines_of[i:])),
        st.just(data.replace(b"\n", b"\r\n")),
        st.tuples(st.integers(0, max(n - 1, 0)), st.integers(0, 255)).map(
            lambda t: data[: t[0]] + bytes([t[1]]) + data[t[0] + 1 :]
        ),
    )


requirements_file = st.one_of(
    lines.map(str.encode), encoded, st.binary(max_size=200), huge_name.map(str.encode), cut(REQUIREMENTS_IN)
)
lock_file = st.one_of(cut(REQUIREMENTS_LOCK), lines.map(str.encode), st.binary(max_size=300))
argument = st.one_of(line, huge_name, _PIECES).filter(lambda a: "\x00" not in a)  # argv cannot hold NUL


# -- the tests -------------------------------------------------------------------------------------


@seed(11)
@bounded(15)
@given(data=requirements_file)
def test_lock_with_generated_requirements(project, data):
    attempt(project, ["-q", "--project", str(project)], writes=True, **{"requirements.in": data})


@seed(12)
@bounded(200)
@given(data=requirements_file)
def test_check_with_generated_requirements(project, data):
    attempt(project, ["check", "-q", "--project", str(project)], **{"requirements.in": data})


@seed(13)
@bounded(150)
@given(data=lock_file)
def test_check_and_diff_with_generated_locks(project, data):
    attempt(project, ["check", "-q", "--project", str(project)], **{"requirements.lock": data})
    attempt(project, ["diff", str(PROJECT_ROOT / "requirements.lock"), str(project / "requirements.lock")], **{"requirements.lock": data})


@seed(14)
@bounded(40)
@given(specs=st.lists(argument, min_size=1, max_size=3))
def test_add_and_upgrade_with_generated_arguments(project, specs):
    attempt(project, ["add", *specs, "-q", "--project", str(project)], writes=True)
    attempt(project, ["upgrade", *specs, "-q", "--project", str(project)], writes=True)


@seed(15)
@bounded(200)
@given(platforms=st.one_of(line, st.lists(line, max_size=3).map(repr)), dockerfile=st.one_of(lines, line))
def test_generated_platforms_and_dockerfiles(project, platforms, dockerfile):
    pyproject = PYPROJECT.format(platforms=platforms).encode("utf-8", errors="replace")
    attempt(project, ["check", "-q", "--project", str(project)], **{"pyproject.toml": pyproject})
    attempt(project, ["-q", "--project", str(project)], writes=True, **{"Dockerfile": dockerfile.encode()})
