"""The per-module import row's statistic: is any public module slower to import than in the naive
build? Pure arithmetic on the samples test_session.py takes; no Docker here.

How the samples are taken, and why:

- Paired per module. One process per image stays open per top-level package (import_times.py),
  and each module is asked of both at once: the two images import it at the same time, one on
  each core, so a change of the machine's load hits both (and the row takes half the time it took
  with the two samples back to back, alternating which went first: the CPU time each import is
  measured in does not count the other core's work). Sweeping all ~600 modules in one image and
  then in the other (before 2026-12-04) put minutes between the two samples of a module: one
  sweep under heavier load moved every ratio of that sweep together (a median ratio of 1.05 that
  no bytecode difference explained).
- CPU time of the importing process, not the wall clock (import_times.py).
- The median of the rounds per module and image (BENCH_MODULE_ROUNDS, default 3: one outlier
  round out of three is discarded).
- A second look at the suspects, after the whole sweep: a module that those rounds put over
  SUSPECT_RATIO and over the floor is timed CONFIRM_ROUNDS more paired rounds, in processes opened
  again once every module has had its first rounds (minutes later), and judged by those rounds
  alone (the first ones are kept in the record). With ~280 modules compared, the worst of three
  noisy rounds is over 1.1 by chance alone (measured 2026-12-04 on the shared machine: worst 1.15,
  scipy.integrate.dop 286 vs 250 ms, median 1.00); a module that really lost its bytecode stays
  slow whenever it is timed, so the second look removes the chance extremes and keeps the
  regressions, for a few modules' cost. Taken at once after the first rounds (before 2026-12-05),
  the second look shared their moment's load: a clean-clone run on a fresh machine failed on
  numpy.f2py.use_rules at 1.15 (46 vs 40 ms over 7 rounds, half a second apart), which 15 paired
  rounds on the idle machine put at 35.7 vs 35.7 ms. Each of the CONFIRM_ROUNDS rounds opens
  its own processes: in one pair of processes the bias stayed for every round (a run on
  2026-12-05 passed at worst 1.09: sklearn.calibration 80.6 vs 73.9 ms and sklearn.compose 1.09 in
  the same pair of processes, scipy.sparse.construct and .sputils 1.08 in another; 15 paired
  rounds on the idle machine after it: 0.99, 1.01, 0.97, 1.01), as if one process's layout, which
  its forked children inherit, or its core made all of its imports slower.

What is compared:

- Only modules over MIN_SECONDS in the naive build: a ratio of two times of a few milliseconds is
  dominated by the timer's and the scheduler's noise, and bytecode (what the image changes) cannot
  cost much there.
- A module counts as slower only when it is slower by more than FLOOR_SECONDS too, the median of
  its paired differences (project minus naive). Why a floor in absolute time: what a user waits for
  is milliseconds, and on this machine the spread of a pair's difference is a few milliseconds
  whatever the module's size (measured 2026-12-04: the largest per-module median difference
  between two images with the same bytecode was under the floor), so a 12 ms module measured at
  14 ms is 1.17x and nothing. The one thing the row exists to catch, a module imported without its
  bytecode, costs its whole compile: tens of milliseconds for any module over MIN_SECONDS (A of
  docs/benchmarks/bytecode.md: sklearn.feature_selection 80 ms -> 315 ms), far above the floor.
  A module under the floor counts at parity at most (its ratio, capped at 1).

Reported: the median of the per-module ratios (every compared module, uncapped: the typical
module), the worst of the capped ratios (gated), the worst uncapped ratio (for the record), and
the ten worst modules with their times and paired differences.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping
from typing import Protocol

MIN_SECONDS = 0.010
FLOOR_SECONDS = 0.005
SUSPECT_RATIO = 1.05
CONFIRM_ROUNDS = 4


def slower(project: list[float | None], naive: list[float | None]) -> bool:
    """Whether one module's paired samples say it is slower than naive by more than chance: over
    SUSPECT_RATIO and over the floor, a module that imported every time and is over MIN_SECONDS."""
    if not project or not naive or None in project or None in naive or statistics.median(naive) < MIN_SECONDS:
        return False
    difference = statistics.median(p - n for p, n in zip(project, naive))
    return statistics.median(project) / statistics.median(naive) > SUSPECT_RATIO and difference > FLOOR_SECONDS


def distribution(times: dict[str, dict[str, list[float | None]]]) -> dict:
    """times[image][module]: the samples of each round, sample i of the project's and of the naive
    build's taken at the same time. Modules that imported in every round of both are compared."""
    project, naive = times["project"], times["naive"]
    clean = sorted(name for name in project if name in naive and project[name] and naive[name]
                   and all(t is not None for t in project[name] + naive[name]))
    medians = {which: {name: statistics.median(times[which][name]) for name in clean} for which in times}
    differences = {name: statistics.median(p - n for p, n in zip(project[name], naive[name])) for name in clean}
    ratios = {name: medians["project"][name] / medians["naive"][name]
              for name in clean if medians["naive"][name] >= MIN_SECONDS}
    capped = {name: ratio if differences[name] > FLOOR_SECONDS else min(ratio, 1.0) for name, ratio in ratios.items()}
    worst = sorted(ratios, key=lambda name: (capped[name], ratios[name]), reverse=True)[:10]
    rounds = min(len(times[which][name]) for which in times for name in clean) if clean else 0
    return {
        "modules": len(clean), "compared": len(ratios), "floor_seconds": FLOOR_SECONDS,
        "sums": {which: [sum(times[which][name][i] for name in clean) for i in range(rounds)] for which in times},
        "median_ratio": statistics.median(ratios.values()) if ratios else None,
        "worst_ratio": max(capped.values()) if capped else None,
        "worst_raw_ratio": max(ratios.values()) if ratios else None,
        "worst": [{"module": name, "project": round(medians["project"][name], 4), "naive": round(medians["naive"][name], 4),
                   "difference": round(differences[name], 4), "ratio": round(ratios[name], 3)} for name in worst],
        "failed": sorted((set(project) | set(naive)) - set(clean)),
    }


