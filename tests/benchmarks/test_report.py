"""The suite's own logic, without Docker: the registry, gate messages, baseline update, the one
table (terminal, Markdown, README), counting."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.benchmarks import measure, registry, report
from tests.benchmarks.registry import MB
from tests.support.paths import PROJECT_ROOT

registry.load_all()


def test_grown_packages_lists_growth_and_new_largest_first():
    baseline = {"numpy": 60 * MB, "pandas": 70 * MB, "scipy": 130 * MB}
    now = {"numpy": 60 * MB, "pandas": 72 * MB, "scipy": 120 * MB, "pyarrow": 150 * MB}
    assert report.grown_packages(baseline, now) == [("pyarrow", 0.0, 150.0), ("pandas", 70.0, 72.0)]
    message = report.grown_message(baseline, now)
    assert "pyarrow" in message and "150.0" in message and "scipy" not in message and "numpy" not in message
    assert report.grown_message(baseline, baseline) == "No installed distribution grew over the baseline."


def test_timing_medians_and_ratio():
    t = registry.timing({"project": [1.0, 3.0, 2.0], "naive": [4.0, 4.0, 5.0]})
    assert t["project"]["median"] == 2.0 and t["naive"]["median"] == 4.0 and t["ratio"] == 0.5
    assert "ratio" not in registry.timing({"project": [1.0], "naive": []})


def test_alternating_rounds_swap_the_order():
    assert registry.alternating(3) == ["project", "naive", "naive", "project", "project", "naive"]


def test_every_benchmark_module_registers_and_every_gate_names_a_budget_path():
    stems = {m.module for m in registry.METRICS.values()}
    assert {"test_size", "test_build", "test_runtime", "test_layer_rebuild"} <= stems
    for gate in registry.GATES.values():
        assert gate.module and "." in gate.budget, gate
        if gate.value.startswith("ratio."):
            assert gate.value.split(".", 1)[1] in registry.METRICS, gate


def test_the_gate_collects_a_row_for_every_registered_gate():
    """Whatever order the benchmark modules are imported in, the gate has one test per registered Gate
    (it once collected only the rows of the modules sorting before test_gate.py)."""
    collected = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                                "tests/benchmarks/test_gate.py"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                               timeout=120)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    registry.load_all()
    assert len(registry.GATES) >= 8
    for name in registry.GATES:
        assert f"test_within_budget[{name}]" in collected.stdout, (name, collected.stdout)


def test_a_ratio_against_another_metrics_naive_value():
    results = {"metrics": registry.describe(),
               "timings": {"build_warm": {"project": {"median": 30.0}, "naive": {"median": 20.0}},
                           "layer_rebuild": {"project": {"median": 5.0}}}}
    assert registry.lookup(results, "ratio.layer_rebuild") == 0.25
    assert registry.lookup(results, "ratio.build_warm") == 1.5
    assert registry.lookup(results, "ratio.cold_start") is None
    assert registry.lookup(results, "timings.build_warm.project.median") == 30.0
    row = next(r for r in report.rows(results) if r["label"].startswith("Rebuild after `lock add --layer`"))
    assert (row["project"], row["naive"], row["ratio"]) == (5.0, 20.0, 0.25)


def test_budget_value_is_none_for_an_unbudgeted_row():
    assert registry.budget_value({"image": {"max_layers": 10}}, "image.max_layers") == 10
    assert registry.budget_value({"image": {}}, "build.max_rebuild_ratio") is None


def results_sample(run_id="r1"):
    return {"run_id": run_id, "metrics": registry.describe(), "environment": {"date": "2026-11-22T00:00:00+00:00", "base_image": "base:1"},
            "images": {"project": {"tag": "img:test", "size_bytes": 600 * MB, "compressed_bytes": 200 * MB,
                                   "layers": 6, "added_bytes": 400 * MB, "dockerfile_instructions": 29},
                       "naive": {"tag": "img:naive", "size_bytes": 800 * MB, "layers": 6}},
            "timings": {"cold_start": {"project": {"median": 1.0}, "naive": {"median": 2.0}, "ratio": 0.5}},
            "packages": {"project": {"b": 2, "a": 1}},
            "gate": [{"check": "layers", "value": "6", "limit": "10", "ok": True}]}


def test_update_baseline_writes_the_run_atomically(tmp_path):
    results, baseline = tmp_path / "results.json", tmp_path / "baseline.json"
    results.write_text(json.dumps(results_sample()))
    baseline.write_text("old")
    assert report.main(["update-baseline", "--results", str(results), "--baseline", str(baseline),
                        "--run-id", "r1"]) == 0
    written = json.loads(baseline.read_text())
    assert written["image_size_bytes"] == 600 * MB and list(written["packages"]) == ["a", "b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.json", "results.json"], "no temp file left"


def test_update_baseline_refuses_another_run_and_incomplete_results(tmp_path):
    results, baseline = tmp_path / "results.json", tmp_path / "baseline.json"
    results.write_text(json.dumps(results_sample("r1")))
    baseline.write_text("old")
    assert report.main(["update-baseline", "--results", str(results), "--baseline", str(baseline),
                        "--run-id", "r2"]) == 1
    incomplete = results_sample("r1")
    del incomplete["packages"]
    results.write_text(json.dumps(incomplete))
    assert report.main(["update-baseline", "--results", str(results), "--baseline", str(baseline)]) == 1
    assert baseline.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.json", "results.json"], "no temp file left"


def test_tables_show_project_naive_and_ratio():
    text = report.terminal_table(results_sample(), ["out.json"])
    line = next(l for l in text.splitlines() if "Image size, uncompressed" in l)
    assert line.split()[-5:] == ["600.0", "MB", "800.0", "MB", "0.75"]
    assert any("Cold start" in l and l.rstrip().endswith("0.50") for l in text.splitlines())
    assert "Build without cache" not in text, "a row measured for neither image is left out"
    assert "ok    layers: 6 (limit 10)" in text and "outputs: out.json" in text
    md = report.markdown_summary(results_sample())
    assert "| Image size, uncompressed | 600.0 MB | 800.0 MB | 0.75 |" in md and "✅ layers" in md


def test_chart_is_a_png(tmp_path):
    path = tmp_path / "chart.png"
    report.chart({"numpy": 60 * MB, "pyarrow": 150 * MB}, {"numpy": 58 * MB}, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("text, count", [
    ("FROM a\nRUN x\n", 2),
    ("# c\n\nFROM a\nRUN x \\\n    && y \\\n    # inside\n    && z\nCMD [\"a\"]\n", 3),
    ("ARG B=1\nFROM ${B} AS s\nCOPY a \\\n\n  b\n", 3),
])
def test_dockerfile_instructions(text, count):
    assert measure.dockerfile_instructions(text) == count


def test_lock_lines_pair_uv_and_pip_compile_per_cache():
    def bench(name, backend=None, cache=None, median=1.0):
        info = {"backend": backend, "cache": cache} if backend else {"seconds": median}
        return {"name": name, "fullname": f"tests/benchmarks/test_lock_time.py::{name}", "median": median,
                "rounds": 1, "extra_info": info}
    results = {"other_benchmarks": [bench("a", "uv", "cold", 2.0), bench("b", "pip-tools", "cold", 100.0),
                                    bench("c", "uv", "warm", 0.5), bench("test_lock_check_time", median=0.3)]}
    assert report.lock_lines(results) == [
        "cold cache: uv 2.0 s, pip-compile 100.0 s, uv / pip-compile 0.02",
        "warm cache: uv 0.5 s",
        "test_lock_check_time: median 0.30 s over 1 rounds",
    ]


def test_public_module_distribution_median_worst_and_noise_floor():
    from tests.benchmarks.module_ratios import distribution

    # times[image][module]: one sample per round, sample i of both images taken at the same time.
    times = {"project": {"a": [0.20] * 3, "a.b": [0.50] * 3, "a.tiny": [0.004] * 3, "a.gui": [None] * 3},
             "naive": {"a": [0.20] * 3, "a.b": [0.25] * 3, "a.tiny": [0.001] * 3, "a.gui": [None] * 3}}
    found = distribution(times)
    assert found["modules"] == 3 and found["failed"] == ["a.gui"]
    # a.tiny's 4x is under 10 ms in the naive build: not compared; a.b's 2x is the worst.
    assert found["compared"] == 2 and found["worst_ratio"] == 2.0 and found["worst"][0]["module"] == "a.b"
    assert found["median_ratio"] == 1.5 and found["sums"]["project"] == [0.704] * 3
    results = {"timings": {"public_imports": {k: v for k, v in found.items() if k != "sums"}}}
    assert "per-module ratio median 1.50, worst 2.00 (a.b 2.00, a 1.00)" in report.terminal_table(results)


def test_public_module_ratio_counts_only_differences_over_the_floor():
    from tests.benchmarks.module_ratios import FLOOR_SECONDS, distribution

    # 12 ms against 14 ms: 1.17x, but 2 ms (under the floor) -- parity for the gate, on record as raw.
    small = {"project": {"m.small": [0.014, 0.013, 0.015]}, "naive": {"m.small": [0.012, 0.012, 0.013]}}
    found = distribution(small)
    assert FLOOR_SECONDS > 0.002 and found["worst_ratio"] == 1.0
    assert round(found["worst_raw_ratio"], 2) == 1.17 and found["median_ratio"] > 1.1
    # A module without its bytecode pays its compile: far over the floor, gated at its ratio.
    missing = {"project": {"m.small": [0.014] * 3, "m.big": [0.315, 0.30, 0.33]},
               "naive": {"m.small": [0.012] * 3, "m.big": [0.080, 0.081, 0.079]}}
    assert round(distribution(missing)["worst_ratio"], 2) == 3.94


def test_public_module_ratio_medians_paired_rounds_and_drops_a_module_failing_once():
    from tests.benchmarks.module_ratios import distribution

    # One outlier round of three is the median's to discard; a module that failed in one round is not compared.
    times = {"project": {"m": [0.050, 0.200, 0.051], "m.flaky": [0.05, None, 0.05]},
             "naive": {"m": [0.050, 0.050, 0.050], "m.flaky": [0.05, 0.05, 0.05]}}
    found = distribution(times)
    assert found["failed"] == ["m.flaky"] and found["compared"] == 1 and found["worst_ratio"] == 1.0
    assert found["worst"][0]["difference"] == 0.001 and round(found["median_ratio"], 2) == 1.02

def test_a_public_module_gets_a_second_look_only_when_slower_over_the_floor():
    from tests.benchmarks.module_ratios import slower

    assert slower([0.286, 0.29, 0.28], [0.25, 0.25, 0.26])  # 1.14x and 25 ms: timed again
    assert not slower([0.014, 0.014, 0.015], [0.012, 0.012, 0.012])  # 1.17x but 2 ms
    assert not slower([0.26, 0.25, 0.26], [0.25, 0.25, 0.25])  # 1.04x
    assert not slower([0.30, None, 0.30], [0.25, 0.25, 0.25])  # failed once: not compared at all


class TimedImporter:
    """A stand-in for one image's importing process on a clock shared by both images: each answer
    is the module's time, plus a burst while the clock is in `busy` (a neighbour on this core)."""

    def __init__(self, clock: list[int], seconds: dict[str, float], busy: range = range(0)):
        self.clock, self.seconds, self.busy = clock, seconds, busy

    def ask(self, name):
        pass

    def answer(self, name):
        self.clock[0] += 1
        return self.seconds.get(name, 0.05) + (0.02 if self.clock[0] in self.busy else 0.0)

    def close(self):
        pass


