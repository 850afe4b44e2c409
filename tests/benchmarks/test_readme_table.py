"""The README table (report.readme_table, report.py update-readme), from a sample results.json (no Docker)."""

from __future__ import annotations

import json

import pytest

from tests.benchmarks import registry, report

registry.load_all()

SAMPLE = {
    "run_id": "sample",
    "metrics": registry.describe(),
    "environment": {"date": "2026-11-22T03:00:00+00:00", "nproc": 2, "cpu": "Example CPU @ 2.10GHz",
                    "engine": "26.1.5", "base_image": "python:3.13-slim-trixie", "rounds": 5, "build_rounds": 1},
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
    # Not measured in the sample: a dash, not a made-up number.
    assert any(line.startswith("| `docker stop`") and "| – | – | – | – | – |" in line for line in lines)
    assert "2026-11-22: 2 × Example CPU @ 2.10GHz, Docker Engine 26.1.5" in table
    assert "`python:3.13-slim-trixie`" in table and "medians of 5 interleaved rounds" in table


def test_cli_replaces_only_the_marked_section(tmp_path):
    results, readme = tmp_path / "results.json", tmp_path / "README.md"
    results.write_text(json.dumps(SAMPLE))
    readme.write_text(README)
    assert report.main(["update-readme", "--results", str(results), "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert "old table" not in text
    assert text.startswith("# Project\n\nIntro.\n\n" + report.README_START + "\n| | This image")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "results.json"], "no temp file left"
    assert text.endswith(report.README_END + "\n\n## After\n")
    # Idempotent: a second run changes nothing.
    assert report.main(["update-readme", "--results", str(results), "--readme", str(readme)]) == 0
    assert readme.read_text() == text


def test_cli_refuses_a_readme_without_markers(tmp_path):
    results, readme = tmp_path / "results.json", tmp_path / "README.md"
    results.write_text(json.dumps(SAMPLE))
    readme.write_text("# Project\n")
    assert report.main(["update-readme", "--results", str(results), "--readme", str(readme)]) == 1
    assert readme.read_text() == "# Project\n"
    with pytest.raises(ValueError):
        report.replace_between_markers(f"{report.README_END}\n{report.README_START}", "x")


def test_cli_refuses_results_of_another_run(tmp_path):
    results, readme = tmp_path / "results.json", tmp_path / "README.md"
    results.write_text(json.dumps(SAMPLE))
    readme.write_text(README)
    assert report.main(["update-readme", "--results", str(results), "--readme", str(readme), "--run-id", "other"]) == 1
    assert readme.read_text() == README
