"""The benchmark suite's outputs: one table (terminal, Markdown summary, README), the chart, gate
messages, the baseline. Rows and labels are the registered metrics (registry.py), as the run's
results.json lists them.

Standard library (and the lock tool's atomic writer) only at import time (matplotlib is imported by
the chart alone), so that scripts/bench can run it as a module from the project root:

    python -m tests.benchmarks.report update-baseline [--results RESULTS.json] [--baseline BASELINE.json] [--run-id ID]
    python -m tests.benchmarks.report update-readme [--results RESULTS.json] [--readme README.md] [--record RECORD.json] [--run-id ID]

update-readme also keeps the results it read in docs/benchmarks/results.json (--record): the
committed run that README's table and introduction are checked against (tests/repo/test_readme_numbers.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lock import atomic
from tests.benchmarks.registry import MB, NAMES
from tests.support.paths import PROJECT_ROOT

README_START = "<!-- benchmarks:start -->"
README_END = "<!-- benchmarks:end -->"
# The run README.md shows, committed beside the docs: its table is generated from this file.
README_RESULTS = PROJECT_ROOT / "docs" / "benchmarks" / "results.json"


# --- the one table ----------------------------------------------------------------------------

def rows(results: dict, every: bool = False) -> list[dict]:
    """One row per registered metric of the run (results["metrics"], in order): its label, unit,
    the project's and the naive build's value (medians for times) and their ratio. Rows measured
    for neither image only with `every` (the README shows them as dashes)."""
    out = []
    images, timings = results.get("images", {}), results.get("timings", {})
    for key, metric in results.get("metrics", {}).items():
        if metric["kind"] == "image":
            project, naive = (images.get(name, {}).get(key) for name in NAMES)
        else:
            project = timings.get(key, {}).get("project", {}).get("median")
            naive = timings.get(metric.get("naive_from") or key, {}).get("naive", {}).get("median")
        if project is None and naive is None and not every:
            continue
        out.append({"label": metric["label"], "unit": metric["unit"], "project": project, "naive": naive,
                    "ratio": project / naive if project is not None and naive else None,
                    "published": tuple(metric.get("published") or ("–", "–"))})
    return out


def fmt(value, unit: str, short: bool = False) -> str:
    """A cell: decimal MB (GB from 1000 MB in the short form), seconds, or a count."""
    if value is None:
        return "–" if short else "-"
    if unit == "MB":
        if short:
            return f"{value / MB / 1000:.2f} GB" if value >= 1000 * MB else f"{value / MB:.0f} MB"
        return f"{value / MB:.1f} MB"
    if unit == "s":
        return f"{value:.1f} s" if short else f"{value:.2f} s"
    return str(value)


def fmt_ratio(ratio: float | None, short: bool = False) -> str:
    return ("–" if short else "-") if ratio is None else f"{ratio:.2f}"


def lock_lines(results: dict) -> list[str]:
    """The lock-time benchmarks (tests/benchmarks/test_lock_time.py), when they ran: uv against
    pip-compile per cache state (from their extra_info), then any other of their benchmarks."""
    lock = [b for b in results.get("other_benchmarks", []) if "lock" in b.get("fullname", "")
            and b.get("median") is not None]
    lines, paired = [], set()
    by_cache: dict[str, dict[str, dict]] = {}
    for b in lock:
        info = b.get("extra_info") or {}
        if info.get("backend") and info.get("cache"):
            by_cache.setdefault(info["cache"], {})[info["backend"]] = b
    for cache, backends in sorted(by_cache.items()):
        uv, pip = backends.get("uv"), backends.get("pip-tools")
        parts = [f"{name} {b['median']:.1f} s" for name, b in (("uv", uv), ("pip-compile", pip)) if b]
        ratio = f", uv / pip-compile {uv['median'] / pip['median']:.2f}" if uv and pip and pip["median"] else ""
        lines.append(f"{cache} cache: " + ", ".join(parts) + ratio)
        paired.update(id(b) for b in backends.values())
    lines += [f"{b['name']}: median {b['median']:.2f} s over {b['rounds']} rounds" for b in lock if id(b) not in paired]
    return lines


def distribution_lines(results: dict) -> list[str]:
    """The per-module import row's distribution (test_session.py): how many modules, the median and
    worst per-module ratio, and the worst modules."""
    found = results.get("timings", {}).get("public_imports", {})
    if "worst_ratio" not in found:
        return []
    worst = ", ".join(f"{w['module']} {w['ratio']:.2f}" for w in found.get("worst", [])[:3])
    return [f"{found['modules']} public modules imported alone in both images, {found['compared']} of them over "
            f"10 ms: per-module ratio median {found['median_ratio']:.2f}, worst {found['worst_ratio']:.2f} ({worst})"]


def load_line(results: dict) -> str:
    """How busy the machine was (1-minute load average at the run's start and end), when recorded."""
    env = results.get("environment", {})
    if "load_average_start" not in env:
        return ""
    return (f"The machine's load average was {env['load_average_start']:.1f} at the start of the run and "
            f"{env.get('load_average_end', float('nan')):.1f} at its end (on {env.get('nproc', '?')} cores).")


def machine_line(results: dict) -> str:
    env = results.get("environment", {})
    return (f"{env.get('date', '?')[:10]}, {env.get('nproc', '?')} x {env.get('cpu', '?')}, "
            f"Docker Engine {env.get('engine', '?')}, base image {env.get('base_image', '?')}; "
            f"times are medians of {env.get('rounds', '?')} interleaved rounds "
            f"(builds: {env.get('build_rounds', '?')})" + (f". {load_line(results)}" if load_line(results) else ""))


def terminal_table(results: dict, outputs: list[str] = ()) -> str:
    table = [(r["label"], fmt(r["project"], r["unit"]), fmt(r["naive"], r["unit"]), fmt_ratio(r["ratio"]))
             for r in rows(results)]
    header = ("metric", "project", "naive", "ratio")
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(4)]
    line = lambda r: f"  {r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]:>{widths[3]}}"
    out = ["jupyterlab-minimalist benchmarks: this image (project) vs a naive build of the same lock (naive)",
           line(header), "  " + "-" * (sum(widths) + 6)]
    out += [line(r) for r in table]
    if modules := distribution_lines(results):
        out += ["public module imports:"] + [f"  {x}" for x in modules]
    if lock := lock_lines(results):
        out += ["lock time:"] + [f"  {x}" for x in lock]
    if gate := results.get("gate"):
        out.append("gate (tests/benchmarks/budget.toml, baseline.json):")
        out += [f"  {'ok  ' if g['ok'] else 'FAIL'}  {g['check']}: {g['value']} (limit {g['limit']})" for g in gate]
    out.append("measured: " + machine_line(results))
    if outputs:
        out.append("outputs: " + ", ".join(outputs))
    return "\n".join(out)