def test_the_second_look_comes_after_the_sweep_and_clears_a_burst_but_not_a_lost_pyc():
    from tests.benchmarks.module_ratios import CONFIRM_ROUNDS, distribution, paired_times

    modules = ["m"] + [f"m.sub{i}" for i in range(12)] + ["n", "n.lost_pyc"]
    clock, opened = [0], []
    # A pair takes two ticks (the project answers first). The project's core is busy from m.sub0's
    # first round (tick 7) to the end of the first sweep (tick 90): past where a second look taken
    # after each package's own sweep would fall (m's ends at tick 78).

    def open_importers(top):
        opened.append(top)
        return {"project": TimedImporter(clock, {"n.lost_pyc": 0.09}, busy=range(7, 91)),
                "naive": TimedImporter(clock, {})}

    times, first_looks = paired_times(modules, 3, open_importers)
    # the suspects' packages opened again after the sweep, once per round of the second look
    assert opened == ["m", "n"] + ["m", "n"] * CONFIRM_ROUNDS
    assert set(first_looks) == set(modules) - {"m"} and len(first_looks["m.sub0"]["project"]) == 3
    assert all(len(times[which][name]) == CONFIRM_ROUNDS for which in times for name in first_looks)
    found = distribution(times)
    assert found["worst"][0]["module"] == "n.lost_pyc" and round(found["worst_ratio"], 1) == 1.8
    assert [w["ratio"] for w in found["worst"][1:]] == [1.0] * 9, found["worst"]


def test_a_slow_pair_of_processes_counts_once_in_the_second_look():
    from tests.benchmarks.module_ratios import distribution, paired_times

    opened = []

    def open_importers(top):
        opened.append(top)
        slow = len(opened) <= 2  # the first sweep's processes and the second look's first ones
        return {"project": TimedImporter([0], {"m.a": 0.07 if slow else 0.05}),
                "naive": TimedImporter([0], {"m.a": 0.05})}

    times, first_looks = paired_times(["m", "m.a"], 3, open_importers)
    assert set(first_looks) == {"m.a"}
    assert distribution(times)["worst_ratio"] == 1.0
