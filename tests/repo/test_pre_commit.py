"""pre-commit, the real tool: the `lock-check` hook that .pre-commit-hooks.yaml offers to other
repositories, tried with `pre-commit try-repo` on a temporary clone, and this repository's own
.pre-commit-config.yaml (lock check, actionlint, hadolint, ...) on a scratch copy."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def pre_commit(tmp_path):
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}

    def run(repo: Path, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["pre-commit", *args, "--color=never"], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=300)
    return run


def commit_all(repo: Path) -> None:
    for args in (["add", "--all"], ["-c", "user.name=t", "-c", "user.email=t@example.invalid",
                                    "commit", "--quiet", "-m", "change"]):
        subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True, timeout=60)


def test_manifest_and_config_are_valid(pre_commit, scratch_repo):
    assert pre_commit(scratch_repo, "validate-manifest", ".pre-commit-hooks.yaml").returncode == 0
    assert pre_commit(scratch_repo, "validate-config", ".pre-commit-config.yaml").returncode == 0


def test_try_repo_lock_check_passes_on_a_fresh_lock_and_fails_on_a_stale_one(pre_commit, scratch_repo):
    fresh = pre_commit(scratch_repo, "try-repo", str(scratch_repo), "lock-check", "--all-files")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert "Passed" in fresh.stdout

    with (scratch_repo / "requirements.in").open("a") as f:
        f.write("polars\n")
    commit_all(scratch_repo)
    stale = pre_commit(scratch_repo, "try-repo", str(scratch_repo), "lock-check", "--all-files")
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "Failed" in stale.stdout and "requirements.in" in stale.stdout, stale.stdout


def test_own_hooks_pass_and_catch_the_refused_workflow_line(pre_commit, scratch_repo):
    clean = pre_commit(scratch_repo, "run", "--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    for hook in ("lock check", "actionlint", "hadolint", "dependabot.yml", "shellcheck"):
        assert any(line.startswith(hook) and line.endswith("Passed") for line in clean.stdout.splitlines()), \
            f"hook {hook!r} did not run and pass:\n{clean.stdout}"

    ci = scratch_repo / ".github" / "workflows" / "ci.yml"
    ci.write_text(ci.read_text().replace("--only-binary ':all:'", "--only-binary :all:"))
    commit_all(scratch_repo)
    broken = pre_commit(scratch_repo, "run", "--all-files")
    assert broken.returncode == 1
    assert ".github/workflows/ci.yml:" in broken.stdout and "could not parse as YAML" in broken.stdout, broken.stdout