def markdown_summary(results: dict) -> str:
    out = ["## Benchmarks: this image vs a naive build of the same lock", "",
           "| metric | project | naive | ratio |", "|---|---:|---:|---:|"]
    out += [f"| {r['label']} | {fmt(r['project'], r['unit'])} | {fmt(r['naive'], r['unit'])} | {fmt_ratio(r['ratio'])} |"
            for r in rows(results)]
    if modules := distribution_lines(results):
        out += ["", "**Public module imports:** " + "; ".join(modules)]
    if lock := lock_lines(results):
        out += ["", "**Lock time:** " + "; ".join(lock)]
    if gate := results.get("gate"):
        out += ["", "**Gate** (`tests/benchmarks/budget.toml`, `baseline.json`):", ""]
        out += [f"- {'✅' if g['ok'] else '❌'} {g['check']}: {g['value']} (limit {g['limit']})" for g in gate]
    out += ["", f"_Measured {machine_line(results)}._", ""]
    return "\n".join(out)


def readme_table(results: dict) -> str:
    """README.md's table: every metric the run measured (a partial run shows fewer rows, never a
    figure of another run), with the two columns of published figures."""
    env = results.get("environment", {})
    lines = ["| | This image | Naive build, same lock | This / naive | Earlier minimalist image (published) "
             "| docker-stacks scipy-notebook (published) |",
             "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['label']} | {fmt(r['project'], r['unit'], True)} | {fmt(r['naive'], r['unit'], True)} "
              f"| {fmt_ratio(r['ratio'], True)} | {r['published'][0]} | {r['published'][1]} |"
              for r in rows(results)]
    lines += [
        "",
        "This image and the naive build ([`tests/benchmarks/naive.Dockerfile`](tests/benchmarks/naive.Dockerfile): "
        "uv, all `.pyc` compiled, pip and tests kept) were measured by the benchmark suite (`tests/benchmarks/`) on "
        f"{(env.get('date') or '?')[:10]}: {env.get('nproc', '?')} × {env.get('cpu', '?')}, Docker Engine "
        f"{env.get('engine', '?')}, base image `{env.get('base_image', '?')}`. Times are medians of "
        f"{env.get('rounds', '?')} interleaved rounds (builds: {env.get('build_rounds', '?')}). "
        + (load_line(results) + " " if load_line(results) else "")
        + "The last two columns are figures as their projects published them, not measured here.",
    ]
    return "\n".join(lines)


def replace_between_markers(text: str, block: str) -> str:
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < 0 or end < start:
        raise ValueError(f"README has no {README_START} ... {README_END} section")
    return text[: start + len(README_START)] + "\n" + block + "\n" + text[end:]


def load_results(path: Path, run_id: str | None) -> dict:
    results = json.loads(Path(path).read_text())
    if run_id and results.get("run_id") != run_id:
        raise ValueError(f"{path} is not from this run (run id {results.get('run_id')}, expected {run_id})")
    return results


