"""The numbers README's introduction shows are the benchmark table's, which tests/benchmarks/report.py
update-readme writes from a run's results.json: a table regenerated with other figures fails this
until the introduction says the same (nothing typed by hand can drift from the measurements)."""

from __future__ import annotations

import re

from tests.benchmarks import report
from tests.support.paths import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text()


def table_cell(row_start: str, column: int) -> str:
    table = README.split(report.README_START, 1)[1].split(report.README_END, 1)[0]
    row = next(line for line in table.splitlines() if line.startswith(f"| {row_start}"))
    return row.split("|")[column + 1].strip()


def test_introduction_numbers_are_the_tables():
    intro = README.split("\n## ", 1)[0]
    bold = re.findall(r"\*\*([\d.]+ (?:MB|GB|s))\*\*", intro)
    assert bold == [table_cell("Image size, uncompressed", 1),
                    table_cell("Cold start: `docker run` to `/api/status` answering", 1),
                    table_cell("First cell: `docker run` to", 1)], bold
    assert f"scipy-notebook: {table_cell('Image size, uncompressed', 5)}" in intro


def test_readme_is_for_users_and_short():
    assert len(README.splitlines()) <= 170
