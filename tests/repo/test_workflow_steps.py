"""The workflows' shell steps that need nothing from GitHub, run here from the YAML itself
(tests/support/workflows.py): ci.yml's lock-check job in a scratch copy (hash-checked uv install,
`uv sync --locked`, `uv run lock check`), the `lock check --resolve` step's handling of lock's
exit codes in both workflows, and lock-upgrade.yml's `lock diff` step. The pull request step
(git push, gh) is left to GitHub."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import PROJECT_ROOT
from tests.support.repo_copy import copy_project
from tests.support.workflows import load, run_step, step

LOCK_MESSAGE = "lock: requirements.lock: the index changed under the cut-off: cffi 2.1.1 yanked"


def runner_environment(python_bin: Path) -> dict[str, str]:
    """PATH as setup-python leaves it (its Python first), without this checkout's .venv or tools."""
    kept = [p for p in os.environ["PATH"].split(os.pathsep) if p and not p.startswith(str(PROJECT_ROOT))]
    return {"PATH": os.pathsep.join([str(python_bin), *kept]), "VIRTUAL_ENV": ""}


@pytest.fixture(scope="module")
def lock_check_job(tmp_path_factory):
    """A scratch copy and a fresh Python (setup-python's stand-in) after the lock-check job's steps."""
    root = tmp_path_factory.mktemp("lock-check")
    project = copy_project(root / "project")
    subprocess.run([sys.executable, "-m", "venv", str(root / "python")], check=True, timeout=120)
    env = runner_environment(root / "python" / "bin")
    results = {name: run_step("ci.yml", "lock-check", name, project, root / "temp", env=env)
               for name in ("Install uv", "uv sync --locked", "uv run lock check")}
    return project, root, env, results


@pytest.mark.network
def test_lock_check_job_steps_pass_in_a_scratch_copy(lock_check_job):
    project, root, env, results = lock_check_job
    for name, result in results.items():
        assert result.returncode == 0, f"ci.yml lock-check step {name!r} failed:\n{result.stdout}\n{result.stderr}"
    assert (root / "python" / "bin" / "uv").is_file(), "the install step did not put uv into setup-python's Python"
    assert (project / ".venv" / "bin" / "lock").is_file(), "uv sync --locked did not install the project"


@pytest.mark.network
def test_lock_check_step_fails_on_a_stale_lock(lock_check_job):
    project, root, env, _ = lock_check_job
    requirements = project / "requirements.in"
    original = requirements.read_text()
    requirements.write_text(original + "polars\n")
    try:
        result = run_step("ci.yml", "lock-check", "uv run lock check", project, root / "temp", env=env)
    finally:
        requirements.write_text(original)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "requirements.in" in result.stderr, result.stderr