def update_readme(results_path: Path, readme_path: Path, run_id: str | None = None,
                  record_path: Path | None = None) -> bool:
    """Replace the README's table with this run's, atomically, and keep the run's results in
    `record_path` (the committed copy the README is checked against); True when the table changed."""
    text = Path(readme_path).read_text()
    results = load_results(results_path, run_id)
    updated = replace_between_markers(text, readme_table(results))
    if record_path is not None and Path(record_path).resolve() != Path(results_path).resolve():
        write_atomic(record_path, Path(results_path).read_text())  # the run's file as it wrote it
    if updated != text:
        write_atomic(readme_path, updated)
    return updated != text


# --- packages and the baseline ------------------------------------------------------------------

def grown_packages(baseline: dict[str, int], now: dict[str, int], top: int = 15) -> list[tuple[str, float, float]]:
    """(name, baseline MB, now MB) of the distributions that grew (or are new), largest growth first."""
    grown = [(name, baseline.get(name, 0), size) for name, size in now.items() if size > baseline.get(name, 0)]
    grown.sort(key=lambda g: g[2] - g[1], reverse=True)
    return [(name, base / MB, size / MB) for name, base, size in grown[:top]]


def grown_message(baseline: dict[str, int], now: dict[str, int]) -> str:
    grown = grown_packages(baseline, now)
    if not grown:
        return "No installed distribution grew over the baseline."
    width = max(len(g[0]) for g in grown)
    lines = [f"Distributions that grew over the baseline (tests/benchmarks/baseline.json):",
             f"  {'name':<{width}}  {'baseline MB':>11}  {'now MB':>8}"]
    lines += [f"  {name:<{width}}  {base:>11.1f}  {size:>8.1f}" for name, base, size in grown]
    return "\n".join(lines)


def baseline_from(results: dict) -> dict:
    project = results.get("images", {}).get("project")
    packages = results.get("packages", {}).get("project")
    if not project or not packages:
        raise ValueError("the results hold no project image size or package sizes: did the size benchmarks run?")
    return {
        "_comment": "Written by `scripts/bench --update-baseline` from a benchmark run; not edited by hand.",
        "date": results.get("environment", {}).get("date"),
        "base_image": results.get("environment", {}).get("base_image"),
        "image": project["tag"],
        "image_size_bytes": project["size_bytes"],
        "compressed_bytes": project.get("compressed_bytes"),
        "layers": project.get("layers"),
        "packages": dict(sorted(packages.items())),
    }


def write_atomic(path: Path, text: str) -> None:
    """Readers see the old or the new content, never a part (the lock tool's own writer)."""
    atomic.write_text(Path(path), text)


def update_baseline(results_path: Path, baseline_path: Path, run_id: str | None = None) -> dict:
    baseline = baseline_from(load_results(results_path, run_id))
    write_atomic(baseline_path, json.dumps(baseline, indent=2) + "\n")
    return baseline


# --- the chart --------------------------------------------------------------------------------

def chart(packages: dict[str, int], baseline: dict[str, int], path: Path, top: int = 20, title: str = "") -> None:
    """Horizontal bars of the largest distributions, with each one's change against the baseline."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    largest = sorted(packages.items(), key=lambda kv: kv[1], reverse=True)[:top][::-1]
    names = [name for name, _ in largest]
    now = [size / MB for _, size in largest]
    before = [baseline.get(name, 0) / MB for name in names]
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(names) + 1.6), dpi=110)
    ax.barh(names, now, color="#4c72b0", label="this run")
    ax.scatter(before, names, marker="|", s=200, color="#222222", zorder=3, label="baseline")
    for y, (n, b, name) in enumerate(zip(now, before, names)):
        delta = "" if not baseline else " (new)" if name not in baseline else f" ({n - b:+.1f} MB)"
        ax.text(max(n, b) + max(now) * 0.01, y, f"{n:.1f} MB{delta}", va="center", fontsize=8)
    ax.set_xlabel("installed size, MB (files of its RECORD and their .pyc)")
    ax.set_xlim(0, max(now + before) * 1.3)
    ax.set_title(title or f"Largest distributions in the image (top {len(names)})", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("update-baseline", help="write the baseline from a run's results.json (atomically)")
    up.add_argument("--baseline", type=Path, default=Path(__file__).resolve().parent / "baseline.json")
    readme = sub.add_parser("update-readme", help="replace README.md's benchmark table with a run's (atomically)")
    readme.add_argument("--readme", type=Path, default=PROJECT_ROOT / "README.md")
    readme.add_argument("--record", type=Path, default=README_RESULTS,
                        help="where to keep the results the table came from (default docs/benchmarks/results.json)")
    for command in (up, readme):
        command.add_argument("--results", type=Path, default=PROJECT_ROOT / "test-output" / "benchmarks" / "results.json")
        command.add_argument("--run-id", help="refuse results from another run")
    args = parser.parse_args(argv)
    try:
        if args.command == "update-readme":
            changed = update_readme(args.results, args.readme, args.run_id, args.record)
            print(f"{args.readme}: benchmark table {'updated' if changed else 'unchanged'}", file=sys.stderr)
            return 0
        baseline = update_baseline(args.results, args.baseline, args.run_id)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{args.baseline}: image {baseline['image_size_bytes'] / MB:.1f} MB, "
          f"{len(baseline['packages'])} distributions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
