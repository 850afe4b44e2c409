"""Regenerate README.md's benchmark table from a benchmark run's results.json.

    python tests/benchmarks/readme_table.py [--results test-output/benchmarks/results.json] [--readme README.md]
    scripts/bench --update-readme        (runs the suite first)

Replaces what is between the markers <!-- benchmarks:start --> and <!-- benchmarks:end -->, nothing
else. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

START = "<!-- benchmarks:start -->"
END = "<!-- benchmarks:end -->"
MB = 1_000_000
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Figures as their projects published them; not measured here.
EARLIER = {"size": "663 MB", "layers": "10", "dockerfile": "21 lines"}
SCIPY_NOTEBOOK = {"size": "2.67 GB"}

TIMES = [
    ("cold_start", "Cold start: `docker run` to `/api/status` answering"),
    ("first_cell", "First cell: `docker run` to `import numpy, pandas, matplotlib.pyplot, sklearn` done"),
    ("stop", "`docker stop` with a kernel running"),
    ("build_no_cache", "Build without cache"),
    ("build_warm", "Rebuild after adding one package to the lock"),
]


def _mb(value) -> str:
    if value is None:
        return "–"
    return f"{value / MB / 1000:.2f} GB" if value >= 1000 * MB else f"{value / MB:.0f} MB"


def _s(value) -> str:
    return "–" if value is None else f"{value:.1f} s"


def table(results: dict) -> str:
    images = results.get("images", {})
    project, naive = images.get("project", {}), images.get("naive", {})
    timings = results.get("timings", {})
    env = results.get("environment", {})

    lines = [
        "| | This image | Naive build, same lock | Earlier minimalist image (published) "
        "| docker-stacks scipy-notebook (published) |",
        "|---|---:|---:|---:|---:|",
        f"| Image size, uncompressed | {_mb(project.get('size_bytes'))} | {_mb(naive.get('size_bytes'))} "
        f"| {EARLIER['size']} | {SCIPY_NOTEBOOK['size']} |",
        f"| Image size, compressed (gzip layers, as pushed) | {_mb(project.get('compressed_bytes'))} "
        f"| {_mb(naive.get('compressed_bytes'))} | – | – |",
        f"| Added on top of the base image | {_mb(project.get('added_bytes'))} | {_mb(naive.get('added_bytes'))} "
        "| – | – |",
        f"| Layers | {project.get('layers', '–')} | {naive.get('layers', '–')} | {EARLIER['layers']} | – |",
        f"| Dockerfile instructions | {project.get('dockerfile_instructions', '–')} "
        f"| {naive.get('dockerfile_instructions', '–')} | {EARLIER['dockerfile']} | – |",
    ]
    for key, label in TIMES:
        t = timings.get(key, {})
        lines.append(f"| {label} | {_s(t.get('project', {}).get('median'))} | {_s(t.get('naive', {}).get('median'))} "
                     "| – | – |")
    date = (env.get("date") or "?")[:10]
    lines += [
        "",
        f"This image and the naive build ([`tests/benchmarks/naive.Dockerfile`](tests/benchmarks/naive.Dockerfile): "
        "uv, all `.pyc` compiled, pip and tests kept) were measured by `scripts/bench` on "
        f"{date}: {env.get('nproc', '?')} × {env.get('cpu', '?')}, Docker Engine {env.get('engine', '?')}, "
        f"base image `{env.get('base_image', '?')}`. Times are medians of {env.get('rounds', '?')} interleaved "
        f"rounds (builds: {env.get('build_rounds', '?')}). The other two columns are figures as their projects "
        "published them, not measured here.",
    ]
    return "\n".join(lines)


def replace_between_markers(text: str, block: str) -> str:
    start, end = text.find(START), text.find(END)
    if start < 0 or end < 0 or end < start:
        raise ValueError(f"README has no {START} ... {END} section")
    return text[: start + len(START)] + "\n" + block + "\n" + text[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", type=Path, default=PROJECT_ROOT / "test-output" / "benchmarks" / "results.json")
    parser.add_argument("--readme", type=Path, default=PROJECT_ROOT / "README.md")
    parser.add_argument("--run-id", help="refuse results from another run")
    args = parser.parse_args(argv)
    try:
        results = json.loads(args.results.read_text())
        if args.run_id and results.get("run_id") != args.run_id:
            raise ValueError(f"{args.results} is not from this run")
        text = args.readme.read_text()
        updated = replace_between_markers(text, table(results))
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if updated != text:
        args.readme.write_text(updated)
    print(f"{args.readme}: benchmark table {'updated' if updated != text else 'unchanged'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
