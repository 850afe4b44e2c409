"""The gate: the image under test within tests/benchmarks/budget.toml and near baseline.json.

Runs after the measurements (see conftest.py). A check whose measurement was deselected is skipped;
one whose measurement was selected but is missing fails (that measurement failed).
"""

from __future__ import annotations

import os

import pytest

from tests.benchmarks import report

MB = report.MB


def measured(bench_results, selected_modules, producer: str, *path: str):
    value = bench_results
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if value is None:
        if producer not in selected_modules:
            pytest.skip(f"{'/'.join(path)} is measured by {producer}, which is not selected in this run")
        pytest.fail(f"{producer} ran but left no {'/'.join(path)}: see its failure above")
    return value


def check(bench_results, name: str, value: str, limit: str, ok: bool) -> bool:
    bench_results["gate"].append({"check": name, "value": value, "limit": limit, "ok": bool(ok)})
    return ok


def grown(bench_results, baseline) -> str:
    now = bench_results["packages"].get("project")
    if now is None:
        return "(package sizes not measured in this run)"
    return report.grown_message(baseline.get("packages", {}), now)


def test_image_size_cap(bench_results, selected_modules, budget, baseline):
    size = measured(bench_results, selected_modules, "test_size", "images", "project", "size_bytes")
    cap = budget["image"]["max_size_mb"] * MB
    ok = check(bench_results, "image size, uncompressed", f"{size / MB:.1f} MB", f"{cap / MB:.0f} MB", size <= cap)
    assert ok, (f"the image is {size / MB:.1f} MB, over the budget of {cap / MB:.0f} MB "
                f"(tests/benchmarks/budget.toml).\n{grown(bench_results, baseline)}")


def test_added_size_cap(bench_results, selected_modules, budget, baseline):
    added = measured(bench_results, selected_modules, "test_size", "images", "project", "added_bytes")
    cap = budget["image"]["max_added_mb"] * MB
    ok = check(bench_results, "added on top of the base", f"{added / MB:.1f} MB", f"{cap / MB:.0f} MB", added <= cap)
    assert ok, (f"the image adds {added / MB:.1f} MB to its base, over the budget of {cap / MB:.0f} MB "
                f"(tests/benchmarks/budget.toml).\n{grown(bench_results, baseline)}")


def test_layer_cap(bench_results, selected_modules, budget):
    layers = measured(bench_results, selected_modules, "test_size", "images", "project", "layers")
    cap = budget["image"]["max_layers"]
    ok = check(bench_results, "layers", str(layers), str(cap), layers <= cap)
    assert ok, f"the image has {layers} layers, over the budget of {cap} (tests/benchmarks/budget.toml)"


def test_growth_over_baseline(bench_results, selected_modules, budget, baseline):
    if os.environ.get("BENCH_UPDATING_BASELINE"):
        pytest.skip("scripts/bench --update-baseline: this run becomes the baseline")
    size = measured(bench_results, selected_modules, "test_size", "images", "project", "size_bytes")
    measured(bench_results, selected_modules, "test_size", "packages", "project")
    assert baseline.get("image_size_bytes"), "no tests/benchmarks/baseline.json: run scripts/bench --update-baseline"
    growth = budget["image"]["max_growth_over_baseline"]
    before = baseline["image_size_bytes"]
    limit = before * (1 + growth)
    ok = check(bench_results, "growth over baseline", f"{size / MB:.1f} MB ({size / before - 1:+.1%})",
               f"{limit / MB:.1f} MB, +{growth:.0%} of {before / MB:.1f} MB", size <= limit)
    assert ok, (f"the image grew {size / before - 1:+.1%} over the baseline ({before / MB:.1f} MB -> "
                f"{size / MB:.1f} MB; at most +{growth:.0%}).\n{grown(bench_results, baseline)}\n"
                "If the growth is intended: scripts/bench --update-baseline")


@pytest.mark.parametrize("metric, cap_key", [("cold_start", "max_cold_start_ratio"),
                                             ("first_cell", "max_first_cell_ratio")])
def test_runtime_not_slower_than_naive(bench_results, selected_modules, budget, metric, cap_key):
    timing = measured(bench_results, selected_modules, "test_runtime", "timings", metric)
    ratio = timing.get("ratio")
    assert ratio is not None, f"{metric}: no ratio, samples missing for one image: {timing}"
    cap = budget["runtime"][cap_key]
    project, naive = timing["project"]["median"], timing["naive"]["median"]
    ok = check(bench_results, f"{metric.replace('_', ' ')}, project / naive", f"{ratio:.2f} "
               f"({project:.2f} s / {naive:.2f} s)", f"{cap:.2f}", ratio <= cap)
    assert ok, (f"{metric}: the image's median {project:.2f} s is {ratio:.2f}x the naive build's {naive:.2f} s, "
                f"over the budget of {cap:.2f}x (samples: project {timing['project']['samples']}, "
                f"naive {timing['naive']['samples']})")
