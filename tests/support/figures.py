"""What the load and soak tests measure and where they write it (test-output/reliability/*.json)."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from tests.support.paths import TEST_OUTPUT

OUTPUT_DIR = TEST_OUTPUT / "reliability"
MB = 1_000_000


def percentiles(samples: list[float]) -> dict:
    """p50 and p95 (and the worst) of latencies in seconds."""
    cuts = statistics.quantiles(samples, n=20, method="inclusive")
    return {"count": len(samples), "p50_s": round(statistics.median(samples), 4), "p95_s": round(cuts[18], 4),
            "max_s": round(max(samples), 4)}


def memory_bytes(container) -> int:
    """The container's memory as `docker stats` shows it: usage less the inactive page cache."""
    memory = container.stats(stream=False)["memory_stats"]
    stats = memory.get("stats", {})
    inactive = stats.get("total_inactive_file", stats.get("inactive_file", 0))
    return memory["usage"] - inactive if inactive < memory["usage"] else memory["usage"]


def memory_parts(container) -> dict:
    """What the container's memory is made of, in MB: "anonymous", what its processes hold (heaps,
    stacks) and its tmpfs files (HOME), which nothing can reclaim without swap; "files", page cache,
    charged to whichever container read a page first (so it moves with the neighbours); "rest",
    the kernel's own memory for the cgroup. cgroup v1 prefixes its hierarchical counts "total_"."""
    memory = container.stats(stream=False)["memory_stats"]
    stats = memory.get("stats", {})

    def count(name: str) -> int:
        return stats.get(f"total_{name}", stats.get(name, 0))

    anonymous = count("active_anon") + count("inactive_anon")
    files = count("active_file") + count("inactive_file")
    return {"anonymous": round(anonymous / MB, 1), "files": round(files / MB, 1),
            "rest": round(max(0, memory["usage"] - anonymous - files) / MB, 1)}


def write(name: str, figures: dict) -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUTPUT_DIR / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    return path
