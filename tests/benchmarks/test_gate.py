"""The gate: every row registered by a benchmark module (registry.py) within
tests/benchmarks/budget.toml, and the image near baseline.json.

Runs after every measurement (marker benchmark_gate, ordered last by conftest.py). A row whose
benchmark module was deselected is skipped; one whose module ran but left no value fails (that
measurement failed).
"""

from __future__ import annotations

import os

import pytest

from tests.benchmarks import registry, report
from tests.benchmarks.registry import MB

pytestmark = pytest.mark.benchmark_gate


def measured(bench_results, selected_modules, producer: str, path: str):
    value = registry.lookup(bench_results, path)
    if value is None:
        if producer not in selected_modules:
            pytest.skip(f"{path} is measured by {producer}, which is not selected in this run")
        pytest.fail(f"{producer} ran but left no {path}: see its failure above")
    return value


def check(bench_results, name: str, value: str, limit: str, ok: bool) -> bool:
    bench_results["gate"].append({"check": name, "value": value, "limit": limit, "ok": bool(ok)})
    return ok


def grown(bench_results, baseline) -> str:
    now = bench_results["packages"].get("project")
    if now is None:
        return "(package sizes not measured in this run)"
    return report.grown_message(baseline.get("packages", {}), now)


def shown(value: float, gate: registry.Gate) -> str:
    return f"{value / gate.scale:.1f} {gate.unit}" if gate.unit else f"{value:.2f}" if isinstance(value, float) else str(value)


def pytest_generate_tests(metafunc):
    # At collection, not at import: registry.load_all() imports this module too, before the
    # benchmark modules that sort after it have registered their rows.
    if "name" in metafunc.fixturenames:
        registry.load_all()
        metafunc.parametrize("name", sorted(registry.GATES))


def test_within_budget(bench_results, selected_modules, budget, baseline, name):
    gate = registry.GATES[name]
    value = measured(bench_results, selected_modules, gate.module, gate.value)
    cap = registry.budget_value(budget, gate.budget)
    if cap is None:
        pytest.skip(f"{name}: no {gate.budget} in tests/benchmarks/budget.toml (measured, not gated)")
    limit = cap * gate.scale
    detail = ""
    if gate.value.startswith("ratio."):
        key = gate.value.split(".", 1)[1]
        metric = registry.METRICS[key]
        project = bench_results["timings"][key]["project"]
        naive = bench_results["timings"][metric.naive_from or key]["naive"]
        detail = f" ({project['median']:.2f} s / {naive['median']:.2f} s)"
        why = (f"samples: project {project['samples']}, naive {naive['samples']}")
    else:
        why = grown(bench_results, baseline) if gate.unit == "MB" else ""
    ok = check(bench_results, name, shown(value, gate) + detail, shown(limit, gate), value <= limit)
    assert ok, (f"{name}: {shown(value, gate)}{detail}, over the budget of {shown(limit, gate)} "
                f"(tests/benchmarks/budget.toml {gate.budget}).\n{why}")


def test_growth_over_baseline(bench_results, selected_modules, budget, baseline):
    if os.environ.get("BENCH_UPDATING_BASELINE"):
        pytest.skip("scripts/bench --update-baseline: this run becomes the baseline")
    size = measured(bench_results, selected_modules, "test_size", "images.project.size_bytes")
    measured(bench_results, selected_modules, "test_size", "packages.project")
    assert baseline.get("image_size_bytes"), "no tests/benchmarks/baseline.json: run scripts/bench --update-baseline"
    growth = budget["image"]["max_growth_over_baseline"]
    before = baseline["image_size_bytes"]
    limit = before * (1 + growth)
    ok = check(bench_results, "growth over baseline", f"{size / MB:.1f} MB ({size / before - 1:+.1%})",
               f"{limit / MB:.1f} MB, +{growth:.0%} of {before / MB:.1f} MB", size <= limit)
    assert ok, (f"the image grew {size / before - 1:+.1%} over the baseline ({before / MB:.1f} MB -> "
                f"{size / MB:.1f} MB; at most +{growth:.0%}).\n{grown(bench_results, baseline)}\n"
                "If the growth is intended: scripts/bench --update-baseline")
