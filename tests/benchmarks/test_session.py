"""The whole first session, not the one benchmark cell: the image under test against the naive
build, interleaved (A B, B A, ...), each round in a fresh container.

- Representative session: a kernel started through the REST API runs the cells of
  session_corpus.py (pandas' "10 minutes", matplotlib's quick start, scikit-learn's getting
  started and user-guide examples, SciPy's stats and optimize tutorials; sources there) one after
  another over one kernel websocket, as JupyterLab sends them. Timed from the kernel's start
  request to the last cell's reply and idle status; the server is started untimed. A second row:
  the kernel process's CPU time (user and system, os.times() asked after the last cell), which is
  what bytecode changes and what a loaded machine's neighbours do not; and how many of the modules the
  kernel imported from site-packages have no .pyc beside them (each compiled in memory at every
  kernel start: the count does not depend on the machine's load at all).
- Every public module: the import time of each public module of numpy, pandas, matplotlib,
  scikit-learn and SciPy (compile_startup.py's PACKAGES and its `public` list), each alone in a
  fork of a process that has imported only its top-level package (import_times.py), CPU time. One
  such process per image and package stays open, and each module is timed in both images at the
  same time, one on each core (paired rounds); modules that import in every round of both are
  compared. The row is the sum of the per-module medians; the distribution of per-module ratios
  (median, worst, the worst modules) is in the results and gated, with the statistic module_ratios.py
  defines and argues (a floor under which a ratio is noise).
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

from tests.benchmarks import measure
from tests.benchmarks.module_ratios import distribution, paired_times
from tests.benchmarks.registry import Gate, Metric, alternating, record_timing, register
from tests.benchmarks.session_corpus import CELLS
from tests.support.kernel import KernelChannel, start_kernel
from tests.support.paths import PROJECT_ROOT

pytestmark = pytest.mark.image

register(__name__,
         Metric("session", "Representative session: kernel start and a first session's cells (session_corpus.py)"),
         Metric("session_cpu", "Representative session: the kernel process's CPU time"),
         Metric("session_uncompiled", "Representative session: modules imported without bytecode", unit=""),
         Metric("public_imports", "Every public module of numpy, pandas, matplotlib, sklearn, scipy imported alone: sum of medians"),
         Gate.ratio_cap("session", "runtime.max_session_ratio"),
         Gate.ratio_cap("session_cpu", "runtime.max_session_cpu_ratio"),
         Gate("session: modules compiled in memory (project)", "timings.session_uncompiled.project.median",
              "runtime.max_session_uncompiled_modules"),
         Gate("public module import, worst per-module ratio", "timings.public_imports.worst_ratio",
              "runtime.max_module_import_ratio"),
         Gate("public module import, median per-module ratio", "timings.public_imports.median_ratio",
              "runtime.max_module_import_median_ratio"))

IMPORT_TIMES = PROJECT_ROOT / "tests" / "benchmarks" / "import_times.py"
COMPILE_STARTUP = PROJECT_ROOT / "image" / "compile_startup.py"
# Run in the kernel after the session: site-packages modules it imported that have no .pyc.
UNCOMPILED = """import importlib.util as _u, os as _os, sys as _s, sysconfig as _c
_site = _c.get_path("purelib")
print(sum(1 for _m in list(_s.modules.values()) if (getattr(_m, "__file__", None) or "").startswith(_site)
          and _m.__file__.endswith(".py") and not _os.path.exists(_u.cache_from_source(_m.__file__))))"""
# The same environment in both images: the Agg backend (no display), one BLAS thread (the children fork).
ENVIRONMENT = {"MPLBACKEND": "agg", "OPENBLAS_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def session_rounds() -> int:
    """Sessions per image (BENCH_SESSION_ROUNDS, default 3; one is ~10-20 s)."""
    return max(1, int(os.environ.get("BENCH_SESSION_ROUNDS", "3")))


@pytest.fixture(scope="module")
def module_rounds() -> int:
    """Paired samples of every public module per image (BENCH_MODULE_ROUNDS, default 3: the median
    discards one outlier; a round over all modules is ~40 s of CPU per image)."""
    return max(1, int(os.environ.get("BENCH_MODULE_ROUNDS", "3")))


def run_session(run: measure.Run) -> tuple[float, float, int]:
    """Seconds from the kernel start request to the last cell done, the kernel's CPU seconds, and
    how many of its site-packages modules were compiled in memory."""
    start = time.perf_counter()
    channel = KernelChannel(run.server, start_kernel(run.server))
    try:
        for number, cell in enumerate(CELLS, 1):
            reply = channel.execute(cell, timeout=300)
            if reply["status"] != "ok":
                raise AssertionError(f"{run.image}: cell {number} of the session failed: {reply['error']}\n{cell}")
        elapsed = time.perf_counter() - start
        cpu = float(channel.execute("import os as _os; print(sum(_os.times()[:2]))")["stdout"])
        uncompiled = int(channel.execute(UNCOMPILED)["stdout"])
    finally:
        channel.close()
    return elapsed, cpu, uncompiled


def test_representative_session(benchmark, images, docker_client, session_rounds, bench_results):
    samples: dict[str, list[float]] = {"project": [], "naive": []}
    cpu: dict[str, list[float]] = {"project": [], "naive": []}
    uncompiled: dict[str, list[int]] = {"project": [], "naive": []}
    order = iter(alternating(session_rounds))

    def session():
        which = next(order)
        run = measure.Run(docker_client, images[which])
        try:
            run.start()
            run.wait_ready()
            elapsed, used, in_memory = run_session(run)
            samples[which].append(elapsed)
            cpu[which].append(used)
            uncompiled[which].append(in_memory)
        finally:
            run.remove()

    for tag in images.values():  # untimed: the first run after a build reads the files from disk
        warm = measure.Run(docker_client, tag)
        try:
            warm.start()
            warm.wait_ready()
            run_session(warm)
        finally:
            warm.remove()
    benchmark.pedantic(session, rounds=2 * session_rounds)
    result = record_timing(bench_results, "session", samples)
    cpu_result = record_timing(bench_results, "session_cpu", cpu)
    record_timing(bench_results, "session_uncompiled", uncompiled)
    benchmark.extra_info.update(cells=len(CELLS), **{k: result[k] for k in ("project", "naive", "ratio") if k in result},
                                cpu_ratio=cpu_result.get("ratio"))


def public_modules(image: str) -> list[str]:
    result = subprocess.run(["docker", "run", "-i", "--rm", "--network", "none", image, "python", "-", "public"],
                            stdin=COMPILE_STARTUP.open("rb"), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.split()


class Importer:
    """One image's import_times.py process for one top-level package, kept open: each module is
    asked of it with one line and answered with one."""

    def __init__(self, image: str, top: str):
        env = [arg for key, value in ENVIRONMENT.items() for arg in ("-e", f"{key}={value}")]
        self.process = subprocess.Popen(
            ["docker", "run", "-i", "--rm", "--network", "none", *env, image, "python", "-c", IMPORT_TIMES.read_text(), top],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def ask(self, name: str) -> None:
        self.process.stdin.write(name + "\n")

    def answer(self, name: str) -> float | None:
        answer = self.process.stdout.readline()  # import_times.py bounds each import (120 s alarm)
        return json.loads(answer)[name] if answer else None  # no answer: the process died

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def paired_import_times(images: dict[str, str], modules: list[str], rounds: int) -> tuple[dict, dict]:
    """module_ratios.paired_times over one Importer per image and top-level package."""
    return paired_times(modules, rounds, lambda top: {which: Importer(image, top) for which, image in images.items()})


def test_every_public_module_imports(benchmark, images, module_rounds, bench_results):
    modules = public_modules(images["project"])
    assert len(modules) > 300 and "sklearn.linear_model" in modules, modules[:20]
    times, first_looks = benchmark.pedantic(paired_import_times, args=(images, modules, module_rounds), rounds=1)
    found = distribution(times)
    assert found["modules"] > 300, f"only {found['modules']} public modules imported in both images: {found['failed'][:20]}"
    for key in ("scipy.stats", "sklearn.linear_model", "pandas.plotting", "matplotlib.pyplot"):
        assert key not in found["failed"], f"{key} did not import in every round"
    result = record_timing(bench_results, "public_imports", found.pop("sums"))
    result.update(found, first_looks=first_looks)
    benchmark.extra_info.update(**{k: v for k, v in result.items() if k != "failed"})
