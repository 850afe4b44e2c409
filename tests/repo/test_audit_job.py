"""ci.yml's `audit` job: pip-audit over the hashed lock. It needs PyPI's JSON API and the advisory
databases, so it runs on GitHub only (not in .ci/run); here, its command line is checked against
the pip-audit uv.lock installs, and its setup steps are the lock-check job's (run in test_workflow_steps)."""

from __future__ import annotations

import re
import shlex
import subprocess

from tests.support.paths import PROJECT_ROOT
from tests.support.workflows import load, step


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
