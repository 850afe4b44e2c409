"""Read GitHub workflow files and run their shell steps here, as the runner would.

The runner runs a `run:` block with `bash -e {0}` (the default shell on Linux) in the checkout,
with GITHUB_STEP_SUMMARY and GITHUB_OUTPUT naming files and RUNNER_TEMP a folder. Steps whose
script holds a `${{ }}` expression need GitHub to expand it and are not run here.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.support.paths import PROJECT_ROOT

WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def step(workflow: str, job: str, name: str) -> dict:
    """The step of `job` whose name, id or run: command starts with `name` (exactly one)."""
    steps = load(workflow)["jobs"][job]["steps"]
    found = [s for s in steps
             if any(str(s.get(key, "")).startswith(name) for key in ("name", "id", "run"))]
    assert len(found) == 1, f"{workflow}: job {job} has {len(found)} steps named {name!r}"
    return found[0]


@dataclass
class StepResult:
    returncode: int
    stdout: str
    stderr: str
    summary: str
    outputs: dict[str, str]


def run_step(workflow: str, job: str, name: str, cwd: Path, runner_temp: Path,
             env: dict[str, str] | None = None, timeout: float = 600) -> StepResult:
    """Run one step's `run:` script in `cwd` with the job's and step's env and the runner's files."""
    s = step(workflow, job, name)
    script = s["run"]
    assert "${{" not in script, f"{workflow}: step {name!r} needs GitHub to expand an expression"
    runner_temp.mkdir(parents=True, exist_ok=True)
    summary, outputs = runner_temp / "step_summary.md", runner_temp / "github_output"
    summary.write_text("")
    outputs.write_text("")
    (runner_temp / "step.sh").write_text(script)
    environment = {**os.environ, **load(workflow)["jobs"][job].get("env", {}), **s.get("env", {}),
                   "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs),
                   "RUNNER_TEMP": str(runner_temp), "CI": "true", **(env or {})}
    result = subprocess.run(["bash", "-e", str(runner_temp / "step.sh")], cwd=cwd, env=environment,
                            capture_output=True, text=True, timeout=timeout)
    pairs = [line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line]
    return StepResult(result.returncode, result.stdout, result.stderr, summary.read_text(), dict(pairs))
