"""The README table (report.readme_table, report.py update-readme, which keeps the results it read), from a
sample results.json (no Docker)."""

from __future__ import annotations

import json

import pytest

from tests.benchmarks import registry, report

registry.load_all()

SAMPLE = {
    "run_id": "sample",
    "metrics": registry.describe(),
    "environment": {"date": "2026-11-22T03:00:00+00:00", "nproc": 2, "cpu": "Example CPU @ 2.10GHz",
                    "engine": "26.1.5", "base_image": "python:3.13-slim-trixie", "rounds": 5, "build_rounds": 1,
                    "load_average_start": 9.46, "load_average_end": 11.0},
    "images": {
        "project": {"size_bytes": 612_400_000, "compressed_bytes": 201_000_000, "added_bytes": 490_000_000,
                    "layers": 9, "dockerfile_instructions": 29},
        "naive": {"size_bytes": 820_600_000, "compressed_bytes": 304_800_000, "added_bytes": 615_700_000,
                  "layers": 6, "dockerfile_instructions": 18},
    },
    "timings": {
        "cold_start": {"project": {"median": 1.234}, "naive": {"median": 1.5}, "ratio": 0.82},
        "first_cell": {"project": {"median": 4.0}, "naive": {"median": 4.4}, "ratio": 0.91},
        "build_no_cache": {"project": {"median": 88.0}, "naive": {"median": 81.0}, "ratio": 1.09},
    },
}

README = f"""# Project

Intro.

{report.README_START}
old table
{report.README_END}

## After
"""


def test_table_rows_from_sample():
    table = report.readme_table(SAMPLE)
    lines = table.splitlines()
    assert lines[0].startswith("| | This image | Naive build, same lock | This / naive |")
    assert "| Image size, uncompressed | 612 MB | 821 MB | 0.75 | 663 MB | 2.67 GB |" in lines
    assert "| Image size, compressed (gzip layers, as pushed) | 201 MB | 305 MB | 0.66 | – | – |" in lines
    assert "| Layers | 9 | 6 | 1.50 | 10 | – |" in lines
    assert "| Dockerfile instructions | 29 | 18 | 1.61 | 21 lines | – |" in lines
    assert any(line.startswith("| Cold start") and "| 1.2 s | 1.5 s | 0.82 |" in line for line in lines)
    # Not measured in the sample: no row, not a made-up number (nor another run's).
    assert not any(line.startswith("| `docker stop`") for line in lines)
    assert len([line for line in lines if line.startswith("| ") and not line.startswith("| |")]) == 8
    assert "2026-11-22: 2 × Example CPU @ 2.10GHz, Docker Engine 26.1.5" in table
    assert "`python:3.13-slim-trixie`" in table and "medians of 5 interleaved rounds" in table
    # How busy the machine was: times measured beside other jobs are said to be.
    assert "load average was 9.5 at the start of the run and 11.0 at its end (on 2 cores)" in table
    assert "load average" not in report.readme_table({**SAMPLE, "environment": {"date": "2026-11-22"}})


def update_readme(tmp_path, *args: str) -> int:
    """The CLI on tmp_path's README.md and results.json, keeping the record in tmp_path too."""
    return report.main(["update-readme", "--results", str(tmp_path / "results.json"), "--readme",
                        str(tmp_path / "README.md"), "--record", str(tmp_path / "record.json"), *args])


def test_cli_replaces_only_the_marked_section_and_keeps_the_run(tmp_path):
    results, readme = tmp_path / "results.json", tmp_path / "README.md"
    results.write_text(json.dumps(SAMPLE))
    readme.write_text(README)
    assert update_readme(tmp_path) == 0
    text = readme.read_text()
    assert "old table" not in text
    assert text.startswith("# Project\n\nIntro.\n\n" + report.README_START + "\n| | This image")
    assert text.endswith(report.README_END + "\n\n## After\n")
    # The results the table came from, kept byte for byte (the copy README is checked against).
    assert (tmp_path / "record.json").read_text() == results.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "record.json", "results.json"], "no temp file left"
    # Idempotent: a second run changes nothing.
    assert update_readme(tmp_path) == 0
    assert readme.read_text() == text


def test_cli_refuses_a_readme_without_markers(tmp_path):
    results, readme = tmp_path / "results.json", tmp_path / "README.md"
    results.write_text(json.dumps(SAMPLE))
    readme.write_text("# Project\n")
    assert update_readme(tmp_path) == 1
    assert readme.read_text() == "# Project\n"
    assert not (tmp_path / "record.json").exists(), "no record of a run README does not show"
    with pytest.raises(ValueError):
        report.replace_between_markers(f"{report.README_END}\n{report.README_START}", "x")


def test_cli_refuses_results_of_another_run(tmp_path):
    results, readme = tmp_path / "results.json", tmp_path / "README.md"
    results.write_text(json.dumps(SAMPLE))
    readme.write_text(README)
    assert update_readme(tmp_path, "--run-id", "other") == 1
    assert readme.read_text() == README
    assert not (tmp_path / "record.json").exists()
