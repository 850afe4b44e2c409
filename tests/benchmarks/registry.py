"""What the benchmarks measure and what the gate checks, declared by each benchmark module beside
the code that measures it. Adding a benchmark is one file, tests/benchmarks/test_NAME.py:

    from tests.benchmarks.registry import Gate, Metric, register
    register(__name__,
             Metric("hub_spawn", "Hub: spawn to the user's server answering"),
             Gate.ratio_cap("hub_spawn", "runtime.max_hub_spawn_ratio"))   # and the key in budget.toml

    def test_hub_spawn(bench_results, ...):
        ...
        record_timing(bench_results, "hub_spawn", {"project": [...], "naive": [...]})

The suite's tables (terminal, Markdown summary, README) show every registered metric with its one
label; the gate (test_gate.py) checks every registered Gate, after every measurement (conftest.py
orders it last), and skips a row whose benchmark module was not selected. Standard library only:
scripts/bench runs the renderers as scripts.
"""

from __future__ import annotations

import importlib
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
MB = 1_000_000  # decimal megabytes, as `docker image ls` and registries count
NAMES = ("project", "naive")


@dataclass(frozen=True)
class Metric:
    """One row of the tables. kind "image": results["images"][project|naive][key], in `unit`
    ("MB" for bytes, "" for counts); kind "timing": results["timings"][key], seconds, medians.
    `naive_from`: compare the project's value with another metric's naive one (a layer rebuild
    against the naive whole-venv rebuild). `published`: the README's two columns of published
    figures (earlier minimalist image, docker-stacks scipy-notebook)."""

    key: str
    label: str
    kind: str = "timing"
    unit: str = "s"
    naive_from: str | None = None
    published: tuple[str, str] = ("–", "–")
    module: str = ""


@dataclass(frozen=True)
class Gate:
    """One gate row: `value` (a path into the results: "images.project.size_bytes",
    "ratio.cold_start") at most the budget.toml entry `budget` ("image.max_size_mb") times `scale`."""

    name: str
    value: str
    budget: str
    scale: float = 1
    unit: str = ""
    module: str = ""

    @classmethod
    def ratio_cap(cls, metric: str, budget: str) -> "Gate":
        return cls(f"{metric.replace('_', ' ')}, project / naive", f"ratio.{metric}", budget)


METRICS: dict[str, Metric] = {}
GATES: dict[str, Gate] = {}


def register(module: str, *entries: Metric | Gate) -> None:
    """Declare a benchmark module's metrics and gate rows (idempotent: a module imported twice)."""
    stem = module.rsplit(".", 1)[-1]
    for entry in entries:
        entry = type(entry)(**{**asdict(entry), "module": stem})
        if isinstance(entry, Metric):
            METRICS[entry.key] = entry
        else:
            GATES[entry.name] = entry


def load_all() -> None:
    """Import every benchmark module, so the registry is complete whatever pytest collects first."""
    for path in sorted(HERE.glob("test_*.py")):
        importlib.import_module(f"{__package__}.{path.stem}")  # benchmarks.X, or tests.benchmarks.X


def describe() -> dict[str, dict]:
    """The registered metrics in table order (sizes, then times), for results.json: the renderers
    read the labels from there, so they need no benchmark module."""
    ordered = sorted(METRICS.values(), key=lambda m: m.kind != "image")
    return {m.key: {k: v for k, v in asdict(m).items() if k != "key"} for m in ordered}


# --- numbers ----------------------------------------------------------------------------------

def alternating(rounds: int) -> list[str]:
    """project naive, naive project, ...: a slow phase of a shared machine hits both images."""
    order: list[str] = []
    for r in range(rounds):
        order += list(NAMES) if r % 2 == 0 else list(reversed(NAMES))
    return order


def summarize(samples: list[float]) -> dict:
    return {"samples": [round(s, 4) for s in samples], "median": statistics.median(samples),
            "min": min(samples), "max": max(samples)}


def timing(samples: dict[str, list[float]]) -> dict:
    """Per image summaries and the ratio of the medians (project / naive)."""
    result = {name: summarize(samples[name]) for name in NAMES if samples.get(name)}
    if all(name in result for name in NAMES) and result["naive"]["median"] > 0:
        result["ratio"] = result["project"]["median"] / result["naive"]["median"]
    return result


def record_timing(bench_results: dict, key: str, samples: dict[str, list[float]]) -> dict:
    """Store a registered timing's samples (per image) in the run's results."""
    assert key in METRICS, f"{key}: not registered (benchmarks.registry.register)"
    result = timing(samples)
    bench_results["timings"][key] = result
    return result


def ratio(results: dict, key: str) -> float | None:
    """The project's median over the naive one; for a metric with naive_from, over that metric's."""
    metric = results.get("metrics", {}).get(key)
    if metric is None:
        metric = asdict(METRICS[key]) if key in METRICS else {}
    timings = results.get("timings", {})
    project = timings.get(key, {}).get("project", {}).get("median")
    naive = timings.get(metric.get("naive_from") or key, {}).get("naive", {}).get("median")
    return project / naive if project is not None and naive else None


def lookup(results: dict, path: str):
    """A gate value: "ratio.KEY" or a dotted path into the results."""
    head, _, rest = path.partition(".")
    if head == "ratio":
        return ratio(results, rest)
    value = results
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def budget_value(budget: dict, path: str):
    """The budget.toml entry "section.key"; None when there is none (measured, not gated)."""
    section, _, key = path.partition(".")
    return budget.get(section, {}).get(key)
