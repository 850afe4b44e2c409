"""ci.yml's `audit` job: pip-audit over the hashed lock. It needs PyPI's JSON API and the advisory
databases, so it runs on GitHub only (not in .ci/run); here, its command line is checked against
the pip-audit uv.lock installs, and its setup steps are the lock-check job's (run in test_workflow_steps).

ci.yml's `debian-audit` job: Grype over the base image's Debian packages. The scan needs Docker Hub
and Grype's database (GitHub only); its shell steps run here: which base it scans, and the summary."""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest

from tests.support.paths import PROJECT_ROOT
from tests.support.repo_copy import copy_project
from tests.support.workflows import load, run_step, step

BASE_STEP = "The Dockerfile's pinned base"
SUMMARY_STEP = "Findings in the job summary"


def test_audit_job_runs_pip_audit_on_the_hashed_lock_with_options_it_knows():
    run = step("ci.yml", "audit", "uv run pip-audit")["run"]
    args = shlex.split(run)
    assert args[:3] == ["uv", "run", "pip-audit"]
    assert {"-r", "requirements.lock", "--require-hashes", "--disable-pip"} <= set(args), run
    help_text = subprocess.run([str(PROJECT_ROOT / ".venv" / "bin" / "pip-audit"), "--help"], capture_output=True,
                               text=True, timeout=60, check=True).stdout
    for option in (a for a in args[3:] if a.startswith("-")):
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", help_text), f"pip-audit does not know {option}"


def test_audit_job_sets_up_like_lock_check_and_stays_out_of_ci_run():
    jobs = load("ci.yml")["jobs"]
    setup = [s for s in jobs["audit"]["steps"] if "pip-audit" not in str(s.get("run", ""))]
    assert setup == jobs["lock-check"]["steps"][:len(setup)]
    for script in (".ci/run", "scripts/test"):
        assert "pip-audit" not in (PROJECT_ROOT / script).read_text(), f"{script} must not run the online audit"


def test_debian_audit_scans_the_dockerfiles_pinned_base(tmp_path):
    result = run_step("ci.yml", "debian-audit", BASE_STEP, PROJECT_ROOT, tmp_path / "temp")
    assert result.returncode == 0, result.stderr
    default = re.search(r"^ARG BASE_IMAGE=(\S+)$", (PROJECT_ROOT / "Dockerfile").read_text(), re.M)[1]
    assert result.outputs == {"image": default} and "@sha256:" in default
    scan = step("ci.yml", "debian-audit", "Scan the base image's Debian packages")
    assert scan["uses"].startswith("anchore/scan-action@")
    assert scan["with"]["image"] == "${{ steps.base.outputs.image }}"
    assert scan["with"]["output-file"] == "${{ runner.temp }}/grype.txt"


def test_debian_audit_refuses_a_base_without_digest(tmp_path):
    project = copy_project(tmp_path / "project")
    dockerfile = project / "Dockerfile"
    dockerfile.write_text(re.sub(r"^(ARG BASE_IMAGE=[^@\n]+)@\S+$", r"\1", dockerfile.read_text(), flags=re.M))
    result = run_step("ci.yml", "debian-audit", BASE_STEP, project, tmp_path / "temp")
    assert result.returncode == 1 and result.outputs == {}
    assert "is not pinned by digest (scripts/pin-base)" in result.stderr, result.stderr


@pytest.mark.parametrize("report", ["NAME  INSTALLED  FIXED IN  TYPE  VULNERABILITY  SEVERITY\nlibfoo 1.0 1.1 deb CVE-1 High\n", None])
def test_debian_audit_puts_the_findings_in_the_job_summary(tmp_path, report):
    temp = tmp_path / "temp"
    temp.mkdir()
    if report is not None:
        (temp / "grype.txt").write_text(report)
    summary = step("ci.yml", "debian-audit", SUMMARY_STEP)
    assert summary["if"] == "always()", "the findings must reach the summary when the scan fails the job"
    result = run_step("ci.yml", "debian-audit", SUMMARY_STEP, PROJECT_ROOT, temp, env={"BASE": "python:3@sha256:ab"})
    assert result.returncode == 0, result.stderr
    assert "### Debian packages of `python:3@sha256:ab`" in result.summary
    assert (report or "(no findings, or no report)") in result.summary, result.summary
