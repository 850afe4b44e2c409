"""README's numbers are one measured run's: docs/benchmarks/results.json is the results.json of the
run (written by tests/benchmarks/report.py update-readme beside the table it generates, so
`scripts/bench --update-readme` keeps both). The table must be exactly what the generator makes of
that file, and the introduction's figures must be that file's values: a number typed by hand, or a
table or file from another run, fails here."""

from __future__ import annotations

import json
import re

from tests.benchmarks import report
from tests.support.paths import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text()
RESULTS = json.loads(report.README_RESULTS.read_text())


def test_table_is_generated_from_the_committed_results():
    table = README.split(report.README_START, 1)[1].split(report.README_END, 1)[0]
    assert table == "\n" + report.readme_table(RESULTS) + "\n", (
        "README's benchmark table is not the one docs/benchmarks/results.json gives: regenerate it with "
        "`python -m tests.benchmarks.report update-readme --results <the run's results.json>`")


def test_introduction_numbers_are_the_results():
    intro = README.split("\n## ", 1)[0]
    timings = RESULTS["timings"]
    measured = [report.fmt(RESULTS["images"]["project"]["size_bytes"], "MB", short=True),
                report.fmt(timings["cold_start"]["project"]["median"], "s", short=True),
                report.fmt(timings["first_cell"]["project"]["median"], "s", short=True)]
    assert re.findall(r"\*\*([\d.]+ (?:MB|GB|s))\*\*", intro) == measured, intro
    # The same times against the naive build of the same run, as the table's ratio column has them.
    ratios = [report.fmt_ratio(timings[key]["project"]["median"] / timings[key]["naive"]["median"]) + "x"
              for key in ("cold_start", "first_cell")]
    assert re.findall(r"\b(\d+\.\d+x)\b", intro) == ratios, intro
    published = RESULTS["metrics"]["size_bytes"]["published"][1]  # docker-stacks' scipy-notebook, as published
    assert f"scipy-notebook: {published}" in intro


def test_the_results_are_one_finished_run():
    """A run of the suite's own conftest (run id, date, machine), not an assembled file."""
    assert RESULTS["run_id"] and RESULTS["environment"]["date"] and RESULTS["environment"]["engine"]
    assert RESULTS["pytest_exitstatus"] == 0, "README shows a run whose benchmarks failed"


def test_readme_is_for_users_and_short():
    assert len(README.splitlines()) <= 170
