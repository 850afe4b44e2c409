"""The benchmark suite: this image against a naive build of the same lock, and the size/speed gate.

What is measured and gated is declared by each benchmark module (registry.py); adding a benchmark
is adding a file. The gate (test_gate.py, marker `benchmark_gate`) runs after every other test of
the suite, whatever -k or file names say: it checks what they measured. Every test here gets the
`benchmark_suite` marker. Results go to a session-wide dict; at the end of the session it is written
to test-output/benchmarks/ (results.json, summary.md, largest-packages.png, and $GITHUB_STEP_SUMMARY
when set) and printed as a table, also under -q.

Environment: BENCH_ROUNDS (runtime rounds per image, default 7), BENCH_BUILD_ROUNDS (default 2: the rebuild ratio is
gated on its median; two interleaved rounds put each image once first and once second; the build
without cache is always naive, project, project, naive: tests/conftest.py `rebuild`),
TEST_IMAGE / TEST_IMAGE_PREBUILT (the image under test, as for the other suites), BENCH_NAIVE_TAG
(the naive build's tag, default jupyterlab-minimalist:naive),
BENCH_UPDATING_BASELINE (set by `scripts/bench --update-baseline`: the growth check is skipped).
"""

from __future__ import annotations

import datetime
import json
import os
import tomllib
import uuid
from pathlib import Path

import pytest

from tests.benchmarks import measure, registry, report
from tests.support.paths import PROJECT_ROOT

HERE = Path(__file__).resolve().parent
OUTPUT_DIR = PROJECT_ROOT / "test-output" / "benchmarks"
GZIP_CACHE = PROJECT_ROOT / ".cache" / "benchmarks" / "layer-gzip-sizes.json"
NAIVE_TAG = measure.NAIVE_TAG

RESULTS = pytest.StashKey[dict]()
SELECTED = pytest.StashKey[set]()
TABLE = pytest.StashKey[str]()


def pytest_configure(config):
    config.addinivalue_line("markers", "benchmark_gate: the gate; runs after every measurement of the suite")
    registry.load_all()
    config.stash[RESULTS] = {"run_id": os.environ.get("BENCH_RUN_ID") or uuid.uuid4().hex,
                             "images": {}, "timings": {}, "packages": {}, "gate": []}
    config.stash[SELECTED] = set()


@pytest.hookimpl(tryfirst=True)  # before -m selects, so `-m benchmark_suite` sees the marker
def pytest_collection_modifyitems(session, config, items):
    mine = [i for i, item in enumerate(items) if Path(str(item.path)).resolve().is_relative_to(HERE)]
    for i in mine:
        items[i].add_marker(pytest.mark.benchmark_suite)
    # The gate after every measurement (a stable sort: the rest keeps pytest's order).
    gate_last = sorted((items[i] for i in mine), key=lambda item: item.get_closest_marker("benchmark_gate") is not None)
    for i, item in zip(mine, gate_last):
        items[i] = item


def pytest_collection_finish(session):
    session.config.stash[SELECTED] = {Path(str(item.path)).stem for item in session.items}


# --- fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def bench_results(request) -> dict:
    return request.config.stash[RESULTS]


@pytest.fixture(scope="session")
def selected_modules(request) -> set:
    return request.config.stash[SELECTED]


@pytest.fixture(scope="session")
def rounds() -> int:
    return max(1, int(os.environ.get("BENCH_ROUNDS", "7")))


@pytest.fixture(scope="session")
def build_rounds() -> int:
    return max(1, int(os.environ.get("BENCH_BUILD_ROUNDS", "2")))


@pytest.fixture(scope="session")
def budget() -> dict:
    return tomllib.loads((HERE / "budget.toml").read_text())


@pytest.fixture(scope="session")
def baseline() -> dict:
    """The committed baseline; empty when there is none yet (the growth check then fails)."""
    try:
        return json.loads((HERE / "baseline.json").read_text())
    except FileNotFoundError:
        return {}


@pytest.fixture(scope="session")
def base_image() -> str:
    return measure.base_image()


@pytest.fixture(scope="session")
def bench_environment(docker_client, base_image, bench_results, rounds, build_rounds) -> dict:
    """Where the numbers come from; recorded in the results (and the README table)."""
    env = bench_results.setdefault("environment", {})
    env.update(measure.machine(docker_client))
    env.update(base_image=base_image, base_image_id=docker_client.images.get(base_image).id,
               rounds=rounds, build_rounds=build_rounds)
    # Other jobs on the machine slow every time measured: the tables say how busy it was.
    env.setdefault("load_average_start", round(os.getloadavg()[0], 1))
    return env