@pytest.fixture
def fake_uv(tmp_path):
    """A `uv` on PATH that answers `uv run lock check --resolve` with FAKE_STATUS and lock's kind of
    message: these tests are about the workflows' shell, not about lock (tests/lock has those)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "uv").write_text(f'#!/bin/sh\necho "$*" >> "{tmp_path}/uv-calls"\n'
                                f'echo "{LOCK_MESSAGE}" >&2\nexit "$FAKE_STATUS"\n')
    (bin_dir / "uv").chmod(0o755)

    def run(workflow, job, name, status):
        env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_STATUS": str(status)}
        result = run_step(workflow, job, name, PROJECT_ROOT, tmp_path / "temp", env=env)
        assert (tmp_path / "uv-calls").read_text() == "run lock check --resolve\n"
        (tmp_path / "uv-calls").unlink()
        return result
    return run


@pytest.mark.parametrize("status", [0, 5, 6, 1, 4])
def test_ci_resolve_step_passes_on_5_with_a_summary_and_fails_on_other_errors(fake_uv, status):
    result = fake_uv("ci.yml", "lock-check", "lock check --resolve", status)
    assert result.returncode == (0 if status == 5 else status)
    assert LOCK_MESSAGE in result.stderr, "lock's message must stay in the job log"
    if status == 5:
        assert "the package index changed under the lock's cut-off" in result.summary
        assert LOCK_MESSAGE in result.summary
    else:
        assert result.summary == ""


@pytest.mark.parametrize("status", [0, 5, 6])
def test_upgrade_resolve_step_reports_5_for_the_pull_request(fake_uv, tmp_path, status):
    result = fake_uv("lock-upgrade.yml", "upgrade", "lock check --resolve", status)
    report = tmp_path / "temp" / "resolve-report.md"
    assert result.returncode == (0 if status == 5 else status)
    if status == 5:
        assert LOCK_MESSAGE in report.read_text()
    else:
        assert not report.exists()


def older_lock(text: str) -> tuple[str, str, str]:
    """The lock with its first pin set to version 0.0.1, its header made to match (lock diff
    refuses a lock whose body-sha256 does not): (lock text, name, real version)."""
    from lock import header

    match = re.search(r"^([A-Za-z0-9._-]+)==(\S+) \\$", text, re.M)
    assert match, "no pin found in requirements.lock"
    edited = header.parse(text[:match.start(2)] + "0.0.1" + text[match.end(2):])
    return header.render(edited.settings, edited.body), match[1], match[2]


@pytest.mark.network
def test_lock_diff_step_summarises_and_says_whether_pins_changed(lock_check_job):
    project, root, env, _ = lock_check_job
    temp = root / "temp"
    lock = (project / "requirements.lock").read_text()
    before, name, version = older_lock(lock)
    (temp / "before.lock").write_text(before)
    (temp / "resolve-report.md").write_text("### index changed report\n")
    try:
        changed = run_step("lock-upgrade.yml", "upgrade", "diff", project, temp, env=env)
    finally:
        (temp / "resolve-report.md").unlink()
    assert changed.returncode == 0, changed.stderr
    assert changed.outputs == {"changed": "true"}
    assert name in changed.summary and "0.0.1" in changed.summary and version in changed.summary, changed.summary
    body = (temp / "summary.md").read_text()  # what the pull request step posts
    assert body.startswith(changed.summary.split("\n")[0]) and "### index changed report" in body

    (temp / "before.lock").write_text(lock)
    same = run_step("lock-upgrade.yml", "upgrade", "diff", project, temp, env=env)
    assert same.returncode == 0, same.stderr
    assert same.outputs == {"changed": "false"}
    assert "index changed report" not in same.summary


def test_the_pull_request_step_runs_only_when_pins_changed():
    """Left to GitHub (it pushes and calls gh); what it depends on is checked here."""
    pr = step("lock-upgrade.yml", "upgrade", "Open or update the pull request")
    assert pr["if"] == "steps.diff.outputs.changed == 'true'"
    assert '"$RUNNER_TEMP/summary.md"' in pr["run"]


def test_the_pull_request_carries_the_refreshed_start_up_modules():
    """scripts/startup-modules itself runs in tests/image/test_startup_modules.py; here: the upgrade
    job runs it after a change of pins, before the pull request step, which commits its file."""
    names = [s.get("name") for s in load("lock-upgrade.yml")["jobs"]["upgrade"]["steps"]]
    refresh = step("lock-upgrade.yml", "upgrade", "Refresh the start-up modules")
    assert refresh["run"].strip() == "scripts/startup-modules"
    assert refresh["if"] == "steps.diff.outputs.changed == 'true'"
    assert names.index("Refresh the start-up modules") < names.index("Open or update the pull request")
    pr = step("lock-upgrade.yml", "upgrade", "Open or update the pull request")
    assert re.search(r"^git add --all$", pr["run"], re.M), pr["run"]  # what it stages: tests/repo/test_upgrade_job.py


def test_the_fast_lane_is_ci_first_job_and_gates_the_long_one():
    """ci.yml runs `scripts/test tests/unit` as its first job (no engine: tests/unit/test_fast_lane.py
    proves that), and the job with the engine waits for it."""
    jobs = load("ci.yml")["jobs"]
    first = next(iter(jobs))
    assert [s.get("run") for s in jobs[first]["steps"] if "run" in s] == ["scripts/test tests/unit"]
    assert jobs["test"].get("needs") == first
