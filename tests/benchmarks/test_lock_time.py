"""Lock time: uv vs pip-compile on the project's requirements.in, cold cache and warm cache.

Fair comparison: pip-compile can only resolve for the interpreter and platform it runs on, so here
BOTH backends resolve for the host's Python and platform (the backend functions are called with
that explicit target), with the same cut-off and the same wheels-only policy. The real lock targets
Python 3.13 on two platforms, which only the uv backend can do; that costs two uv resolutions, run
in parallel.

Cold: a fresh, empty cache directory for each round (uv's cache; pip's HTTP cache and pip-tools'
dependency cache). Warm: a filled cache directory -- the one the cold round of the same backend left
(pip-compile takes minutes a run: reusing it saves one), else filled by one unmeasured run first.

Run: uv run pytest tests/benchmarks/test_lock_time.py -m benchmark_suite -s
Results (seconds, pins, target) are in each benchmark's extra_info (--benchmark-json to keep them).
"""

from __future__ import annotations

import platform
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from lock import header
from lock.backends import piptools as piptools_backend, uv as uv_backend
from lock.cutoff import Cutoffs
from lock.errors import InputError
from lock.lockfile import parse_body
from lock.config import Platform
from tests.support.paths import PROJECT_ROOT as PROJECT

pytestmark = [pytest.mark.benchmark_suite, pytest.mark.network]

HOST_PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}"
HOST_PLATFORM = f"{piptools_backend.host_target()[1]}-manylinux_2_28"
BACKENDS = {"uv": uv_backend, "pip-tools": piptools_backend}
_FILLED: dict[str, Path] = {}  # backend -> the cache its cold round filled


def cutoff() -> Cutoffs:
    """The committed lock's global cut-off: the same candidate set as the real lock."""
    return Cutoffs(header.parse((PROJECT / "requirements.lock").read_text()).settings.cutoffs.exclude_newer)


def cache_env(cache: Path) -> dict[str, str]:
    return {
        "UV_CACHE_DIR": str(cache / "uv"),
        "PIP_CACHE_DIR": str(cache / "pip"),
        "PIP_TOOLS_CACHE_DIR": str(cache / "pip-tools"),
    }


@pytest.fixture
def workdir(tmp_path):
    """A copy of the project's requirements.in, so nothing in the tree is touched."""
    shutil.copy(PROJECT / "requirements.in", tmp_path / "requirements.in")
    return tmp_path


def host_refusal() -> str | None:
    """Why pip-compile cannot resolve for this host as a manylinux_2_28 target (then: no comparison)."""
    try:
        return piptools_backend.refusal(HOST_PYTHON, (Platform.parse(HOST_PLATFORM),))
    except InputError as e:
        return str(e)


@pytest.mark.skipif(host_refusal() is not None, reason="pip-compile cannot resolve for this host as a target")
@pytest.mark.parametrize("cache", ["cold", "warm"])
@pytest.mark.parametrize("backend", ["uv", "pip-tools"])
def test_lock_time(benchmark, workdir, backend, cache):
    module = BACKENDS[backend]
    target = Platform.parse(HOST_PLATFORM)
    cutoffs = cutoff()
    caches = Path(tempfile.mkdtemp(prefix=f"lock-bench-{backend}-", dir=workdir))
    outputs: list[str] = []

    def resolve(env: dict[str, str]) -> None:
        outputs.append(module.resolve(root=workdir, requirements="requirements.in", python=HOST_PYTHON,
                                      platform=target, cutoffs=cutoffs, env=env))

    shared = _FILLED.get(backend) if cache == "warm" else None
    if cache == "warm" and shared is None:
        shared = caches / "shared"
        resolve(cache_env(shared))  # fill the cache, unmeasured

    counter = iter(range(1000))

    def setup():
        where = shared if cache == "warm" else caches / f"fresh-{next(counter)}"
        if cache == "cold":
            _FILLED[backend] = where
        return (cache_env(where),), {}

    # One round cold; warm, two for uv and one for pip-compile, which takes minutes either way: it
    # downloads every file of each pinned version to hash it (measured: ~3 min for this input).
    rounds = 2 if (cache == "warm" and backend == "uv") else 1
    benchmark.pedantic(resolve, setup=setup, rounds=rounds, iterations=1)

    body = parse_body(outputs[-1])
    assert body.problems == []
    benchmark.extra_info.update(
        backend=backend,
        cache=cache,
        seconds=benchmark.stats.stats.median if benchmark.stats else None,
        pins=len(body.entries),
        python=HOST_PYTHON,
        platform=HOST_PLATFORM,
        host=f"{platform.system()} {platform.machine()}",
        exclude_newer=cutoffs.exclude_newer,
        requirements=(PROJECT / "requirements.in").read_text().count("\n"),
    )


def test_lock_check_time(benchmark):
    """`lock check` is the CI freshness gate: offline, and well under a second with interpreter start."""
    import subprocess

    def run_check():
        return subprocess.run([sys.executable, "-m", "lock", "check"], cwd=PROJECT, capture_output=True, text=True)

    result = benchmark.pedantic(run_check, rounds=5, iterations=1)
    assert result.returncode == 0, result.stderr
    benchmark.extra_info["seconds"] = benchmark.stats.stats.median
    assert benchmark.stats.stats.median < 1.0, f"lock check took {benchmark.stats.stats.median:.2f} s"