@pytest.fixture(scope="session")
def sbom_cache_warm(tmp_path_factory) -> None:
    """The SBOM's wheel metadata, fetched before the first timed build (measure.warm_sbom_cache)."""
    measure.warm_sbom_cache(tmp_path_factory.mktemp("sbom-warm"))


@pytest.fixture(scope="session")
def project_image(image, bench_environment) -> str:
    """The image under test (tests/conftest.py: TEST_IMAGE, built unless TEST_IMAGE_PREBUILT)."""
    return image


@pytest.fixture(scope="session")
def naive_image(docker_client, bench_environment) -> str:
    """The naive reference, built from the same context and lock (cached after test_build)."""
    if os.environ.get("TEST_IMAGE_PREBUILT"):
        try:
            docker_client.images.get(NAIVE_TAG)
            return NAIVE_TAG
        except Exception:  # noqa: BLE001 -- not there: build it
            pass
    measure.build_or_fail(NAIVE_TAG, "-f", str(measure.NAIVE_DOCKERFILE))
    return NAIVE_TAG


@pytest.fixture(scope="session")
def images(project_image, naive_image) -> dict[str, str]:
    return {"project": project_image, "naive": naive_image}


@pytest.fixture(scope="session")
def gzip_cache():
    """Gzip size per layer diff ID (content-addressed, so never stale), kept between local runs."""
    try:
        cache = json.loads(GZIP_CACHE.read_text())
    except (OSError, ValueError):
        cache = {}
    yield cache
    GZIP_CACHE.parent.mkdir(parents=True, exist_ok=True)
    report.write_atomic(GZIP_CACHE, json.dumps(cache, indent=1, sort_keys=True))


# --- outputs ----------------------------------------------------------------------------------

def _other_benchmarks(config) -> list[dict]:
    """pytest-benchmark results of tests other than ours (the lock-time benchmarks)."""
    session = getattr(config, "_benchmarksession", None)
    out = []
    for bench in getattr(session, "benchmarks", []) or []:
        if "test_lock_time" not in bench.fullname:
            continue
        try:
            median, count = bench.stats.median, bench.stats.rounds
        except Exception:  # noqa: BLE001 -- no data (disabled benchmarks)
            median, count = None, 0
        out.append({"name": bench.name, "fullname": bench.fullname, "group": bench.group,
                    "median": median, "rounds": count, "extra_info": bench.extra_info})
    return out


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    results = config.stash[RESULTS]
    results["other_benchmarks"] = _other_benchmarks(config)
    results["metrics"] = registry.describe()
    if not (results["images"] or results["timings"] or results["packages"] or results["other_benchmarks"]):
        return  # nothing of ours ran (unit tests only): leave the last run's outputs alone
    env = results.setdefault("environment", {})
    env.setdefault("date", datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))
    if "load_average_start" in env:
        env["load_average_end"] = round(os.getloadavg()[0], 1)
    results["pytest_exitstatus"] = int(exitstatus)
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    outputs = []

    json_path = OUTPUT_DIR / "results.json"
    report.write_atomic(json_path, json.dumps(results, indent=2, default=str) + "\n")
    outputs.append(str(json_path.relative_to(PROJECT_ROOT)))

    summary = report.markdown_summary(results)
    report.write_atomic(OUTPUT_DIR / "summary.md", summary)
    outputs.append(str((OUTPUT_DIR / "summary.md").relative_to(PROJECT_ROOT)))
    if step_summary := os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(step_summary, "a") as f:
            f.write(summary + "\n")

    if packages := results["packages"].get("project"):
        try:
            baseline = json.loads((HERE / "baseline.json").read_text()).get("packages", {})
        except (OSError, ValueError):
            baseline = {}
        png = OUTPUT_DIR / "largest-packages.png"
        size = results["images"].get("project", {}).get("size_bytes")
        title = f"Largest distributions in {results['images'].get('project', {}).get('tag', 'the image')}"
        if size:
            title += f" ({size / registry.MB:.0f} MB)"
        report.chart(packages, baseline, png, title=title)
        outputs.append(str(png.relative_to(PROJECT_ROOT)))
    else:  # not measured in this run: an older chart must not pass for this run's
        (OUTPUT_DIR / "largest-packages.png").unlink(missing_ok=True)

    config.stash[TABLE] = report.terminal_table(results, outputs)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    table = config.stash.get(TABLE, None)
    if table:
        terminalreporter.write_sep("=", "benchmarks: project vs naive")
        for line in table.splitlines():
            terminalreporter.write_line(line)