class Importer(Protocol):
    """One image's importing process for one top-level package (test_session.py's, over docker)."""

    def ask(self, name: str) -> None: ...
    def answer(self, name: str) -> float | None: ...
    def close(self) -> None: ...


def pair(importers: Mapping[str, Importer], name: str, times: dict[str, dict[str, list]]) -> None:
    """One paired sample of `name`: asked of every image at once, each importing on its own core."""
    for importer in importers.values():
        importer.ask(name)
    for which, importer in importers.items():
        times[which].setdefault(name, []).append(importer.answer(name))


def sweep(modules: list[str], rounds: int, open_importers: Callable[[str], Mapping[str, Importer]],
          times: dict[str, dict[str, list]]) -> None:
    """`rounds` paired samples of each of `modules` into times[image][module], one top-level
    package at a time (open_importers(top) opens its processes, closed after), the package itself
    first."""
    groups: dict[str, list[str]] = {}
    for name in modules:
        groups.setdefault(name.split(".")[0], []).append(name)
    for top, group in groups.items():
        importers = open_importers(top)
        try:
            for name in sorted(group, key=lambda n: n != top):
                for _ in range(rounds):
                    pair(importers, name, times)
        finally:
            for importer in importers.values():
                importer.close()


def paired_times(modules: list[str], rounds: int, open_importers: Callable[[str], Mapping[str, Importer]]
                 ) -> tuple[dict[str, dict[str, list]], dict[str, dict[str, list]]]:
    """(times, first_looks): times[image][module], `rounds` paired samples of each module, a
    suspect's replaced by its second look, taken after the whole sweep (the module docstring says
    why); first_looks[module][image]: the suspects' first samples, for the record."""
    times: dict[str, dict[str, list]] = {"project": {}, "naive": {}}
    sweep(modules, rounds, open_importers, times)
    suspects = [name for name in modules if slower(times["project"].get(name), times["naive"].get(name))]
    first_looks = {name: {which: times[which].pop(name) for which in times} for name in suspects}
    for _ in range(CONFIRM_ROUNDS):  # each round in processes of its own (the module docstring)
        sweep(suspects, 1, open_importers, times)
    return times, first_looks
